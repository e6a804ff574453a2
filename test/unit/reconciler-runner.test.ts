import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, get, type Server } from "node:http";
import { join } from "node:path";
import { SECRET_ENV } from "../../schema";
import { desiredIngressFiles, desiredIngresses, RECONCILER_ENV } from "../../templates";
import { passIsFresh, readDesiredIngresses, runReconciler } from "../../reconciler/runner";
import { stackFromFile } from "../helpers/fixtures";
import { freePorts, tempDir } from "../helpers/servers";

// The in-stack entry point of the camera reconciler: what it reads, what it refuses, how it loops,
// reports health and stops. A loopback server stands in for LiveKit's Ingress API and MediaMTX's.

const cfg = stackFromFile("dev");

function camerasDir(): string {
  const dir = tempDir("reconciler-runner");
  for (const [name, body] of Object.entries(desiredIngressFiles(cfg))) writeFileSync(join(dir, name), body);
  return dir;
}

describe("readDesiredIngresses", () => {
  it("reads every cameras-NNN.json in name order and nothing else a projected volume holds", () => {
    const dir = camerasDir();
    // What a ConfigMap volume also has: the ..data link directory and a timestamped one.
    mkdirSync(join(dir, "..data"));
    mkdirSync(join(dir, "..2026_12_02_06_00_00.1"));
    writeFileSync(join(dir, "notes.txt"), "not a chunk");
    expect(readDesiredIngresses(dir)).toEqual(desiredIngresses(cfg));
  });

  it("refuses a directory with no chunk, naming it", () => {
    const dir = tempDir("reconciler-empty");
    writeFileSync(join(dir, "cameras.json"), "[]");
    expect(() => readDesiredIngresses(dir)).toThrow(`${dir} holds no cameras-NNN.json`);
  });
});

describe("passIsFresh: the health check's stall limit", () => {
  it("is three periods plus 30 s, exclusive", () => {
    const period = 15_000;
    const limit = 3 * period + 30_000;
    expect(passIsFresh(0, limit - 1, period)).toBe(true);
    expect(passIsFresh(0, limit, period)).toBe(false);
    // It follows the period: a 60 s period allows 210 s.
    expect(passIsFresh(0, 209_999, 60_000)).toBe(true);
    expect(passIsFresh(0, 210_000, 60_000)).toBe(false);
  });
});

describe("runReconciler", () => {
  let api: Server;
  let apiUrl = "";
  const calls: string[] = [];

  beforeAll(async () => {
    const [port] = await freePorts(1);
    // Every call refused: each pass then reports "cannot list ingresses" and the loop goes on.
    api = createServer((req, res) => {
      calls.push(`${req.method} ${req.url}`);
      res.writeHead(503, { "content-type": "application/json", connection: "close" });
      res.end("{}");
    });
    await new Promise<void>((r) => api.listen(port, "127.0.0.1", r));
    apiUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(() => new Promise((r) => api.close(r)));

  const env = (health: number, over: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
    [RECONCILER_ENV.camerasDir]: camerasDir(),
    [RECONCILER_ENV.livekitUrl]: apiUrl,
    [RECONCILER_ENV.mediamtxApiUrl]: apiUrl,
    [RECONCILER_ENV.ingressRtmpUrl]: "rtmp://127.0.0.1:1935/x",
    [RECONCILER_ENV.periodSeconds]: "0.1",
    [RECONCILER_ENV.healthPort]: String(health),
    [SECRET_ENV.apiKey]: "APIrunnerTest01",
    [SECRET_ENV.apiSecret]: "runner-test-secret-0123456789abcdefghij",
    [SECRET_ENV.mediamtxApiPassword]: "runner-test-mediamtx-password",
    ...over,
  });

  const status = (port: number) =>
    new Promise<{ code: number; type?: string; body: string }>((resolve, reject) => {
      get({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ code: res.statusCode ?? 0, type: res.headers["content-type"], body }));
      }).on("error", reject);
    });

  for (const name of [
    RECONCILER_ENV.livekitUrl,
    RECONCILER_ENV.mediamtxApiUrl,
    RECONCILER_ENV.ingressRtmpUrl,
    SECRET_ENV.apiKey,
    SECRET_ENV.apiSecret,
    SECRET_ENV.mediamtxApiPassword,
  ])
    it(`refuses to start without ${name}, naming it`, async () => {
      const [health] = await freePorts(1);
      await expect(runReconciler(env(health, { [name]: undefined }), new AbortController().signal)).rejects.toThrow(`${name} is not set`);
      await expect(runReconciler(env(health, { [name]: "" }), new AbortController().signal)).rejects.toThrow(`${name} is not set`);
    });

  it("passes every period, logs each line with a timestamp, is healthy, and stops and closes on abort", async () => {
    const [health] = await freePorts(1);
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const stop = new AbortController();
    calls.length = 0;
    const started = Date.now();
    const running = runReconciler(env(health), stop.signal);
    let elapsed = 0;
    try {
      const deadline = Date.now() + 10_000;
      while (lines.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await status(health)).toEqual({ code: 200, type: "text/plain", body: "ok" });
    } finally {
      stop.abort();
      await running;
      elapsed = Date.now() - started;
      write.mockRestore();
    }
    // A pass every 0.1 s: at least three, each asking LiveKit for its ingresses first, and no more
    // than the period allows (the period is seconds, not milliseconds).
    const lists = calls.filter((c) => c === "POST /twirp/livekit.Ingress/ListIngress");
    expect(lists.length).toBeGreaterThanOrEqual(3);
    expect(lists.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z cannot list ingresses: .*\n$/);
    // Stopped: no further pass, and the health port is closed.
    const after = calls.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(calls.length).toBe(after);
    await expect(status(health)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("reports 503 stalled once passes stop finishing", async () => {
    const [health] = await freePorts(1);
    const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    const stop = new AbortController();
    // A 60 s period: one pass, then a long wait in which the clock is moved past the stall limit.
    const running = runReconciler(env(health, { [RECONCILER_ENV.periodSeconds]: "60" }), stop.signal);
    try {
      const deadline = Date.now() + 10_000;
      while (write.mock.calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await status(health)).toMatchObject({ code: 200, body: "ok" });
      const now = Date.now();
      const clock = jest.spyOn(Date, "now").mockReturnValue(now + 3 * 60_000 + 30_000);
      try {
        expect(await status(health)).toEqual({ code: 503, type: "text/plain", body: "stalled" });
      } finally {
        clock.mockRestore();
      }
    } finally {
      stop.abort();
      await running;
      write.mockRestore();
    }
  });
});
