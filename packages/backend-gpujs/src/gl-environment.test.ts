import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  diagnoseHeadlessGl,
  type GlContextLike,
  type GlEnvironment,
  type GlFactory,
} from "./gl-environment.js";

const DISPLAY = { DISPLAY: ":99" };

/** A fake headless-gl whose contexts have the given extensions, counting destroyed contexts. */
function fakeGl(extensions: readonly string[]) {
  const stats = { made: 0, destroyed: 0 };
  const factory: GlFactory = () => {
    stats.made++;
    const context: GlContextLike = {
      getExtension: (name) => {
        if (name === "STACKGL_destroy_context") return { destroy: () => stats.destroyed++ };
        return extensions.includes(name) ? {} : null;
      },
    };
    return context;
  };
  return { factory, stats };
}

function environment(overrides: Partial<GlEnvironment>): GlEnvironment {
  return {
    env: DISPLAY,
    platform: "linux",
    loadGl: () => fakeGl(["OES_texture_float"]).factory,
    ...overrides,
  };
}

/** Every problem is one line each for reason and fix, and the fix offers the webasm way out. */
function expectOneLine(problem: { reason: string; fix: string } | undefined) {
  expect(problem).toBeDefined();
  expect(problem!.reason).not.toMatch(/\n/);
  expect(problem!.fix).not.toMatch(/\n/);
  expect(problem!.fix).toContain("--gpujs-mode webasm");
}

describe("diagnoseHeadlessGl", () => {
  it("finds nothing wrong with gl, a display and float textures, and leaves no context behind", () => {
    const gl = fakeGl(["OES_texture_float"]);
    expect(diagnoseHeadlessGl(environment({ loadGl: () => gl.factory }))).toBeUndefined();
    expect(gl.stats).toEqual({ made: 1, destroyed: 1 });
  });

  it("names the missing gl package and how to build it", () => {
    const problem = diagnoseHeadlessGl(
      environment({
        loadGl: () => {
          throw new Error("Cannot find module 'gl'\nRequire stack:\n- /somewhere");
        },
      }),
    );
    expectOneLine(problem);
    expect(problem!.reason).toBe(
      `the optional "gl" package (headless-gl) is not installed or its native build is missing (Cannot find module 'gl')`,
    );
    expect(problem!.fix).toContain(
      "apt-get install -y libxi-dev libxext-dev libx11-dev libgl1-mesa-dev pkg-config",
    );
    expect(problem!.fix).toContain("onlyBuiltDependencies");
    expect(problem!.fix).toContain("xvfb-run -a");
  });

  it("names an unset DISPLAY on Linux before touching GL", () => {
    const gl = fakeGl(["OES_texture_float"]);
    const problem = diagnoseHeadlessGl(environment({ env: {}, loadGl: () => gl.factory }));
    expectOneLine(problem);
    expect(problem!.reason).toBe("no display: DISPLAY is unset, and headless-gl needs an X display on Linux");
    expect(problem!.fix).toContain("xvfb-run -a");
    expect(gl.stats.made).toBe(0);
  });

  it("needs no DISPLAY outside Linux", () => {
    expect(diagnoseHeadlessGl(environment({ env: {}, platform: "darwin" }))).toBeUndefined();
  });

  it("names a display where no context can be made", () => {
    const problem = diagnoseHeadlessGl(environment({ loadGl: () => () => null }));
    expectOneLine(problem);
    expect(problem!.reason).toBe('headless-gl could not create a WebGL context on display ":99"');
  });

  it("names a context without float textures", () => {
    const gl = fakeGl([]);
    const problem = diagnoseHeadlessGl(environment({ loadGl: () => gl.factory }));
    expectOneLine(problem);
    expect(problem!.reason).toMatch(/no float textures \(OES_texture_float\)/);
    expect(gl.stats.destroyed).toBe(1);
  });

  it("with the real gl package and DISPLAY unset, says so", () => {
    const require = createRequire(import.meta.url);
    const problem = diagnoseHeadlessGl({
      env: {},
      platform: "linux",
      loadGl: () => require("gl") as GlFactory,
    });
    expect(problem?.reason).toMatch(/^no display: DISPLAY is unset/);
  });
});
