import { desiredIngresses, type Backoff } from "../../cli/cameras/plan";
import { livekitIngressApi, reconcileOnce } from "../../cli/cameras/reconcile";
import type { StackConfig } from "../../schema";
import { TEST_SECRETS } from "../helpers/fixtures";
import { startLocalStack, type LocalStack } from "../helpers/livekitStack";
import { freePorts, requireBinaries, startDaemon, tempDir, waitForTcp } from "../helpers/servers";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { reconcilerCode } from "../../components/reconcilerCode";
import { renderStack } from "../../templates";

const bins = requireBinaries(["livekitServer", "redisServer"]);
const suite = bins.available ? describe : describe.skip;

/**
 * Without a live Ingress worker (github.com/livekit/ingress cannot be fetched from the module proxy
 * here) the server refuses URL ingresses: this pins that fact and the reconciler's handling of it.
 */
suite("the camera reconciler against the real livekit-server, without an Ingress worker", () => {
  let stack: LocalStack;
  let cfg: StackConfig;
  let url = "";

  beforeAll(async () => {
    stack = await startLocalStack(
      { start: 52100, end: 52200 },
      { cameras: [{ id: "550e8400-e29b-41d4-a716-446655440000", rtsp: "rtsp://10.9.0.1:554/stream" }] },
    );
    cfg = stack.cfg;
    url = stack.url;
  }, 60000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("lists ingresses with the stack's key, is refused at creation, reports it and backs off", async () => {
    const k = TEST_SECRETS.apiKeys[0];
    const api = livekitIngressApi(url, { apiKey: k.key, apiSecret: k.secret, source: "test" });
    expect(await api.list()).toEqual([]);
    const backoff = new Map<string, Backoff>();
    const r = await reconcileOnce(api, desiredIngresses(cfg, TEST_SECRETS.mediamtxReaderPassword), backoff, Date.now());
    expect(r.failed).toBe(1);
    expect(r.lines[0]).toMatch(/^create camera_550e8400-e29b-41d4-a716-446655440000 failed: .*no response from servers \(retry in 5 s\)$/);
    expect(backoff.get("camera_550e8400-e29b-41d4-a716-446655440000")?.attempts).toBe(1);
    process.stderr.write(`server's answer without an Ingress worker: ${r.lines[0]}\n`);
  }, 30000);

  it("the bundled reconciler the stack deploys runs on plain Node with the rendered stack.json and answers its health check", async () => {
    const dir = tempDir("reconciler");
    const code = join(dir, "reconciler.js");
    writeFileSync(code, reconcilerCode());
    const stackJson = join(dir, "stack.json");
    writeFileSync(stackJson, renderStack(cfg, TEST_SECRETS).cameras?.publicFiles["stack.json"] ?? "");
    const [health] = await freePorts(1);
    const k = TEST_SECRETS.apiKeys[0];
    const d = startDaemon(process.execPath, [code], {
      env: {
        PATH: process.env.PATH,
        LIVEKIT_URL: url.replace("http://", "ws://"),
        LIVEKIT_API_KEY: k.key,
        LIVEKIT_API_SECRET: k.secret,
        MEDIAMTX_READER_PASSWORD: TEST_SECRETS.mediamtxReaderPassword,
        LKSTACK_STACK_JSON: stackJson,
        LKSTACK_HEALTH_PORT: String(health),
        LKSTACK_RECONCILE_SECONDS: "60",
      },
    });
    try {
      await waitForTcp(health, d);
      for (let i = 0; i < 100 && !/failed|in place/.test(d.output()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(d.output()).toMatch(/create camera_550e8400-e29b-41d4-a716-446655440000 failed: .*no response from servers/);
      const res = await fetch(`http://127.0.0.1:${health}/healthz`);
      expect([res.status, await res.text()]).toEqual([200, "ok"]);
    } finally {
      await d.stop();
    }
  }, 30000);
});
