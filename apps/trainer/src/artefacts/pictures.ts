import { IMAGE_COLS, IMAGE_ROWS, IMAGE_SIZE, type ImageSet } from "@tensorplug/fashion-mnist";
import { type Bitmap, type GridCell, imageGrid, mix, parseColor, type Scene } from "@tensorplug/plots";

const WRONG = "#d62728";
const RIGHT = "#2a7d2a";

/** Test image `index` as an 8-bit gray bitmap, as stored (light garment on black). */
export function testImage(test: ImageSet, index: number): Bitmap {
  return {
    width: IMAGE_COLS,
    height: IMAGE_ROWS,
    channels: 1,
    data: test.images.slice(index * IMAGE_SIZE, (index + 1) * IMAGE_SIZE),
  };
}

/**
 * The book's `predict_ch3`, larger: the first test images enlarged four times, each captioned
 * with its true label over the predicted one; mistakes get a red frame and a red prediction.
 */
export function predictionsScene(
  test: ImageSet,
  predicted: ArrayLike<number>,
  names: readonly string[],
  count = 18,
): Scene {
  const shown = Math.min(count, test.count);
  const cells: GridCell[] = [];
  let wrong = 0;
  for (let i = 0; i < shown; i++) {
    const truth = test.labels[i]!;
    const guess = predicted[i]!;
    const ok = truth === guess;
    if (!ok) wrong++;
    cells.push({
      bitmap: testImage(test, i),
      captions: [
        { text: names[truth] ?? String(truth) },
        { text: `${ok ? "" : "× "}${names[guess] ?? guess}`, color: ok ? RIGHT : WRONG },
      ],
      ...(ok ? {} : { frame: WRONG }),
    });
  }
  return imageGrid({
    title: `first ${shown} test images: ${shown - wrong} right, ${wrong} wrong`,
    subtitle: "caption: true label, then predicted label (red and framed when wrong)",
    cells,
    columns: 6,
    scale: 4,
  });
}

const NEGATIVE = parseColor("#2166ac");
const ZERO = parseColor("#f7f7f7");
const POSITIVE = parseColor("#b2182b");

/** Diverging blue-white-red: -1 blue, 0 white, +1 red. */
function diverging(t: number) {
  const c = Math.max(-1, Math.min(1, t));
  return c < 0 ? mix(ZERO, NEGATIVE, -c) : mix(ZERO, POSITIVE, c);
}

/**
 * The ten columns of W as 28x28 pictures, one per class, on one colour scale shared by all ten
 * (so classes can be compared): red pixels raise the class's score, blue ones lower it.
 */
export function weightsScene(W: Float32Array, names: readonly string[], classes = names.length): Scene {
  let max = 0;
  for (const w of W) max = Math.max(max, Math.abs(w));
  const scale = max || 1;
  const cells: GridCell[] = [];
  for (let k = 0; k < classes; k++) {
    const data = new Uint8Array(IMAGE_SIZE * 3);
    for (let p = 0; p < IMAGE_SIZE; p++) {
      const c = diverging(W[p * classes + k]! / scale);
      for (let ch = 0; ch < 3; ch++) data[p * 3 + ch] = Math.round(c[ch]!);
    }
    cells.push({
      bitmap: { width: IMAGE_COLS, height: IMAGE_ROWS, channels: 3, data },
      captions: [{ text: names[k] ?? String(k) }],
    });
  }
  const label = (v: number) => (v === 0 ? "0" : `${v > 0 ? "+" : "-"}${Math.abs(v).toPrecision(2)}`);
  return imageGrid({
    title: "weights W: one 28x28 picture per class",
    subtitle: "red pixels raise the class's score, blue ones lower it",
    cells,
    columns: 5,
    scale: 4,
    colorbar: {
      stops: ["#2166ac", "#f7f7f7", "#b2182b"],
      labels: [label(-scale), "0", label(scale)],
      caption: "one colour scale for all ten classes",
    },
  });
}
