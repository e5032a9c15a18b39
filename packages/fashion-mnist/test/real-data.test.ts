import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { batches } from "../src/batches.js";
import { IMAGE_SIZE, LABEL_NAMES, SYSTEM_DATA_DIR } from "../src/constants.js";
import { loadFashionMnist } from "../src/load.js";

// Runs wherever the Debian package dataset-fashion-mnist is installed; elsewhere it is skipped
// rather than downloading 30 MB in a unit test.
describe.skipIf(!existsSync(SYSTEM_DATA_DIR))("the real Fashion-MNIST files", () => {
  it("load with the published sizes, balanced train labels, and ankle boot first in test", async () => {
    const start = performance.now();
    const data = await loadFashionMnist({ dataDir: SYSTEM_DATA_DIR, download: false });
    const ms = performance.now() - start;
    expect(data.train.count).toBe(60000);
    expect(data.test.count).toBe(10000);
    expect(data.train.images.length).toBe(60000 * IMAGE_SIZE);
    expect(data.test.images.length).toBe(10000 * IMAGE_SIZE);

    const histogram = new Array<number>(10).fill(0);
    for (const label of data.train.labels) histogram[label]! += 1;
    expect(histogram).toEqual(new Array(10).fill(6000));

    expect(data.test.labels[0]).toBe(9);
    expect(LABEL_NAMES[data.test.labels[0]!]).toBe("ankle boot");
    // Generous bound: it is about a second-scale job, not a minute.
    expect(ms).toBeLessThan(5000);

    let seen = 0;
    for (const batch of batches(data.train, { batchSize: 256 })) seen += batch.size;
    expect(seen).toBe(60000);
  });
});
