// Checks every publishable package the way npm will see it: packs them all (scripts/pack-packages.mjs)
// and, for each tarball, checks that
//   - its package.json has no `workspace:` range left,
//   - it holds README.md, LICENSE, the built entry point and its types, and no test files,
//   - `publint --strict` finds nothing,
//   - `attw --profile esm-only` (Are the Types Wrong?) finds nothing.
// Exits non-zero naming every package and problem. Run `pnpm build` first.
//
//   node scripts/check-packages.mjs [directory for the tarballs]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packPackages } from "./pack-packages.mjs";

const bin = (name) => join(import.meta.dirname, "..", "node_modules", ".bin", name);
const keep = process.argv[2] !== undefined;
const dir = keep ? process.argv[2] : mkdtempSync(join(tmpdir(), "tensorplug-packs-"));

// What every tarball must hold; test files must not be published.
const REQUIRED = ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"];
const TEST_FILE = /(\.test\.ts|\.test-helper\.ts|test-results\.json)$|^test\//;

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
  "every package: no workspace: ranges, README and LICENSE present, publint --strict and attw (esm-only) clean",
);
