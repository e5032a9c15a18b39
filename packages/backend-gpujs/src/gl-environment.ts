// Why gpu.js mode `gpu` cannot start in Node, found before gpu.js is asked: gpu.js itself would
// quietly run its webasm or CPU kernels instead (mode "gpu") or say only "not supported" (mode
// "headlessgl"). Each problem names the missing piece and how to get it.

import { firstLine } from "./messages.js";

/** The subset of a WebGL context the diagnosis touches. */
export interface GlContextLike {
  getExtension(name: string): unknown;
}

/** headless-gl's export: makes an off-screen WebGL context, or returns null when it cannot. */
export type GlFactory = (width: number, height: number, options?: object) => GlContextLike | null;

/** What the diagnosis looks at; injectable so tests can stage every failure. */
export interface GlEnvironment {
  /** Where `DISPLAY` is read from (the process environment by default). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: string;
  /** Loads the `gl` package; throws when it is not installed or its native build is missing. */
  readonly loadGl: () => GlFactory;
}

/** Why the GL path is unavailable, and what to do about it, each one line. */
export interface GlProblem {
  readonly reason: string;
  readonly fix: string;
}

const ALTERNATIVE = "or use --gpujs-mode webasm";

/** How to get headless-gl built and installed. */
export const FIX_GL_PACKAGE =
  "apt-get install -y libxi-dev libxext-dev libx11-dev libgl1-mesa-dev pkg-config, allow gl's build " +
  `script (pnpm: "onlyBuiltDependencies": ["gl"]) and reinstall, then run under xvfb-run -a; ${ALTERNATIVE}`;

/** How to give headless-gl a display. */
export const FIX_DISPLAY = `run under a virtual display: apt-get install -y xvfb xauth, then xvfb-run -a <command>; ${ALTERNATIVE}`;

/** Releases a probe context, so the check leaves no GL context behind. */
function destroyContext(context: GlContextLike): void {
  const extension = context.getExtension("STACKGL_destroy_context") as { destroy?: () => void } | null;
  extension?.destroy?.();
}

/**
 * `undefined` when headless-gl can make a float-capable WebGL context here, otherwise the first
 * missing piece: the `gl` package, a display, a working context, float textures.
 */
export function diagnoseHeadlessGl(environment: GlEnvironment): GlProblem | undefined {
  let gl: GlFactory;
  try {
    gl = environment.loadGl();
  } catch (error) {
    return {
      reason: `the optional "gl" package (headless-gl) is not installed or its native build is missing (${firstLine(error)})`,
      fix: FIX_GL_PACKAGE,
    };
  }
  const display = environment.env.DISPLAY;
  // macOS and Windows make GL contexts without X; Linux needs an X server, real or virtual.
  if (environment.platform === "linux" && !display) {
    return {
      reason: "no display: DISPLAY is unset, and headless-gl needs an X display on Linux",
      fix: FIX_DISPLAY,
    };
  }
  let context: GlContextLike | null;
  try {
    context = gl(2, 2, { preserveDrawingBuffer: true });
  } catch (error) {
    return {
      reason: `headless-gl could not create a WebGL context on display "${display ?? ""}" (${firstLine(error)})`,
      fix: FIX_DISPLAY,
    };
  }
  if (context === null) {
    return {
      reason: `headless-gl could not create a WebGL context on display "${display ?? ""}"`,
      fix: FIX_DISPLAY,
    };
  }
  try {
    if (!context.getExtension("OES_texture_float")) {
      return {
        reason: "the WebGL context has no float textures (OES_texture_float), which single precision needs",
        fix: `use a GL driver with float textures (Mesa's llvmpipe has them); ${ALTERNATIVE}`,
      };
    }
    return undefined;
  } finally {
    destroyContext(context);
  }
}
