import { describe, expect, it, vi } from "vitest";
import type { Backend } from "./backend.js";
import { BackendUnavailableError, TensorplugError, UnknownBackendError } from "./errors.js";
import { AUTO, type BackendEntry, BackendRegistry } from "./registry.js";
import { TestBackend } from "./testing.test-helper.js";

/** A backend that starts, reporting `mode`, with a spied `close`. */
function starting(name: string, priority: number, mode = name) {
  const close = vi.fn(async () => {});
  const backend = Object.assign(new TestBackend({ name }), { mode, close }) as Backend;
  const factory = vi.fn(async () => backend);
  return {
    entry: { name, priority, description: `${name} backend`, factory } satisfies BackendEntry,
    backend,
    close,
  };
}

/** A backend whose factory throws `error`. */
function failing(name: string, priority: number, error: unknown) {
  const factory = vi.fn(async (): Promise<Backend> => {
    throw error;
  });
  return { entry: { name, priority, description: `${name} backend`, factory } satisfies BackendEntry };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("register and list", () => {
  it("lists entries by priority, highest first, ties by name", () => {
    const reg = new BackendRegistry();
    reg.register(starting("cpu", 10).entry);
    reg.register(starting("gpu", 30).entry);
    reg.register(starting("tfjs", 20).entry);
    reg.register(starting("alpha", 10).entry);
    expect(reg.names()).toEqual(["gpu", "tfjs", "alpha", "cpu"]);
    expect(reg.list().map((e) => e.priority)).toEqual([30, 20, 10, 10]);
    expect(reg.has("tfjs")).toBe(true);
    expect(reg.has("auto")).toBe(false);
    expect(reg.has("nope")).toBe(false);
  });

  it("is empty at first, and list() is a copy", () => {
    const reg = new BackendRegistry();
    expect(reg.list()).toEqual([]);
    reg.register(starting("cpu", 1).entry);
    reg.list().pop();
    expect(reg.names()).toEqual(["cpu"]);
  });

  it("rejects a duplicate name and keeps the first entry", () => {
    const reg = new BackendRegistry();
    const first = starting("cpu", 10).entry;
    reg.register(first);
    let caught: unknown;
    try {
      reg.register(starting("cpu", 99).entry);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TensorplugError);
    expect((caught as TensorplugError).code).toBe("E_REGISTRY");
    expect((caught as TensorplugError).message).toBe('a backend named "cpu" is already registered');
    expect(reg.list()).toEqual([first]);
  });

  it('rejects "auto" as a name', () => {
    const reg = new BackendRegistry();
    expect(AUTO).toBe("auto");
    expect(() => reg.register(starting("auto", 1).entry)).toThrow(TensorplugError);
    expect(() => reg.register(starting("auto", 1).entry)).toThrow('"auto" is reserved');
    expect(reg.names()).toEqual([]);
  });
});

describe("create", () => {
  it("starts the named backend, passing the options to its factory", async () => {
    const reg = new BackendRegistry();
    const cpu = starting("cpu", 10);
    reg.register(cpu.entry);
    reg.register(starting("gpu", 20).entry);
    expect(await reg.create("cpu", { threads: 2 })).toBe(cpu.backend);
    expect(cpu.entry.factory).toHaveBeenCalledWith({ threads: 2 });
    await reg.create("cpu");
    expect(cpu.entry.factory).toHaveBeenLastCalledWith({});
  });

  it("rejects an unknown name with UnknownBackendError listing the known names", async () => {
    const reg = new BackendRegistry();
    reg.register(starting("cpu", 10).entry);
    reg.register(starting("gpu", 20).entry);
    const err = await rejection(reg.create("cuda"));
    expect(err).toBeInstanceOf(UnknownBackendError);
    expect(err).toBeInstanceOf(TensorplugError);
    expect((err as UnknownBackendError).known).toEqual(["gpu", "cpu"]);
    expect(err.message).toBe('unknown backend "cuda"; valid values: auto, gpu, cpu');
    await expect(reg.create("auto")).rejects.toBeInstanceOf(UnknownBackendError);
  });

  it("wraps a factory's plain Error as BackendUnavailableError", async () => {
    const reg = new BackendRegistry();
    reg.register(failing("gpu", 20, new Error("no WebGL context")).entry);
    const err = (await rejection(reg.create("gpu"))) as BackendUnavailableError;
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.code).toBe("E_BACKEND_UNAVAILABLE");
    expect(err.backend).toBe("gpu");
    expect(err.reason).toBe("no WebGL context");
    expect(err.fix.length).toBeGreaterThan(0);
    expect(err.message).toMatch(/^backend "gpu" cannot start: no WebGL context\. Fix: /);
  });

  it("wraps a thrown non-Error value and a synchronous throw", async () => {
    const reg = new BackendRegistry();
    reg.register(failing("a", 1, "plain string").entry);
    reg.register({
      name: "b",
      priority: 1,
      description: "throws before returning a promise",
      factory: () => {
        throw new Error("sync failure");
      },
    });
    const a = (await rejection(reg.create("a"))) as BackendUnavailableError;
    expect(a).toBeInstanceOf(BackendUnavailableError);
    expect(a.reason).toBe("plain string");
    const b = (await rejection(reg.create("b"))) as BackendUnavailableError;
    expect(b).toBeInstanceOf(BackendUnavailableError);
    expect(b.reason).toBe("sync failure");
  });

  it("keeps a multi-line factory error to one line", async () => {
    const reg = new BackendRegistry();
    const nodeStyle = new Error(
      "Cannot find package 'gpu.js' imported from /x/index.js\nRequire stack:\n- /x/a.js",
    );
    reg.register(failing("gpu", 1, nodeStyle).entry);
    const err = (await rejection(reg.create("gpu"))) as BackendUnavailableError;
    expect(err.reason).toBe("Cannot find package 'gpu.js' imported from /x/index.js");
    expect(err.message).not.toMatch(/[\r\n]/);
  });

  it("passes a BackendUnavailableError from the factory through unchanged", async () => {
    const reg = new BackendRegistry();
    const own = new BackendUnavailableError("gpu", "headless-gl failed to load", "npm rebuild gl");
    reg.register(failing("gpu", 1, own).entry);
    expect(await rejection(reg.create("gpu"))).toBe(own);
  });
});

describe("resolve", () => {
  it("resolves a plain name like create, and rejects unknown names", async () => {
    const reg = new BackendRegistry();
    const cpu = starting("cpu", 10);
    const gpu = starting("gpu", 20);
    reg.register(cpu.entry);
    reg.register(gpu.entry);
    expect(await reg.resolve("cpu", { x: 1 })).toBe(cpu.backend);
    expect(gpu.entry.factory).not.toHaveBeenCalled();
    expect(cpu.entry.factory).toHaveBeenCalledWith({ x: 1 });
    await expect(reg.resolve("cuda")).rejects.toBeInstanceOf(UnknownBackendError);
  });

  it('"auto" picks the highest priority that starts, without trying lower ones', async () => {
    const reg = new BackendRegistry();
    const cpu = starting("cpu", 10);
    const tfjs = starting("tfjs", 20);
    reg.register(cpu.entry);
    reg.register(tfjs.entry);
    expect(await reg.resolve(AUTO, { mode: "fast" })).toBe(tfjs.backend);
    expect(tfjs.entry.factory).toHaveBeenCalledWith({ mode: "fast" });
    expect(cpu.entry.factory).not.toHaveBeenCalled();
  });

  it('"auto" skips backends that fail to start, in priority order', async () => {
    const reg = new BackendRegistry();
    const calls: string[] = [];
    const gpu = failing("gpu", 30, new Error("no WebGL"));
    const wasm = failing("wasm", 20, new BackendUnavailableError("wasm", "no SIMD", "update Node"));
    const cpu = starting("cpu", 10);
    gpu.entry.factory.mockImplementationOnce(async () => {
      calls.push("gpu");
      throw new Error("no WebGL");
    });
    wasm.entry.factory.mockImplementationOnce(async () => {
      calls.push("wasm");
      throw new BackendUnavailableError("wasm", "no SIMD", "update Node");
    });
    cpu.entry.factory.mockImplementationOnce(async () => {
      calls.push("cpu");
      return cpu.backend;
    });
    reg.register(cpu.entry);
    reg.register(gpu.entry);
    reg.register(wasm.entry);
    expect(await reg.resolve("auto")).toBe(cpu.backend);
    expect(calls).toEqual(["gpu", "wasm", "cpu"]);
  });

  it('"auto" with every backend failing lists each one\'s reason and fix', async () => {
    const reg = new BackendRegistry();
    reg.register(failing("cpu", 10, new Error("out of memory")).entry);
    reg.register(failing("gpu", 20, new BackendUnavailableError("gpu", "no WebGL", "install gl")).entry);
    const err = (await rejection(reg.resolve("auto"))) as BackendUnavailableError;
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.backend).toBe("auto");
    expect(err.reason).toBe("no backend starts (gpu: no WebGL; cpu: out of memory)");
    expect(err.fix).toContain("install gl");
    expect(err.fix).toContain("README");
    expect(err.message).not.toMatch(/[\r\n]/);
  });

  it('"auto" with nothing registered says so', async () => {
    const err = (await rejection(new BackendRegistry().resolve("auto"))) as BackendUnavailableError;
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.reason).toBe("no backend is registered");
  });
});

describe("probe", () => {
  it("reports which backends start, with mode or reason and fix, and closes each started one", async () => {
    const reg = new BackendRegistry();
    const cpu = starting("cpu", 10);
    const gpu = starting("gpu", 30, "webasm");
    reg.register(cpu.entry);
    reg.register(gpu.entry);
    reg.register(failing("tfjs", 20, new Error("tfjs-node is not installed")).entry);
    const results = await reg.probe({ verbose: true });
    expect(results).toEqual([
      { name: "gpu", ok: true, mode: "webasm" },
      {
        name: "tfjs",
        ok: false,
        reason: "tfjs-node is not installed",
        fix: "see the backend's README for what it needs",
      },
      { name: "cpu", ok: true, mode: "cpu" },
    ]);
    expect(gpu.close).toHaveBeenCalledTimes(1);
    expect(cpu.close).toHaveBeenCalledTimes(1);
    expect(gpu.entry.factory).toHaveBeenCalledWith({ verbose: true });
  });

  it("waits for an asynchronous close before probing the next backend", async () => {
    const reg = new BackendRegistry();
    const events: string[] = [];
    for (const [name, priority] of [
      ["a", 2],
      ["b", 1],
    ] as const) {
      reg.register({
        name,
        priority,
        description: name,
        factory: async () => {
          events.push(`start ${name}`);
          return Object.assign(new TestBackend({ name }), {
            close: async () => {
              await new Promise((r) => setTimeout(r, 5));
              events.push(`closed ${name}`);
            },
          });
        },
      });
    }
    await reg.probe();
    expect(events).toEqual(["start a", "closed a", "start b", "closed b"]);
  });

  it("copes with backends without close()", async () => {
    const reg = new BackendRegistry();
    reg.register({
      name: "bare",
      priority: 1,
      description: "no close",
      factory: async () => Object.assign(new TestBackend({ name: "bare" }), { close: undefined }),
    });
    expect(await reg.probe()).toEqual([{ name: "bare", ok: true, mode: "bare" }]);
  });

  it("reports each backend once even when close() throws", async () => {
    const reg = new BackendRegistry();
    reg.register({
      name: "leaky",
      priority: 1,
      description: "close fails",
      factory: async () =>
        Object.assign(new TestBackend({ name: "leaky" }), {
          close: () => {
            throw new Error("context lost");
          },
        }),
    });
    const results = await reg.probe();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ name: "leaky", ok: false });
    expect(results[0]).toMatchObject({ reason: "it starts, but close() failed: context lost" });
  });

  it("is empty for an empty registry", async () => {
    expect(await new BackendRegistry().probe()).toEqual([]);
  });
});

describe("probe with modes", () => {
  it("tries each mode, passing it as options.mode, and names the mode requested and the mode that ran", async () => {
    const registry = new BackendRegistry();
    const seen: unknown[] = [];
    registry.register({
      name: "multi",
      priority: 1,
      description: "",
      modes: ["fast", "slow"],
      factory: async (options) => {
        seen.push(options.mode);
        if (options.mode === "fast")
          throw new BackendUnavailableError("multi", "no fast path here", "use slow");
        return Object.assign(new TestBackend({ name: "multi" }), { mode: String(options.mode) }) as Backend;
      },
    });
    const results = await registry.probe();
    expect(seen).toEqual(["fast", "slow"]);
    expect(results).toEqual([
      { name: "multi", requested: "fast", ok: false, reason: "no fast path here", fix: "use slow" },
      { name: "multi", requested: "slow", ok: true, mode: "slow" },
    ]);
  });
});
