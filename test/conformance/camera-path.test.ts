import { mkdirSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { livekitIngressApi } from "../../reconciler/reconcile";
import { main } from "../../cli/main";
import { join } from "node:path";
import { CAMERA_PATH_BINARIES, CAMERA_PATH_ROOM as ROOM, CameraPath } from "../helpers/cameraPath";
import { PROJECT_DIR, TEST_SECRETS } from "../helpers/fixtures";
import { requireBinaries, tempDir } from "../helpers/servers";

const bins = requireBinaries(CAMERA_PATH_BINARIES);
const suite = bins.available ? describe : describe.skip;

const CAMERA = { width: 1280, height: 720, fps: 25 };
const OUTPUT = join(PROJECT_DIR, "test-output");

/** One line per measurement, so the CI log carries the figures. */
function report(line: string): void {
  process.stderr.write(`camera path: ${line}\n`);
}

suite("a camera's picture in a browser: RTSP camera → MediaMTX → Ingress (RTMP) → livekit-server → Chromium", () => {
  const path = new CameraPath({
    camera: CAMERA,
    // Two of the seed's layers at the camera's size: the Ingress encodes both, the viewer picks.
    layers: [
      { name: "high", width: 1280, height: 720, bitrateKbps: 1500, fps: 25 },
      { name: "low", width: 640, height: 360, bitrateKbps: 400, fps: 25 },
    ],
    // Two cores in all: one 720p camera with two layers costs about one core to re-encode.
    rtmpCpuCost: 1,
    udp: { start: 52300, end: 52400 },
    mediamtxWithoutCameras: true,
  });

  beforeAll(async () => {
    await path.start();
  }, 120_000);

  afterAll(async () => {
    await path.stop();
  }, 60_000);

  it("the reconciler creates the camera's RTMP ingress at once, and backs off the forward MediaMTX does not know yet", async () => {
    const end = Date.now() + 20_000;
    while (Date.now() < end && !/forward camera_\S+ failed/.test(path.reconciler.output())) await new Promise((r) => setTimeout(r, 200));
    const out = path.reconciler.output();
    expect(out).toMatch(new RegExp(`create ${ROOM} -> IN_\\w+`));
    expect(out).toMatch(new RegExp(`forward ${ROOM} failed: MediaMTX PATCH /v3/config/paths/patch/${ROOM}: 404 .*\\(retry in 5 s\\)`));
    report(`first forward, refused by MediaMTX without the path: ${/forward \S+ failed: ([^\n]*)/.exec(out)?.[1] ?? ""}`);
  }, 30_000);

  it("once MediaMTX runs the camera's config, the forward is set after the backoff and the tile plays in Chromium", async () => {
    await path.restartMediamtx();
    const end = Date.now() + 30_000;
    while (Date.now() < end && !new RegExp(`forward ${ROOM} to the Ingress`).test(path.reconciler.output()))
      await new Promise((r) => setTimeout(r, 200));
    expect(path.reconciler.output()).toMatch(new RegExp(`forward ${ROOM} to the Ingress`));
    await path.openGrid(45_000);
    await path.firstFrameAfter(Date.now() - 600_000, 45_000);
  }, 120_000);

  it("`lkstack cameras reconcile`, the operator's command, finds the camera in place from a stack file", async () => {
    const project = tempDir("project");
    const config = Object.fromEntries(Object.entries(path.input).map(([k, v]) => [`lkstack:${k}`, v]));
    writeFileSync(join(project, "Pulumi.e2e.yaml"), stringify({ config }));
    const out: string[] = [];
    const err: string[] = [];
    const key = TEST_SECRETS.apiKeys[0];
    const code = await main(
      [
        "cameras",
        "reconcile",
        "--stack",
        "e2e",
        "--project",
        project,
        "--url",
        path.wsUrl,
        "--mediamtx-url",
        path.mediamtxApiUrl,
        "--ingress-rtmp-url",
        path.ingressRtmpUrl,
      ],
      {
        out: (s) => out.push(s),
        err: (s) => err.push(s),
        env: { LIVEKIT_API_KEY: key.key, LIVEKIT_API_SECRET: key.secret, MEDIAMTX_API_PASSWORD: TEST_SECRETS.mediamtxApiPassword },
        cwd: project,
      },
    );
    expect([code, out, err]).toEqual([0, ["1 camera ingress(es) in place"], []]);
  }, 30_000);

  it("the low layer plays at the camera's rate at 640x360, the high layer at 1280x720; glass-to-glass latency measured", async () => {
    await path.tile().locator("select").selectOption("low");
    await path.firstFrameAfter(Date.now(), 20_000);
    await new Promise((r) => setTimeout(r, 3000));
    const low = await path.measure(6000);
    report(`low layer: ${low.widths.join("/")} px wide, ${low.fps.toFixed(1)} fps, glass-to-glass p50 ${low.p50} ms, p95 ${low.p95} ms`);
    expect(low.widths).toEqual([640]);
    expect(low.fps).toBeGreaterThanOrEqual(CAMERA.fps * 0.8);

    await path.tile().locator("select").selectOption("high");
    const end = Date.now() + 30_000;
    while (Date.now() < end && !(await path.stamps()).some((s) => s.width === 1280 && s.shownAt > end - 30_000))
      await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 3000));
    const high = await path.measure(6000);
    report(
      `high layer: ${high.widths.join("/")} px wide, ${high.fps.toFixed(1)} fps, glass-to-glass p50 ${high.p50} ms, p95 ${high.p95} ms ` +
        `(browser jitter buffer ${await path.tile().getAttribute("data-jitter-ms")} ms on average)`,
    );
    expect(high.widths).toEqual([1280]);
    expect(high.fps).toBeGreaterThanOrEqual(CAMERA.fps * 0.8);
    // Proof that the stamp is read and the clock is shared: a positive, finite latency. The figure
    // to plan with comes from `npm run bench` on a quiet machine (the suite shares 2 cores).
    expect(high.p50).toBeGreaterThan(0);
    expect(high.p95).toBeLessThan(15_000);
    mkdirSync(OUTPUT, { recursive: true });
    await path.page.screenshot({ path: join(OUTPUT, "camera-path-grid.png") });
  }, 90_000);

  /**
   * Injects a fault, then reports how long the tile was dark (no newly captured frames) until it
   * played again by itself. `from` moves the start to when a stopped camera had exited: frames it
   * captured while being stopped are not "back".
   */
  async function darkTime(name: string, fault: () => Promise<void>, limitMs: number, from?: () => number): Promise<number> {
    const started = Date.now();
    await fault();
    const at = from?.() ?? started;
    const back = await path.firstFrameAfter(at, limitMs);
    const dark = back - at;
    await new Promise((r) => setTimeout(r, 2000));
    const after = await path.measure(3000);
    report(
      `${name}: dark for ${(dark / 1000).toFixed(1)} s, then playing by itself (${after.fps.toFixed(1)} fps, glass-to-glass p50 ${after.p50} ms)`,
    );
    expect(after.fps).toBeGreaterThan(0);
    return dark;
  }

  it("the camera disappears for 30 s and comes back: the tile plays again by itself", async () => {
    let stopped = 0;
    const dark = await darkTime(
      "camera gone 30 s",
      async () => {
        await path.camera.daemon.stop();
        stopped = Date.now();
        await new Promise((r) => setTimeout(r, 30_000));
        await path.startCamera();
      },
      60_000,
      () => stopped,
    );
    expect(dark).toBeGreaterThanOrEqual(30_000);
  }, 120_000);

  it("MediaMTX restarts (losing its API-set forward): the reconciler sets it again and the tile plays", async () => {
    const before = (path.reconciler.output().match(new RegExp(`forward ${ROOM} to the Ingress`, "g")) ?? []).length;
    await darkTime("MediaMTX restart", () => path.restartMediamtx(), 60_000);
    expect((path.reconciler.output().match(new RegExp(`forward ${ROOM} to the Ingress`, "g")) ?? []).length).toBe(before + 1);
  }, 90_000);

  it("the Ingress restarts: MediaMTX's forward reconnects with the same stream key and the tile plays", async () => {
    await darkTime("Ingress restart", () => path.restartIngress(), 60_000);
  }, 90_000);

  it("Valkey restarts: the SFU, the Ingress and the ingress definition survive and the tile plays", async () => {
    await darkTime("Valkey restart", () => path.restartValkey(), 60_000);
    // Nothing was re-created: the definition (and its stream key) outlived the restart.
    expect(path.reconciler.output().match(new RegExp(`create ${ROOM}`, "g"))).toHaveLength(1);
  }, 90_000);

  it("no secret reaches a log: API secret, camera password and MediaMTX API password stay out of every daemon's output", async () => {
    const logs = [path.reconciler, path.ingress, path.mediamtx, path.livekit].map((d) => d.output()).join("\n");
    expect(logs.length).toBeGreaterThan(1000);
    for (const secret of [TEST_SECRETS.apiKeys[0].secret, TEST_SECRETS.cameraCredentials.lab.password, TEST_SECRETS.mediamtxApiPassword])
      expect(logs).not.toContain(secret);
    // The stream key: never in the reconciler's lines; LiveKit Ingress v1.5.0 logs it (upstream),
    // which is why the README calls its logs secret. If this starts failing, upstream stopped.
    const key = TEST_SECRETS.apiKeys[0];
    const [ingress] = await livekitIngressApi(path.wsUrl, { apiKey: key.key, apiSecret: key.secret }).list();
    expect(ingress.streamKey.length).toBeGreaterThan(8);
    expect(path.reconciler.output()).not.toContain(ingress.streamKey);
    expect(path.ingress.output()).toContain(ingress.streamKey);
  });
});
