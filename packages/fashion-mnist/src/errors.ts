/**
 * Every failure to find, fetch or decode the data set. `code` is stable and machine-readable;
 * `file` names the offending file when there is one. Messages are a single line so a CLI can
 * print them as-is.
 */
export class DatasetError extends Error {
  /** Stable identifier of the kind of failure, e.g. `"E_CHECKSUM"` or `"E_NO_DATA"`. */
  readonly code: string;
  /** The file concerned, when there is one. */
  readonly file?: string;
  constructor(code: string, message: string, options?: { file?: string; cause?: unknown }) {
    // Causes often carry multi-line text (stack-ish undici messages); keep ours to one line.
    super(
      message.replace(/\s*\n\s*/g, " "),
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "DatasetError";
    this.code = code;
    if (options?.file !== undefined) this.file = options.file;
  }
}
