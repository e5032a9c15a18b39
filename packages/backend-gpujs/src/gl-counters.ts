/** The context methods gpu.js allocates textures and reads pixels back with. */
interface CountedMethods {
  createTexture(): unknown;
  deleteTexture(texture: unknown): void;
  readPixels(...args: unknown[]): void;
}

function hasCountedMethods(context: unknown): context is CountedMethods {
  const c = context as Partial<CountedMethods> | null;
  return (
    typeof c?.createTexture === "function" &&
    typeof c.deleteTexture === "function" &&
    typeof c.readPixels === "function"
  );
}

/**
 * Counts, on a GL context, the textures alive and the pixel readbacks, by wrapping three of its
 * methods. gpu.js allocates textures internally (argument uploads, kernel outputs, clones) and
 * reads back inside `toArray`, so only the context sees every one: this is how the tests show
 * that a training step leaks no texture and reads back only where the model reads.
 */
export class GlCounters {
  private readonly alive = new Set<unknown>();
  private reads = 0;

  /** Starts counting on `context` (earlier textures are not counted); `undefined` if it is not a GL context. */
  static attach(context: unknown): GlCounters | undefined {
    if (!hasCountedMethods(context)) return undefined;
    const counters = new GlCounters();
    const create = context.createTexture.bind(context);
    const remove = context.deleteTexture.bind(context);
    const readPixels = context.readPixels.bind(context);
    context.createTexture = () => {
      const texture = create();
      if (texture) counters.alive.add(texture);
      return texture;
    };
    context.deleteTexture = (texture: unknown) => {
      counters.alive.delete(texture);
      remove(texture);
    };
    context.readPixels = (...args: unknown[]) => {
      counters.reads++;
      readPixels(...args);
    };
    return counters;
  }

  /** Textures created since `attach` and not deleted. */
  get textures(): number {
    return this.alive.size;
  }

  /** `readPixels` calls since `attach`: device-to-host copies. */
  get readbacks(): number {
    return this.reads;
  }
}
