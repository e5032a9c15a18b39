/** A file that is not a PNG, or a PNG this decoder cannot read; the message is one line for users. */
export class PngError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PngError";
  }
}
