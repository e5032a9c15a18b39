import { type Backend, Random, type Tensor, uploadBytes } from "@tensorplug/core";

/**
 * `rows` image-like rows of 784 bytes (half of them background, 0), 784x10 weights, a bias and
 * one-hot targets, drawn from `seed`: a batch the kernels see as they see Fashion-MNIST's.
 */
export function imageProblem(rows: number, seed: number) {
  const rng = new Random(seed);
  const bytes = Uint8Array.from({ length: rows * 784 }, () =>
    rng.next() < 0.5 ? 0 : Math.floor(rng.next() * 256),
  );
  const targets = new Float32Array(rows * 10);
  for (let i = 0; i < rows; i++) targets[i * 10 + rng.nextInt(10)] = 1;
  return { rows, bytes, W: rng.normalArray(7840, 0, 0.05), b: rng.normalArray(10, 0, 0.05), targets };
}

/** An image-like batch (see `imageProblem`) uploaded to `backend`: the bytes scaled by 1/255. */
export function uploadedProblem(
  backend: Backend,
  rows: number,
  seed: number,
): { x: Tensor; W: Tensor; b: Tensor; t: Tensor } {
  const p = imageProblem(rows, seed);
  return {
    x: uploadBytes(backend, p.bytes, [rows, 784], 1 / 255),
    W: backend.upload(p.W, [784, 10]),
    b: backend.upload(p.b, [1, 10]),
    t: backend.upload(p.targets, [rows, 10]),
  };
}
