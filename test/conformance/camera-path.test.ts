import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "node:http";
import { chromium, type Browser, type Page } from "playwright-core";
import { startViewer } from "../../cli/viewer";
import { reconcilerCode } from "../../components/reconcilerCode";
import { parseStackConfig, SECRET_ENV, type StackConfig } from "../../schema";
import { FILE_NAMES, RECONCILER_ENV, renderStack } from "../../templates";
import { startIngress, startMediamtx, startTestCamera, type TestCamera } from "../helpers/cameraPath";
import { minimal, PROJECT_DIR, TEST_SECRETS } from "../helpers/fixtures";
import { startLivekit, startRedis } from "../helpers/livekitStack";
import { BINARIES, freePorts, requireBinaries, startDaemon, tempDir, waitForTcp, type Daemon } from "../helpers/servers";
import { capturedAfter, frameRate, installStampReader, latencyMs, percentile, type StampSample } from "../helpers/stamp";

const bins = requireBinaries([
  "livekitServer",
  "redisServer",
  "chromium",
  "ingress",
  "mediamtx",
  "python3",
  "rtspServerTypelib",
  "unshare",
]);
const suite = bins.available ? describe : describe.skip;

const CAMERA_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const ROOM = `camera_${CAMERA_ID}`;
const CAMERA = { width: 1280, height: 720, fps: 25 };
/** Two of the seed's layers at the camera's size: the Ingress encodes both, the viewer picks. */
const LAYERS = [
  { name: "high", width: 1280, height: 720, bitrateKbps: 1500, fps: 25 },
  { name: "low", width: 640, height: 360, bitrateKbps: 400, fps: 25 },
] as const;
const OUTPUT = join(PROJECT_DIR, "test-output");

/** One line per measurement, so the CI log carries the figures. */
function report(line: string): void {
  process.stderr.write(`camera path: ${line}\n`);
}

suite("a camera's picture in a browser: RTSP camera → MediaMTX → Ingress (RTMP) → livekit-server → Chromium", () => {
  let cfg: StackConfig;
  let redis: { daemon: Daemon; port: number; dir: string };
  let livekit: Daemon;
  let wsUrl = "";
  let camera: TestCamera;
  let cameraPort = 0;
  let mediamtx: Daemon;
  let ingress: Daemon & { cgroup: string };
  let reconciler: Daemon;
  let viewer: { server: Server; url: string };
  let browser: Browser;
  let page: Page;

  const stamps = async (): Promise<StampSample[]> => page.evaluate(() => (globalThis as unknown as { __stamps: StampSample[] }).__stamps);
  const tile = () => page.locator(`section.tile[data-room="${ROOM}"]`);

  /**
   * Waits until frames *captured* after `since` are shown (frames buffered before a fault do not
   * count); returns when the first one was shown.
   */
  async function firstFrameAfter(since: number, timeoutMs: number): Promise<number> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const fresh = (await stamps()).filter((s) => capturedAfter(s, since));
      // Two distinct frame numbers: the picture moves again (not one frozen frame re-shown).
      if (new Set(fresh.map((s) => s.counter)).size >= 2) return fresh[0].shownAt;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `no new frames within ${timeoutMs} ms; reconciler:\n${reconciler.output().slice(-2000)}\ningress:\n${ingress.output().slice(-3000)}`,
    );
  }

  /** Frame rate, resolution and glass-to-glass latency over the next `ms`. */
  async function measure(ms: number): Promise<{ fps: number; widths: number[]; p50: number; p95: number }> {
    const from = Date.now();
    await new Promise((r) => setTimeout(r, ms));
    const to = Date.now();
    const window = (await stamps()).filter((s) => s.shownAt >= from && s.shownAt < to);
    const latencies = window.map(latencyMs).filter((l) => l < 60_000);
    return {
      fps: frameRate(window, from, to),
      widths: [...new Set(window.map((s) => s.width))],
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
    };
  }

  beforeAll(async () => {
    const [http, rtcTcp, metrics, rtsp, api, mtxMetrics, health, imetrics, relay, rtmp, camPort] = await freePorts(11);
    cameraPort = camPort;
    const cameraCreds = TEST_SECRETS.cameraCredentials.lab;
    cfg = parseStackConfig(
      minimal("docker", {
        sfu: { nodeIp: { strategy: "static", address: "127.0.0.1" }, ports: { http, rtcTcp, metrics, udp: { start: 52300, end: 52400 } } },
        turn: { domain: "turn.example.test", allowedPeers: ["127.0.0.1/32"] },
        simulcast: { layers: LAYERS.map((l) => ({ ...l })) },
        // Two cores in all: one 720p camera with two layers costs about one core to re-encode.
        ingress: { ports: { health, metrics: imetrics, httpRelay: relay, rtmp }, rtmpCpuCost: 1 },
        mediamtx: { ports: { rtsp, api, metrics: mtxMetrics } },
        cameras: [{ id: CAMERA_ID, name: "junction-north", rtsp: `rtsp://127.0.0.1:${camPort}/cam`, credentials: "lab" }],
      }),
    );
    redis = await startRedis(cfg);
    livekit = startLivekit(cfg, redis.port).daemon;
    await waitForTcp(http, livekit);
    wsUrl = `ws://127.0.0.1:${http}`;
    camera = await startTestCamera({ port: cameraPort, ...CAMERA, credentials: cameraCreds });
    // Mid-rollout: MediaMTX still runs a config without this camera when the reconciler starts.
    mediamtx = await startMediamtx({ ...cfg, cameras: [] });
    const dir = tempDir("reconciler");
    writeFileSync(join(dir, "reconciler.js"), reconcilerCode());
    writeFileSync(join(dir, FILE_NAMES.stack), renderStack(cfg, TEST_SECRETS).cameras?.publicFiles[FILE_NAMES.stack] ?? "");
    const [reconcilerHealth] = await freePorts(1);
    reconciler = startDaemon(process.execPath, [join(dir, "reconciler.js")], {
      env: {
        PATH: process.env.PATH,
        [RECONCILER_ENV.livekitUrl]: wsUrl,
        [RECONCILER_ENV.mediamtxApiUrl]: `http://127.0.0.1:${api}`,
        [RECONCILER_ENV.ingressRtmpUrl]: `rtmp://127.0.0.1:${rtmp}`,
        [RECONCILER_ENV.stackJson]: join(dir, FILE_NAMES.stack),
        [RECONCILER_ENV.healthPort]: String(reconcilerHealth),
        [RECONCILER_ENV.periodSeconds]: "2",
        [SECRET_ENV.apiKey]: TEST_SECRETS.apiKeys[0].key,
        [SECRET_ENV.apiSecret]: TEST_SECRETS.apiKeys[0].secret,
        [SECRET_ENV.mediamtxApiPassword]: TEST_SECRETS.mediamtxApiPassword,
      },
    });
    await waitForTcp(reconcilerHealth, reconciler);
    ingress = await startIngress(cfg, redis.port, wsUrl);
    viewer = await startViewer({
      port: 0,
      wsUrl,
      creds: { apiKey: TEST_SECRETS.apiKeys[0].key, apiSecret: TEST_SECRETS.apiKeys[0].secret, source: "test" },
    });
    browser = await chromium.launch({
      executablePath: BINARIES.chromium,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => viewer?.server.close(r));
    await reconciler?.stop();
    await ingress?.stop();
    await mediamtx?.stop();
    await camera?.daemon.stop();
    await livekit?.stop();
    await redis?.daemon.stop();
  }, 60_000);

  it("the reconciler creates the camera's RTMP ingress at once, and backs off the forward MediaMTX does not know yet", async () => {
    const end = Date.now() + 20_000;
    while (Date.now() < end && !/forward camera_\S+ failed/.test(reconciler.output())) await new Promise((r) => setTimeout(r, 200));
    const out = reconciler.output();
    expect(out).toMatch(new RegExp(`create ${ROOM} -> IN_\\w+`));
    expect(out).toMatch(new RegExp(`forward ${ROOM} failed: MediaMTX PATCH /v3/config/paths/patch/${ROOM}: 40\\d .*\\(retry in 5 s\\)`));
    report(`first forward refused by MediaMTX without the path: ${/forward \S+ failed: ([^\n]*)/.exec(out)?.[1] ?? ""}`);
  }, 30_000);

  it("once MediaMTX runs the camera's config, the forward is set after the backoff and the tile plays in Chromium", async () => {
    await mediamtx.stop();
    mediamtx = await startMediamtx(cfg);
    const end = Date.now() + 30_000;
    while (Date.now() < end && !new RegExp(`forward ${ROOM} to the Ingress`).test(reconciler.output()))
      await new Promise((r) => setTimeout(r, 200));
    expect(reconciler.output()).toMatch(new RegExp(`waiting \\d+ s before retrying the forward of ${ROOM}|forward ${ROOM} to the Ingress`));
    expect(reconciler.output()).toMatch(new RegExp(`forward ${ROOM} to the Ingress`));
    // The room exists once the Ingress publishes; then the grid lists it.
    const ready = Date.now() + 45_000;
    for (;;) {
      await page.goto(viewer.url);
      if (await tile().count()) break;
      if (Date.now() > ready) throw new Error(`no camera room; ingress:\n${ingress.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    await page.evaluate(installStampReader, ROOM);
    await firstFrameAfter(Date.now() - 600_000, 45_000);
  }, 120_000);

  it("the low layer plays at the camera's rate at 640x360, the high layer at 1280x720; glass-to-glass latency measured", async () => {
    await tile().locator("select").selectOption("low");
    await firstFrameAfter(Date.now(), 20_000);
    await new Promise((r) => setTimeout(r, 3000));
    const low = await measure(6000);
    report(`low layer: ${low.widths.join("/")} px wide, ${low.fps.toFixed(1)} fps, glass-to-glass p50 ${low.p50} ms, p95 ${low.p95} ms`);
    expect(low.widths).toEqual([640]);
    expect(low.fps).toBeGreaterThanOrEqual(CAMERA.fps * 0.8);

    await tile().locator("select").selectOption("high");
    const end = Date.now() + 30_000;
    while (Date.now() < end && !(await stamps()).some((s) => s.width === 1280 && s.shownAt > end - 30_000))
      await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 3000));
    const high = await measure(6000);
    report(
      `high layer: ${high.widths.join("/")} px wide, ${high.fps.toFixed(1)} fps, glass-to-glass p50 ${high.p50} ms, p95 ${high.p95} ms`,
    );
    expect(high.widths).toEqual([1280]);
    expect(high.fps).toBeGreaterThanOrEqual(CAMERA.fps * 0.8);
    // The seed's target is under 800 ms; a re-encode on a shared 2-core box is slower, so bound the tail loosely.
    expect(high.p50).toBeLessThan(1500);
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, "camera-path-grid.png") });
  }, 90_000);

  /** Injects a fault, then reports how long the tile was dark (no new frames) until it played again by itself. */
  async function darkTime(name: string, fault: () => Promise<void>, limitMs: number): Promise<number> {
    const at = Date.now();
    await fault();
    const back = await firstFrameAfter(at, limitMs);
    const dark = back - at;
    await new Promise((r) => setTimeout(r, 2000));
    const after = await measure(3000);
    report(
      `${name}: dark for ${(dark / 1000).toFixed(1)} s, then playing again with nobody acting (${after.fps.toFixed(1)} fps, glass-to-glass p50 ${after.p50} ms)`,
    );
    return dark;
  }

  it("the camera disappears for 30 s and comes back: the tile plays again by itself", async () => {
    const dark = await darkTime(
      "camera gone 30 s",
      async () => {
        await camera.daemon.stop();
        await new Promise((r) => setTimeout(r, 30_000));
        camera = await startTestCamera({ port: cameraPort, ...CAMERA, credentials: TEST_SECRETS.cameraCredentials.lab });
      },
      60_000,
    );
    expect(dark).toBeGreaterThanOrEqual(30_000);
  }, 120_000);

  it("MediaMTX restarts (losing its API-set forward): the reconciler sets it again and the tile plays", async () => {
    await darkTime(
      "MediaMTX restart",
      async () => {
        await mediamtx.stop();
        mediamtx = await startMediamtx(cfg);
      },
      60_000,
    );
  }, 90_000);

  it("the Ingress restarts: MediaMTX's forward reconnects with the same stream key and the tile plays", async () => {
    await darkTime(
      "Ingress restart",
      async () => {
        await ingress.stop();
        ingress = await startIngress(cfg, redis.port, wsUrl);
      },
      60_000,
    );
  }, 90_000);

  it("Valkey restarts: the SFU, the Ingress and the ingress definition survive and the tile plays", async () => {
    await darkTime(
      "Valkey restart",
      async () => {
        await redis.daemon.stop();
        redis = await startRedis(cfg, TEST_SECRETS, redis);
      },
      60_000,
    );
    // Nothing was re-created: the definition (and its stream key) outlived the restart.
    expect(reconciler.output().match(new RegExp(`create ${ROOM}`, "g"))).toHaveLength(1);
  }, 90_000);

  it("no secret reaches a log: stream key, API secret and camera password stay out of every daemon's output", async () => {
    const logs = [reconciler, ingress, mediamtx, livekit].map((d) => d.output()).join("\n");
    for (const secret of [TEST_SECRETS.apiKeys[0].secret, TEST_SECRETS.cameraCredentials.lab.password, TEST_SECRETS.mediamtxApiPassword])
      expect(logs).not.toContain(secret);
  });
});
