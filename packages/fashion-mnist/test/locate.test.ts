import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheDir } from "../src/cache-dir.js";
import { DATA_FILES } from "../src/constants.js";
import { DatasetError } from "../src/errors.js";
import { loadFashionMnist } from "../src/load.js";
import { locateDataset } from "../src/locate.js";
import { encodeIdxLabels, gz, tempDir, tinyDataset, writeFiles } from "./fixtures.js";

describe("cacheDir", () => {
  it("prefers an absolute XDG_CACHE_HOME", () => {
    expect(cacheDir({ XDG_CACHE_HOME: "/x/cache", HOME: "/home/u" })).toBe(
      "/x/cache/tensorplug/fashion-mnist",
    );
  });

  it("falls back to HOME/.cache when XDG_CACHE_HOME is unset, empty or relative", () => {
    for (const xdg of [undefined, "", "rel/cache"]) {
      expect(cacheDir({ XDG_CACHE_HOME: xdg, HOME: "/home/u" })).toBe(
        "/home/u/.cache/tensorplug/fashion-mnist",
      );
    }
  });
});

describe("locateDataset", () => {
  let root = "";
  let cleanup = async () => {};
  let dirs: { flag: string; env: string; xdg: string; cache: string; system: string };

  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
    const xdg = join(root, "xdg");
    dirs = {
      flag: join(root, "flag"),
      env: join(root, "env"),
      xdg,
      cache: cacheDir({ XDG_CACHE_HOME: xdg }),
      system: join(root, "system"),
    };
    for (const dir of [dirs.flag, dirs.env, dirs.cache, dirs.system]) {
      await mkdir(dir, { recursive: true });
      await writeFiles(dir, tinyDataset());
    }
  });
  afterEach(() => cleanup());

  const opts = () => ({
    dataDir: dirs.flag,
    env: { TENSORPLUG_DATA_DIR: dirs.env, XDG_CACHE_HOME: dirs.xdg, HOME: join(root, "home") },
    systemDir: dirs.system,
    download: false,
  });

  it("looks at flag, then env, then cache, then system", async () => {
    expect(await locateDataset(opts())).toEqual({ dir: dirs.flag, source: "flag" });
    expect(await locateDataset({ ...opts(), dataDir: undefined })).toEqual({ dir: dirs.env, source: "env" });
    const noEnv = { ...opts(), dataDir: undefined, env: { ...opts().env, TENSORPLUG_DATA_DIR: undefined } };
    expect(await locateDataset(noEnv)).toEqual({ dir: dirs.cache, source: "cache" });
    await rm(join(dirs.cache, DATA_FILES.testLabels));
    expect(await locateDataset(noEnv)).toEqual({ dir: dirs.system, source: "system" });
  });

  it("uses HOME/.cache when XDG_CACHE_HOME is unset", async () => {
    const home = join(root, "home");
    const cache = join(home, ".cache", "tensorplug", "fashion-mnist");
    await mkdir(cache, { recursive: true });
    await writeFiles(cache, tinyDataset());
    const found = await locateDataset({ env: { HOME: home }, systemDir: dirs.system, download: false });
    expect(found).toEqual({ dir: cache, source: "cache" });
  });

  it("fails on an incomplete --data-dir instead of falling through, naming what is missing", async () => {
    await rm(join(dirs.flag, DATA_FILES.trainImages));
    await rm(join(dirs.flag, DATA_FILES.testLabels));
    const error = await locateDataset(opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    const e = error as DatasetError;
    expect(e.code).toBe("E_MISSING_FILES");
    expect(e.message).toContain(
      `--data-dir ${dirs.flag} is missing ${DATA_FILES.trainImages}, ${DATA_FILES.testLabels} (`,
    );
    expect(e.message).not.toContain(`missing ${DATA_FILES.trainLabels}`);
  });

  it("fails on an incomplete or nonexistent TENSORPLUG_DATA_DIR", async () => {
    const missing = join(root, "does-not-exist");
    const o = { ...opts(), dataDir: undefined, env: { ...opts().env, TENSORPLUG_DATA_DIR: missing } };
    const e = await locateDataset(o).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as DatasetError).message).toContain(`TENSORPLUG_DATA_DIR ${missing} is missing`);
  });

  it("with nothing found and download disabled, lists the ways to get the data", async () => {
    const empty = join(root, "empty");
    const e = await locateDataset({
      env: { XDG_CACHE_HOME: empty },
      systemDir: empty,
      download: false,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatasetError);
    const { code, message } = e as DatasetError;
    expect(code).toBe("E_NO_DATA");
    expect(message).not.toContain("\n");
    for (const way of [
      "--data-dir DIR",
      "TENSORPLUG_DATA_DIR",
      "apt-get install dataset-fashion-mnist",
      cacheDir({ XDG_CACHE_HOME: empty }),
    ]) {
      expect(message).toContain(way);
    }
  });
});

describe("loadFashionMnist", () => {
  let dir = "";
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeFiles(dir, tinyDataset(5, 3));
  });
  afterEach(() => cleanup());

  it("loads both splits from the located directory", async () => {
    const data = await loadFashionMnist({ dataDir: dir, download: false });
    expect(data.source).toBe("flag");
    expect(data.dir).toBe(dir);
    expect(data.train.count).toBe(5);
    expect(data.train.images.length).toBe(5 * 784);
    expect([...data.train.labels]).toEqual([0, 1, 2, 3, 4]);
    expect(data.test.count).toBe(3);
  });

  it("rejects splits whose image and label counts disagree, naming both files and counts", async () => {
    await writeFiles(dir, new Map([[DATA_FILES.testLabels, gz(encodeIdxLabels(Uint8Array.of(1, 2)))]]));
    const e = await loadFashionMnist({ dataDir: dir, download: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as DatasetError).code).toBe("E_COUNT_MISMATCH");
    expect((e as DatasetError).message).toBe(
      `${join(dir, DATA_FILES.testImages)} has 3 images but ${join(dir, DATA_FILES.testLabels)} has 2 labels`,
    );
  });

  it("reports a corrupt file by its full path", async () => {
    await writeFiles(dir, new Map([[DATA_FILES.trainLabels, new Uint8Array(0)]]));
    const e = await loadFashionMnist({ dataDir: dir, download: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as DatasetError).file).toBe(join(dir, DATA_FILES.trainLabels));
  });
});
