import { spawn } from "node:child_process";
import { readdir, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cacheDir } from "../src/cache-dir.js";
import { DATA_FILES } from "../src/constants.js";
import type { DownloadProgress } from "../src/download.js";
import { DatasetError } from "../src/errors.js";
import { loadFashionMnist } from "../src/load.js";
import { type LocateOptions, locateDataset } from "../src/locate.js";
import { md5, tempDir, tinyDataset } from "./fixtures.js";

const files = tinyDataset(7, 4);
const checksums = Object.fromEntries([...files].map(([name, bytes]) => [name, md5(bytes)]));
const requests: string[] = [];

/** Connections held open by /stall/, closed when the server stops. */
const stalled = new Set<import("node:http").ServerResponse>();

/**
 * Serves the tiny data set under /good/; under /drop/ it promises the full length, sends half
 * and cuts the connection; under /stall/ it sends half and then nothing. Anything else is a 404.
 */
function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const [, mode, name] = (req.url ?? "").split("/");
    const body = name === undefined ? undefined : files.get(name);
    if (body === undefined || (mode !== "good" && mode !== "drop" && mode !== "stall")) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
    if (mode === "good") {
      res.end(body);
    } else if (mode === "stall") {
      stalled.add(res);
      res.write(body.subarray(0, body.length >> 1));
    } else {
      res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    }
  });
  // Bounded: nothing a test does should keep a socket open for long.
  server.requestTimeout = 30_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 100;
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** A port on 127.0.0.1 that nothing listens on: bind one, then release it. */
function closedPort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve) =>
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    }),
  );
}

async function listing(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

describe("download into the cache", () => {
  let server: Server;
  let base = "";
  let root = "";
  let cleanup = async () => {};
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await serve();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of stalled) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
    env = { XDG_CACHE_HOME: join(root, "xdg"), HOME: join(root, "home") };
    requests.length = 0;
  });
  afterEach(() => cleanup());

  const opts = (mirror: string, extra: Partial<LocateOptions> = {}): LocateOptions => ({
    env,
    systemDir: join(root, "no-system"),
    mirror,
    checksums,
    ...extra,
  });

  it("downloads the four files into the cache, reporting progress, then finds them there", async () => {
    const progress: DownloadProgress[] = [];
    const found = await locateDataset(opts(`${base}/good`, { onProgress: (p) => progress.push(p) }));
    const cache = cacheDir(env);
    expect(found).toEqual({ dir: cache, source: "download" });
    expect((await listing(cache)).sort()).toEqual([...files.keys()].sort());
    for (const [name, bytes] of files) {
      expect(new Uint8Array(await readFile(join(cache, name)))).toEqual(bytes);
      const mine = progress.filter((p) => p.file === name);
      expect(mine[0]).toEqual({ file: name, received: 0, total: bytes.length });
      expect(mine.at(-1)).toEqual({ file: name, received: bytes.length, total: bytes.length });
    }
    expect(requests).toHaveLength(4);

    const data = await loadFashionMnist(opts(`${base}/good/`));
    expect(data.source).toBe("cache");
    expect(data.train.count).toBe(7);
    expect(data.test.count).toBe(4);
    expect(requests).toHaveLength(4);
  });

  it("fetches only the files a half-filled cache lacks", async () => {
    await locateDataset(opts(`${base}/good/`));
    await rm(join(cacheDir(env), DATA_FILES.testImages));
    requests.length = 0;
    expect((await locateDataset(opts(`${base}/good/`))).source).toBe("download");
    expect(requests).toEqual([`/good/${DATA_FILES.testImages}`]);
  });

  it("on a checksum mismatch deletes the temporary file and names the file and both checksums", async () => {
    const wrong = "0".repeat(32);
    const bad = { ...checksums, [DATA_FILES.trainLabels]: wrong };
    const e = await locateDataset(opts(`${base}/good/`, { checksums: bad })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatasetError);
    const { code, file, message } = e as DatasetError;
    expect(code).toBe("E_CHECKSUM");
    expect(file).toBe(DATA_FILES.trainLabels);
    expect(message).toContain(DATA_FILES.trainLabels);
    expect(message).toContain(
      `expected md5 ${wrong}, got ${checksums[DATA_FILES.trainLabels]}; the download was deleted`,
    );
    const left = await listing(cacheDir(env));
    expect(left).not.toContain(DATA_FILES.trainLabels);
    expect(left.filter((f) => f.endsWith(".part"))).toEqual([]);
  });

  it("leaves no partial file when the connection drops mid-body", async () => {
    const e = await locateDataset(opts(`${base}/drop/`)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as DatasetError).code).toBe("E_NO_DATA");
    expect(await listing(cacheDir(env))).toEqual([]);
  });

  it("an abort mid-body (Ctrl-C in the CLI) rejects with the abort reason and leaves no file", async () => {
    const controller = new AbortController();
    const reason = new Error("interrupted");
    const pending = locateDataset(
      opts(`${base}/stall/`, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.received > 0) controller.abort(reason);
        },
      }),
    ).catch((x: unknown) => x);
    expect(await pending).toBe(reason);
    expect(await listing(cacheDir(env))).toEqual([]);
  });

  it("a process killed mid-download leaves no file under a final name; the next run cleans up and completes", {
    timeout: 30_000,
  }, async () => {
    // The built package, run the way a user's process would; it prints a line once bytes arrive.
    const dist = new URL("../dist/index.js", import.meta.url).href;
    const script = `
      import { locateDataset } from ${JSON.stringify(dist)};
      await locateDataset({
        env: ${JSON.stringify(env)},
        systemDir: ${JSON.stringify(join(root, "no-system"))},
        mirror: ${JSON.stringify(`${base}/stall/`)},
        checksums: ${JSON.stringify(checksums)},
        onProgress: (p) => { if (p.received > 0) console.log("receiving " + p.file); },
      });`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("receiving")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`the downloader exited (${code}) before receiving`)));
    });
    const exited = new Promise((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const cache = cacheDir(env);
    const left = await listing(cache);
    expect(left.filter((f) => files.has(f))).toEqual([]);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(
      new RegExp(`^\\.${DATA_FILES.trainImages.replaceAll(".", "\\.")}\\.${child.pid}\\.[0-9a-f]{8}\\.part$`),
    );

    expect((await locateDataset(opts(`${base}/good/`))).source).toBe("download");
    expect((await listing(cache)).sort()).toEqual([...files.keys()].sort());
  });

  it("turns an HTTP error into the ways-to-get-the-data error, with the status", async () => {
    const e = await locateDataset(opts(`${base}/missing/`)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as DatasetError).code).toBe("E_NO_DATA");
    expect((e as DatasetError).message).toContain("HTTP 404");
  });

  it("with the mirror refusing connections, throws one single-line error listing the ways", async () => {
    const port = await closedPort();
    const e = await locateDataset(opts(`http://127.0.0.1:${port}/`)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatasetError);
    const { code, message } = e as DatasetError;
    expect(code).toBe("E_NO_DATA");
    expect(message).not.toMatch(/[\r\n]/);
    expect(message).toContain("ECONNREFUSED");
    for (const way of [
      "--data-dir DIR",
      "TENSORPLUG_DATA_DIR",
      "apt-get install dataset-fashion-mnist",
      "(Debian/Ubuntu)",
      cacheDir(env),
    ]) {
      expect(message).toContain(way);
    }
    expect(await listing(cacheDir(env))).toEqual([]);
  });
});
