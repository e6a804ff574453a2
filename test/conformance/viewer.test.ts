import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "node:http";
import {
  dispose,
  LocalVideoTrack,
  Room,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
} from "@livekit/rtc-node";
import { AccessToken } from "livekit-server-sdk";
import type { Browser, Page } from "playwright-core";
import { startViewer } from "../../cli/viewer";
import { TEST_SECRETS, PROJECT_DIR } from "../helpers/fixtures";
import { startLocalStack } from "../helpers/livekitStack";
import { launchChromium, requireBinaries, type Daemon } from "../helpers/servers";

const bins = requireBinaries(["livekitServer", "redisServer", "chromium"]);
const suite = bins.available ? describe : describe.skip;

const ROOM = "camera_550e8400-e29b-41d4-a716-446655440000";
const W = 1280;
const H = 720;
const OUTPUT = join(PROJECT_DIR, "test-output");

/** A synthetic 720p camera: a bright bar sweeping over a gradient, so the encoder has work to do. */
function frame(n: number): VideoFrame {
  const ySize = W * H;
  const data = new Uint8Array(ySize * 1.5);
  for (let y = 0; y < H; y++) data.fill(16 + Math.floor((200 * y) / H), y * W, (y + 1) * W);
  const x0 = (n * 16) % W;
  for (let y = 0; y < H; y++) data.fill(235, y * W + x0, y * W + Math.min(W, x0 + 64));
  data.fill(128, ySize);
  return new VideoFrame(data, W, H, VideoBufferType.I420);
}

suite("the camera grid in a real browser (chromium) against the real livekit-server", () => {
  let redis: { daemon: Daemon; port: number };
  let http = 0;
  let lk: Daemon;
  let camera: Room;
  let timer: NodeJS.Timeout;
  let viewer: { server: Server; url: string };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const stack = await startLocalStack({ start: 51900, end: 52000 });
    ({ redis, livekit: lk, http } = stack);
    const key = TEST_SECRETS.apiKeys[0];
    const t = new AccessToken(key.key, key.secret, { identity: "camera-1" });
    t.addGrant({ roomJoin: true, room: ROOM, canPublish: true, canSubscribe: false });
    camera = new Room();
    await camera.connect(`ws://127.0.0.1:${http}`, await t.toJwt(), { autoSubscribe: false, dynacast: true });
    const source = new VideoSource(W, H);
    const opts = new TrackPublishOptions();
    opts.source = TrackSource.SOURCE_CAMERA;
    opts.simulcast = true;
    await camera.localParticipant?.publishTrack(LocalVideoTrack.createVideoTrack("camera", source), opts);
    let n = 0;
    timer = setInterval(() => source.captureFrame(frame(n++)), 1000 / 15);
    viewer = await startViewer({
      port: 0,
      wsUrl: `ws://127.0.0.1:${http}`,
      creds: { apiKey: key.key, apiSecret: key.secret, source: "test" },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 60000);

  afterAll(async () => {
    clearInterval(timer);
    await browser?.close();
    await new Promise((r) => viewer?.server.close(r));
    await camera?.disconnect();
    await dispose();
    await lk?.stop();
    await redis?.daemon.stop();
  });

  const tile = () => page.locator(`section.tile[data-room="${ROOM}"]`);
  const widthNow = async () => Number((await tile().getAttribute("data-width")) ?? 0);
  async function waitFor(pred: () => Promise<boolean>, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await pred()) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `timed out; tile: ${await tile().evaluate((e) => JSON.stringify({ ...(e as unknown as { dataset: Record<string, string> }).dataset }))}`,
    );
  }

  it("lists the camera room and plays its tile (video width > 0, frames advancing)", async () => {
    await page.goto(viewer.url);
    await tile().waitFor({ timeout: 20000 });
    await waitFor(
      async () => (await page.locator("video").evaluate((v) => (v as unknown as { videoWidth: number }).videoWidth)) > 0,
      20000,
    );
    const f1 = Number((await tile().getAttribute("data-frames")) ?? 0);
    await new Promise((r) => setTimeout(r, 1500));
    const f2 = Number((await tile().getAttribute("data-frames")) ?? 0);
    expect(f2).toBeGreaterThan(f1);
  }, 45000);

  it('choosing "low" then "high" changes the received resolution', async () => {
    await tile().locator("select").selectOption("low");
    await waitFor(async () => (await widthNow()) > 0 && (await widthNow()) <= 640, 20000);
    const low = await widthNow();
    await tile().locator("select").selectOption("high");
    await waitFor(async () => (await widthNow()) > low, 30000);
    expect(await widthNow()).toBeGreaterThan(low);
    expect(await tile().locator(".stats").textContent()).toMatch(/\d+x\d+ \((high|medium)\)\s+\d+ kbps\s+loss [\d.]+%\s+rtt/);
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, "viewer-grid.png") });
  }, 90000);

  it("the token endpoint mints viewer-only tokens for camera rooms and refuses others", async () => {
    const ok = await fetch(`${viewer.url}api/token?room=${ROOM}`);
    const jwt = await ok.text();
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString()) as { video: Record<string, unknown> };
    expect(claims.video).toEqual(expect.objectContaining({ room: ROOM, canSubscribe: true, canPublish: false }));
    expect((await fetch(`${viewer.url}api/token?room=lobby`)).status).toBe(400);
  });
});
