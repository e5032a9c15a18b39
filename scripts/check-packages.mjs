// Checks every publishable package the way npm will see it: packs them all (scripts/pack-packages.mjs)
// and, for each tarball, checks that
//   - its package.json has no `workspace:` range left,
//   - it holds README.md, LICENSE, the built entry point and its types, and no test files,
//   - every file its `exports` and `bin` name is in it, and so is every source a source map names,
//   - `publint --strict` finds nothing,
//   - `attw --profile esm-only` (Are the Types Wrong?) finds nothing.
// Exits non-zero naming every package and problem. Run `pnpm build` first.
//
//   node scripts/check-packages.mjs [directory for the tarballs]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { packPackages } from "./pack-packages.mjs";

const bin = (name) => join(import.meta.dirname, "..", "node_modules", ".bin", name);
const keep = process.argv[2] !== undefined;
const dir = keep ? process.argv[2] : mkdtempSync(join(tmpdir(), "tensorplug-packs-"));

// What every tarball must hold; test files must not be published.
const REQUIRED = ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"];
const TEST_FILE = /(\.test\.ts|\.test-helper\.ts|test-results\.json)$|^test\//;

/** Every file path in an `exports` or `bin` value, however deeply its conditions nest. */
function targets(value) {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(targets);
}

/** Whether `target` is in the tarball; a subpath pattern (`schemas/*`) needs at least one match. */
function shipped(files, target) {
  if (!target.includes("*")) return files.has(target);
  const [prefix, suffix] = target.split("*");
  return [...files].some((f) => f.startsWith(prefix) && f.endsWith(suffix));
}

/** Files the package.json points at, and sources its maps point at, that the tarball lacks. */
function danglingReferences(pack, manifest) {
  const files = new Set(pack.files);
  const missing = [];
  for (const target of [...targets(manifest.exports), ...targets(manifest.bin)]) {
    if (!shipped(files, normalize(target))) missing.push(`${target} (named in package.json)`);
  }
  const unpacked = join(dir, "unpacked", manifest.name);
  mkdirSync(unpacked, { recursive: true });
  execFileSync("tar", ["-xzf", pack.tarball, "-C", unpacked, "--strip-components=1"]);
  for (const map of pack.files.filter((f) => f.endsWith(".map"))) {
    const { sources } = JSON.parse(readFileSync(join(unpacked, map), "utf8"));
    for (const source of sources) {
      const file = normalize(join(dirname(map), source));
      if (!files.has(file)) missing.push(`${file} (a source of ${map})`);
    }
  }
  return missing;
}

function run(command, args) {
  const r = spawnSync(command, args, { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

const problems = [];
try {
  const packs = packPackages(dir);
  for (const pack of packs) {
    const found = [];
    const manifest = execFileSync("tar", ["-xzOf", pack.tarball, "package/package.json"], {
      encoding: "utf8",
    });
    if (manifest.includes("workspace:")) found.push("package.json still has a workspace: range");
    const dangling = danglingReferences(pack, JSON.parse(manifest));
    if (dangling.length > 0) found.push(`points at files it does not ship:\n  ${dangling.join("\n  ")}`);
    for (const file of REQUIRED) if (!pack.files.includes(file)) found.push(`missing ${file}`);
    const tests = pack.files.filter((f) => TEST_FILE.test(f));
    if (tests.length > 0) found.push(`ships test files: ${tests.join(", ")}`);

    const publint = run(bin("publint"), ["run", "--strict", pack.tarball]);
    if (!publint.ok) found.push(`publint --strict:\n${publint.output}`);
    const attw = run(bin("attw"), [pack.tarball, "--profile", "esm-only", "--format", "ascii", "--no-emoji"]);
    if (!attw.ok) found.push(`attw --profile esm-only:\n${attw.output}`);

    console.log(
      `${found.length === 0 ? "ok  " : "FAIL"}  ${pack.name}@${pack.version}  (${pack.files.length} files)`,
    );
    for (const f of found) problems.push(`${pack.name}: ${f}`);
  }
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\n${problems.join("\n\n")}`);
  process.exit(1);
}
console.log(
  "every package: no workspace: ranges, no dangling file references, README and LICENSE present, publint --strict and attw (esm-only) clean",
);
