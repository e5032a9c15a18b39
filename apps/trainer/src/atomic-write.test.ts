import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "./atomic-write.js";

describe("writeFileAtomic", () => {
  it("writes a new file and replaces an old one whole, leaving no temporary file", () => {
    const dir = mkdtempSync(join(tmpdir(), "tp-atomic-"));
    const file = join(dir, "model.json");
    writeFileAtomic(file, "first");
    writeFileAtomic(file, Uint8Array.of(0x61, 0x62));
    expect(readFileSync(file, "utf8")).toBe("ab");
    expect(readdirSync(dir)).toEqual(["model.json"]);
  });
  it("when the final rename fails, the old content stays and the temporary file is removed", () => {
    const dir = mkdtempSync(join(tmpdir(), "tp-atomic-"));
    const target = join(dir, "report.html");
    mkdirSync(target); // renaming a file over a directory fails
    writeFileSync(join(target, "keep"), "old");
    expect(() => writeFileAtomic(target, "new")).toThrow();
    expect(readdirSync(dir)).toEqual(["report.html"]);
    expect(readFileSync(join(target, "keep"), "utf8")).toBe("old");
  });
});
