/** Class names in label order: label `k` is `LABEL_NAMES[k]`. */
export const LABEL_NAMES = [
  "t-shirt",
  "trouser",
  "pullover",
  "dress",
  "coat",
  "sandal",
  "shirt",
  "sneaker",
  "bag",
  "ankle boot",
] as const;

/** Pixel rows per image. */
export const IMAGE_ROWS = 28;
/** Pixel columns per image. */
export const IMAGE_COLS = 28;
/** Pixels per image (`IMAGE_ROWS * IMAGE_COLS`), one byte each in the IDX files. */
export const IMAGE_SIZE = 784;
/** Number of classes; labels run from 0 to `NUM_CLASSES - 1`. */
export const NUM_CLASSES = 10;

/** The four gzipped IDX file names, as published and as the Debian package installs them. */
export const DATA_FILES: {
  /** The 60000 training images. */
  trainImages: string;
  /** Their labels. */
  trainLabels: string;
  /** The 10000 test images. */
  testImages: string;
  /** Their labels. */
  testLabels: string;
} = Object.freeze({
  trainImages: "train-images-idx3-ubyte.gz",
  trainLabels: "train-labels-idx1-ubyte.gz",
  testImages: "t10k-images-idx3-ubyte.gz",
  testLabels: "t10k-labels-idx1-ubyte.gz",
});

/**
 * Published MD5 of each file, keyed by file name. Only files this package downloads are
 * checked against these: re-packaged copies (Debian re-gzips them) legitimately differ.
 */
export const PUBLISHED_MD5: Readonly<Record<string, string>> = Object.freeze({
  "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
  "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
  "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
  "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
});

/** The official download location; file names are resolved relative to it. */
export const DEFAULT_MIRROR = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

/** Where the Debian/Ubuntu package `dataset-fashion-mnist` installs the four files. */
export const SYSTEM_DATA_DIR = "/usr/share/datasets/fashion-mnist";

/** Where a data set was found: `--data-dir`, `TENSORPLUG_DATA_DIR`, user cache, system package, or a fresh download. */
export type DataSource = "flag" | "env" | "cache" | "system" | "download";
