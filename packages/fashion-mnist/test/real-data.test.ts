import { describe, expect, it } from "vitest";
import { batches } from "../src/batches.js";
import { IMAGE_SIZE, LABEL_NAMES, SYSTEM_DATA_DIR } from "../src/constants.js";
import { loadFashionMnist } from "../src/load.js";

// Needs the Debian package dataset-fashion-mnist (CI installs it). It fails rather than being
// skipped on a machine without the files: the README says how to get them.
describe("the real Fashion-MNIST files", () => {
  it("load with the published sizes, balanced train labels, and ankle boot first in test", async () => {
    const data = await loadFashionMnist({ dataDir: SYSTEM_DATA_DIR, download: false });
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

    let seen = 0;
    for (const batch of batches(data.train, { batchSize: 256 })) seen += batch.size;
    expect(seen).toBe(60000);
  });
});
