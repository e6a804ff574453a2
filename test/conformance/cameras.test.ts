import { request } from "node:http";
import { desiredIngresses, forwardUrl, type Backoff, type DesiredIngress } from "../../reconciler/plan";
import { livekitIngressApi, mediamtxApi, reconcileOnce, type ReconcileTarget } from "../../reconciler/reconcile";
import { parseStackConfig, type StackConfig } from "../../schema";
import { MEDIAMTX_API_USER, parseDesiredIngressFiles, renderStack } from "../../templates";
import { startMediamtx } from "../helpers/cameraPath";
import { TEST_SECRETS } from "../helpers/fixtures";
import { startLocalStack, type LocalStack } from "../helpers/livekitStack";
import { freePorts, requireBinaries, type Daemon } from "../helpers/servers";

const bins = requireBinaries(["livekitServer", "redisServer", "mediamtx"]);
const suite = bins.available ? describe : describe.skip;

const CAMERAS = ["550e8400-e29b-41d4-a716-446655440000", "7c9e6679-7425-40de-944b-e07fc1f90ae7"];
const RTMP = "rtmp://127.0.0.1:1935";

/** The desired ingresses as the in-stack reconciler reads them: from the rendered cameras-NNN.json files. */
function shipped(cfg: StackConfig): DesiredIngress[] {
  const files = renderStack(cfg, TEST_SECRETS).cameras?.publicFiles ?? {};
  const desired = parseDesiredIngressFiles(files);
  expect(desired).toEqual(desiredIngresses(cfg));
  return desired;
}

/**
 * The reconciler's contract with the real livekit-server (RTMP ingresses: no Ingress worker is
 * needed to define one) and the real MediaMTX control API (the forward of each camera path).
 * The whole picture path, with the real Ingress, is test/conformance/camera-path.test.ts.
 */
suite("the camera reconciler against the real livekit-server and MediaMTX", () => {
  let stack: LocalStack;
  let cfg: StackConfig;
  let mediamtx: Daemon;
  let target: ReconcileTarget;
  let apiUrl = "";

  beforeAll(async () => {
    const [rtsp, api, metrics] = await freePorts(3);
    stack = await startLocalStack({ start: 52100, end: 52200 }, { mediamtx: { ports: { rtsp, api, metrics } } });
    // Cameras that are never reachable: MediaMTX keeps retrying them; the forwards are config.
    const base = JSON.parse(JSON.stringify(stack.cfg)) as StackConfig;
    cfg = parseStackConfig({
      ...base,
      // Admission sizing (no Ingress worker runs here): room for both cameras' re-encodes.
      ingress: { ...base.ingress, resources: { ...base.ingress.resources, limits: { ...base.ingress.resources.limits, cpu: "6" } } },
      cameras: CAMERAS.map((id, i) => ({ id, rtsp: `rtsp://127.0.0.1:${9 + i}/none` })),
    });
    mediamtx = await startMediamtx(cfg);
    apiUrl = `http://127.0.0.1:${api}`;
    const k = TEST_SECRETS.apiKeys[0];
    target = {
      ingress: livekitIngressApi(stack.url, { apiKey: k.key, apiSecret: k.secret }),
      mediamtx: mediamtxApi(apiUrl, MEDIAMTX_API_USER, TEST_SECRETS.mediamtxApiPassword),
      ingressRtmpUrl: RTMP,
    };
  }, 60000);

  afterAll(async () => {
    await mediamtx?.stop();
    await stack?.stop();
  });

  it("creates one reusable RTMP ingress per camera and points each MediaMTX path at it; a second pass changes nothing", async () => {
    const backoff = new Map<string, Backoff>();
    const desired = shipped(cfg);
    const first = await reconcileOnce(target, desired, backoff);
    expect(first.failed).toBe(0);
    const ingresses = await target.ingress.list();
    expect(ingresses.map((i) => [i.name, i.roomName, i.input]).sort()).toEqual(desired.map((d) => [d.name, d.name, "rtmp"]).sort());
    const forwards = await target.mediamtx.listForwards();
    for (const i of ingresses) {
      expect(i.streamKey).toMatch(/^\w{8,}$/);
      expect(forwards.get(i.name)).toEqual([forwardUrl(RTMP, i.streamKey)]);
    }
    expect((await reconcileOnce(target, desired, backoff)).lines).toEqual(["2 camera ingress(es) in place"]);
  }, 30000);

  it("MediaMTX's API admits the reconciler's account from any address, anonymous callers from loopback only", async () => {
    // The loopback grant (127.0.0.1, ::1) is for the container's own health check. A caller from
    // 127.0.0.2 is "another host" to MediaMTX, as a pod in the cluster would be.
    const status = (localAddress: string, auth?: [string, string]) =>
      new Promise<number>((resolve, reject) => {
        const headers = auth ? { authorization: `Basic ${Buffer.from(`${auth[0]}:${auth[1]}`).toString("base64")}` } : undefined;
        request(`${apiUrl}/v3/config/paths/list`, { localAddress, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on("error", reject)
          .end();
      });
    expect(await status("127.0.0.2", [MEDIAMTX_API_USER, TEST_SECRETS.mediamtxApiPassword])).toBe(200);
    expect(await status("127.0.0.2", [MEDIAMTX_API_USER, "wrong-password-0123456789"])).toBe(401);
    expect(await status("127.0.0.2", ["any", ""])).toBe(401);
    expect(await status("127.0.0.2")).toBe(401);
    expect(await status("127.0.0.1")).toBe(200);
  });

  it("a camera dropped from the stack loses its ingress; the other keeps its stream key", async () => {
    const before = await target.ingress.list();
    const kept = before.find((i) => i.name.endsWith(CAMERAS[1]));
    const r = await reconcileOnce(target, shipped({ ...cfg, cameras: cfg.cameras.slice(1) }), new Map());
    expect(r.lines[0]).toMatch(/^delete camera_550e8400-e29b-41d4-a716-446655440000 \(IN_\w+\): camera no longer in the stack config$/);
    const after = await target.ingress.list();
    expect(after.map((i) => [i.name, i.streamKey])).toEqual([[kept?.name, kept?.streamKey]]);
  }, 30000);
});
