// Packs every publishable workspace package into one directory with `pnpm pack`, the same packing
// `changeset publish` uses (through `pnpm publish`): `workspace:` ranges are rewritten to real
// ones. Writes `packs.json` there, listing each package's tarball and files, for the scripts that
// check the tarballs. Run `pnpm build` first; the tarballs hold dist/ as it is.
//
//   node scripts/pack-packages.mjs <directory>
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Packs every public package into `dir` (emptied first) and returns the manifest. */
export function packPackages(dir) {
  const destination = resolve(dir);
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  const out = execFileSync("pnpm", ["-r", "pack", "--pack-destination", destination, "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const packed = JSON.parse(out);
  const manifest = packed.map((p) => ({
    name: p.name,
    version: p.version,
    tarball: p.filename,
    files: p.files.map((f) => f.path),
  }));
  writeFileSync(join(destination, "packs.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (dir === undefined) {
    console.error("usage: node scripts/pack-packages.mjs <directory>");
    process.exit(2);
  }
  for (const p of packPackages(dir)) console.log(`${p.name}@${p.version}  ${p.tarball}`);
}
