/** 8-bit pixels, row after row: 1 channel (gray), 3 (RGB) or 4 (RGBA). */
export interface Bitmap {
  /** Columns, in pixels; a whole number from 1. */
  readonly width: number;
  /** Rows, in pixels; a whole number from 1. */
  readonly height: number;
  /** Bytes per pixel: 1 gray, 3 red-green-blue, 4 red-green-blue-alpha (alpha not premultiplied). */
  readonly channels: 1 | 3 | 4;
  /** `width * height * channels` bytes, row after row from the top, the channels of a pixel together. */
  readonly data: Uint8Array;
}

/** Checks that a bitmap's byte count matches its size; a mismatch is a bug in the caller. */
export function checkBitmap(bitmap: Bitmap): void {
  const { width, height, channels, data } = bitmap;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`a bitmap needs a whole positive size, got ${width}x${height}`);
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `a ${width}x${height} bitmap with ${channels} channel(s) needs ${width * height * channels} bytes, got ${data.length}`,
    );
  }
}
