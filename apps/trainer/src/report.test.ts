import { describe, expect, it } from "vitest";
import { formatSeconds, ProgressBar } from "./progress.js";
import { epochLine, summaryLine } from "./report.js";

const result = {
  epoch: 3,
  trainLoss: 0.52451,
  trainAccuracy: 0.82719,
  testAccuracy: 0.81644,
  testLoss: 0.5,
  seconds: 1.94,
};

describe("report lines", () => {
  it("prints an epoch the way the book's table reads", () => {
    expect(epochLine(result, 10)).toBe("epoch 3/10  loss 0.5245  train acc 0.8272  test acc 0.8164  1.9 s");
  });
  it("the summary names the backend and mode that ran and contains test acc", () => {
    expect(summaryLine([result], "gpujs", "webasm", 12.34)).toBe(
      "done: 1 epoch on gpujs (webasm) in 12.3 s  train loss 0.5245  train acc 0.8272  test acc 0.8164",
    );
    expect(summaryLine([result, result], "cpu", "cpu", 75)).toMatch(/^done: 2 epochs on cpu in 1 m 15 s /);
  });
  it("formats unknown durations as --", () => {
    expect(formatSeconds(Number.NaN)).toBe("--");
  });
});

describe("ProgressBar", () => {
  function stream(isTTY: boolean) {
    const chunks: string[] = [];
    return { chunks, isTTY, columns: 80, write: (c: string) => chunks.push(c) > 0 };
  }
  it("draws in place with an ETA on a terminal, and clears itself", () => {
    const s = stream(true);
    const bar = new ProgressBar(s);
    bar.start();
    bar.update(235, 235, "epoch 1/10", "loss 0.7872");
    expect(s.chunks[0]?.startsWith("\r")).toBe(true);
    expect(s.chunks[0]?.endsWith("\x1b[K")).toBe(true);
    expect(s.chunks[0]).toMatch(/epoch 1\/10 █+ 235\/235 {2}loss 0\.7872 {2}ETA 0\.0 s/);
    bar.clear();
    expect(s.chunks[1]).toBe("\r\x1b[K");
  });
  it("stays silent when stderr is not a terminal", () => {
    const s = stream(false);
    const bar = new ProgressBar(s);
    bar.start();
    bar.update(1, 2, "epoch 1/1", "");
    bar.clear();
    expect(s.chunks).toEqual([]);
  });
});
