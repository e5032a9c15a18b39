/**
 * Fashion-MNIST for Node: finds or downloads the four IDX files, validates and decodes them, and
 * serves scaled mini-batches. No runtime dependencies.
 *
 * @packageDocumentation
 */
export { type Batch, type BatchOptions, batchCount, batches, PIXEL_SCALE } from "./batches.js";
export { cacheDir } from "./cache-dir.js";
export {
  DATA_FILES,
  type DataSource,
  DEFAULT_MIRROR,
  IMAGE_COLS,
  IMAGE_ROWS,
  IMAGE_SIZE,
  LABEL_NAMES,
  NUM_CLASSES,
  PUBLISHED_MD5,
  SYSTEM_DATA_DIR,
} from "./constants.js";
export type { DownloadProgress } from "./download.js";
export { DatasetError } from "./errors.js";
export { type ReadIdxOptions, readIdxDims, readIdxGz } from "./gzip.js";
export { checkIdxHeader, parseIdxImages, parseIdxLabels } from "./idx.js";
export { MAX_IDX_BYTES } from "./idx-header.js";
export { type FashionMnist, type ImageSet, type LoadOptions, loadFashionMnist, loadSplit } from "./load.js";
export { type LocateOptions, locateDataset } from "./locate.js";
