// Copies the runnable example of each given package README into `<out>/example-<package>.ts`, so
// scripts/consumer-test.sh can compile and run it against the packed packages. The example is the
// first ```ts block after the README's "## Example" (or "## Use") heading.
//
//   node scripts/consumer/extract-examples.mjs <out directory> <package directory>...
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

const [out, ...packageDirs] = process.argv.slice(2);
if (out === undefined || packageDirs.length === 0) {
  console.error("usage: node extract-examples.mjs <out directory> <package directory>...");
  process.exit(2);
}
for (const dir of packageDirs) {
  const readme = readFileSync(join(dir, "README.md"), "utf8");
  const heading = readme.search(/^## (Example|Use)\b/m);
  const block = heading < 0 ? null : /^```ts\n([\s\S]*?)^```$/m.exec(readme.slice(heading));
  if (block === null) {
    console.error(`${dir}/README.md: no \`\`\`ts block after an "## Example" or "## Use" heading`);
    process.exit(1);
  }
  const file = join(out, `example-${basename(dir)}.ts`);
  writeFileSync(file, `// From ${basename(dir)}/README.md\n${block[1]}`);
  console.log(file);
}
