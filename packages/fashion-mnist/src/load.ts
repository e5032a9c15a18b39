import { join } from "node:path";
import { DATA_FILES, type DataSource } from "./constants.js";
import { DatasetError } from "./errors.js";
import { type ReadIdxOptions, readIdxGz } from "./gzip.js";
import { parseIdxImages, parseIdxLabels } from "./idx.js";
import { type LocateOptions, locateDataset } from "./locate.js";

/** One split of the data set, pixels kept as bytes (as float32 the train split would take 188 MB). */
export interface ImageSet {
  /** `count * IMAGE_SIZE` bytes, image after image, each row-major, 0 = background. */
  readonly images: Uint8Array;
  /** `count` class indices 0..9, see `LABEL_NAMES`. */
  readonly labels: Uint8Array;
  /** Number of examples. */
  readonly count: number;
}

/** Both splits and where they were loaded from. */
export interface FashionMnist {
  /** The 60000 training examples. */
  readonly train: ImageSet;
  /** The 10000 test examples. */
  readonly test: ImageSet;
  /** Absolute directory the files were read from. */
  readonly dir: string;
  /** Which of the places `locateDataset` looks in held the files. */
  readonly source: DataSource;
}

/** How the images of a split are held. */
export interface LoadOptions {
  /**
   * Where each images file goes, header included (`images` is a view past the header): for
   * memory a backend reads in place, `(length) => hostBytes(backend, length)`. See
   * `ReadIdxOptions.allocate`.
   */
  readonly allocate?: ReadIdxOptions["allocate"];
}

/**
 * Decompresses and validates one split: its images file and its labels file in `dir`, which must
 * agree on the number of examples.
 *
 * @throws DatasetError naming the file for any unreadable, corrupt or disagreeing file
 */
export async function loadSplit(
  dir: string,
  imagesFile: string,
  labelsFile: string,
  options: LoadOptions = {},
): Promise<ImageSet> {
  const imagesPath = join(dir, imagesFile);
  const labelsPath = join(dir, labelsFile);
  const [imageBytes, labelBytes] = await Promise.all([
    readIdxGz(imagesPath, { expect: "images", allocate: options.allocate }),
    readIdxGz(labelsPath, { expect: "labels" }),
  ]);
  const { images, count } = parseIdxImages(imageBytes, imagesPath);
  const labels = parseIdxLabels(labelBytes, labelsPath);
  if (labels.length !== count) {
    throw new DatasetError(
      "E_COUNT_MISMATCH",
      `${imagesPath} has ${count} images but ${labelsPath} has ${labels.length} labels`,
      { file: labelsPath },
    );
  }
  return { images, labels, count };
}

/**
 * Locates (see {@link locateDataset}), decompresses and validates both splits.
 *
 * @throws DatasetError for anything missing, undownloadable, corrupt or inconsistent
 */
export async function loadFashionMnist(opts: LocateOptions & LoadOptions = {}): Promise<FashionMnist> {
  const { dir, source } = await locateDataset(opts);
  const load: LoadOptions = { allocate: opts.allocate };
  // Both splits at once: gunzip runs on the thread pool, so the four files decode in parallel.
  const [train, test] = await Promise.all([
    loadSplit(dir, DATA_FILES.trainImages, DATA_FILES.trainLabels, load),
    loadSplit(dir, DATA_FILES.testImages, DATA_FILES.testLabels, load),
  ]);
  return { train, test, dir, source };
}
