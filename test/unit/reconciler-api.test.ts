import { createServer, type IncomingMessage, type Server } from "node:http";
import { CreateIngressRequest, IngressInput, IngressVideoEncodingOptions, VideoCodec, VideoQuality } from "@livekit/protocol";
import { livekitIngressApi, mediamtxApi } from "../../reconciler/reconcile";
import { desiredIngresses } from "../../templates";
import { stackFromFile } from "../helpers/fixtures";
import { freePorts } from "../helpers/servers";

/**
 * The requests the reconciler sends, as LiveKit's Ingress service and MediaMTX's API receive them:
 * a loopback HTTP server stands in for both and records each call.
 */
interface Call {
  method: string;
  url: string;
  auth: string | undefined;
  /** The request's content-type header. */
  type: string | undefined;
  body: string;
}

const calls: Call[] = [];
let server: Server;
let base = "";
let answer: (c: Call) => { status: number; body: unknown } = () => ({ status: 404, body: {} });

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => resolve(body));
  });

beforeAll(async () => {
  const [port] = await freePorts(1);
  server = createServer((req, res) => {
    void read(req).then((body) => {
      const call = {
        method: req.method ?? "",
        url: req.url ?? "",
        auth: req.headers.authorization,
        type: req.headers["content-type"],
        body,
      };
      calls.push(call);
      const a = answer(call);
      // No keep-alive: a pooled socket the server closes between two slow tests would reset the next call.
      res.writeHead(a.status, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  base = `http://127.0.0.1:${port}`;
});

afterAll(() => new Promise((r) => server.close(r)));

beforeEach(() => {
  calls.length = 0;
});

describe("the CreateIngress request LiveKit receives for a camera", () => {
  const [camera] = desiredIngresses(stackFromFile("dev"));

  async function created(): Promise<{ request: CreateIngressRequest; result: { ingressId: string; streamKey: string } }> {
    answer = () => ({ status: 200, body: { ingressId: "IN_test", streamKey: "key-test" } });
    const result = await livekitIngressApi(base, {
      apiKey: "APIunitTestKey01",
      apiSecret: "unit-test-secret-0123456789abcdefghijkl",
    }).create(camera);
    const call = calls.find((c) => c.url.endsWith("/CreateIngress"));
    if (!call) throw new Error(`no CreateIngress call among ${calls.map((c) => c.url).join(", ")}`);
    return { request: CreateIngressRequest.fromJsonString(call.body), result };
  }

  it("is an RTMP ingress into the camera's room as the camera's participant, re-encoded", async () => {
    const { request, result } = await created();
    expect(result).toEqual({ ingressId: "IN_test", streamKey: "key-test" });
    expect(request.inputType).toBe(IngressInput.RTMP_INPUT);
    expect(request.name).toBe(camera.name);
    expect(request.roomName).toBe(camera.roomName);
    expect(request.participantIdentity).toBe(camera.identity);
    expect(request.participantName).toBe(camera.participantName);
    expect(request.enableTranscoding).toBe(true);
  });

  it("asks for every simulcast layer of the stack, the 360p one included, in bits per second", async () => {
    const { request } = await created();
    const options = request.video?.encodingOptions;
    expect(options?.case).toBe("options");
    const enc = options?.value as IngressVideoEncodingOptions;
    expect(enc.videoCodec).toBe(VideoCodec.H264_BASELINE);
    expect(enc.frameRate).toBe(camera.fps);
    expect(enc.layers.map((l) => [l.quality, l.width, l.height, l.bitrate])).toEqual([
      [VideoQuality.HIGH, 1920, 1080, 3_000_000],
      [VideoQuality.MEDIUM, 1280, 720, 1_500_000],
      [VideoQuality.LOW, 640, 360, 500_000],
    ]);
  });

  it("signs the call with the API key (a bearer token LiveKit verifies)", async () => {
    await created();
    expect(calls[0].auth).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });
});

describe("what the reconciler reads from and deletes on LiveKit's Ingress service", () => {
  const api = () => livekitIngressApi(base, { apiKey: "APIunitTestKey01", apiSecret: "unit-test-secret-0123456789abcdefghijkl" });

  it("lists every ingress with its input, status and error as the plan reads them", async () => {
    const info = (id: string, inputType: string | number, state?: Record<string, unknown>) => ({
      ingressId: id,
      name: `camera_${id}`,
      roomName: `room_${id}`,
      streamKey: `key_${id}`,
      inputType,
      ...(state ? { state } : {}),
    });
    answer = () => ({
      status: 200,
      body: {
        items: [
          info("a", "RTMP_INPUT", { status: "ENDPOINT_PUBLISHING" }),
          info("b", "URL_INPUT", { status: "ENDPOINT_BUFFERING" }),
          info("c", "WHIP_INPUT", { status: "ENDPOINT_ERROR", error: "EOS" }),
          info("d", "RTMP_INPUT", { status: "ENDPOINT_COMPLETE" }),
          info("e", "RTMP_INPUT"),
          info("f", "RTMP_INPUT", { status: "ENDPOINT_INACTIVE", error: "" }),
          // A newer server's input type and status this release does not know.
          info("g", 99, { status: 99 }),
        ],
      },
    });
    const listed = await api().list();
    expect(listed.map((i) => [i.ingressId, i.name, i.roomName, i.streamKey, i.input, i.status, i.error])).toEqual([
      ["a", "camera_a", "room_a", "key_a", "rtmp", "publishing", undefined],
      ["b", "camera_b", "room_b", "key_b", "url", "buffering", undefined],
      ["c", "camera_c", "room_c", "key_c", "whip", "error", "EOS"],
      ["d", "camera_d", "room_d", "key_d", "rtmp", "complete", undefined],
      // No state yet, or an empty error: inactive, no error.
      ["e", "camera_e", "room_e", "key_e", "rtmp", "inactive", undefined],
      ["f", "camera_f", "room_f", "key_f", "rtmp", "inactive", undefined],
      ["g", "camera_g", "room_g", "key_g", "other", "inactive", undefined],
    ]);
    expect(calls.map((c) => c.url)).toEqual(["/twirp/livekit.Ingress/ListIngress"]);
  });

  it("deletes exactly the ingress it is given", async () => {
    answer = () => ({ status: 200, body: { ingressId: "IN_gone" } });
    await api().remove("IN_gone");
    expect(calls.map((c) => [c.url, JSON.parse(c.body)])).toEqual([["/twirp/livekit.Ingress/DeleteIngress", { ingressId: "IN_gone" }]]);
  });
});

describe("the calls MediaMTX's API receives", () => {
  const api = () => mediamtxApi(base, "lkstack-reconciler", "reader-pass");
  const basic = `Basic ${Buffer.from("lkstack-reconciler:reader-pass").toString("base64")}`;

  it("lists every page of paths with the reconciler's own account", async () => {
    answer = (c) => {
      const page = Number(new URL(c.url, base).searchParams.get("page"));
      const items = page === 0 ? [{ name: "camera_a", forward: [{ dest: "rtmp://x/live#k" }] }] : [{ name: "camera_b", forward: null }];
      return { status: 200, body: { pageCount: 2, items } };
    };
    const forwards = await api().listForwards();
    // Strict: a path with no forward lists none (not one undefined destination).
    expect([...forwards.entries()]).toStrictEqual([
      ["camera_a", ["rtmp://x/live#k"]],
      ["camera_b", []],
    ]);
    // A GET carries no body, so no content type.
    expect(calls.map((c) => [c.method, c.url, c.auth, c.type, c.body])).toEqual([
      ["GET", "/v3/config/paths/list?itemsPerPage=500&page=0", basic, undefined, ""],
      ["GET", "/v3/config/paths/list?itemsPerPage=500&page=1", basic, undefined, ""],
    ]);
  });

  it("sets a path's forward with one PATCH of that path only", async () => {
    answer = () => ({ status: 200, body: "" });
    await api().setForward("camera_a", "rtmp://ingress:1935/live#key");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(
      expect.objectContaining({ method: "PATCH", url: "/v3/config/paths/patch/camera_a", auth: basic, type: "application/json" }),
    );
    expect(JSON.parse(calls[0].body)).toEqual({ forward: [{ dest: "rtmp://ingress:1935/live#key" }] });
  });

  it("reports a refusal with the method, path and status instead of treating it as empty", async () => {
    answer = () => ({ status: 401, body: { error: "authentication error" } });
    await expect(api().listForwards()).rejects.toThrow(/MediaMTX GET \/v3\/config\/paths\/list\?itemsPerPage=500&page=0: 401/);
  });

  it("quotes at most 200 characters of a refusal's body", async () => {
    answer = () => ({ status: 500, body: "x".repeat(1000) });
    // The body is a JSON string: its opening quote and 199 x's.
    await expect(api().listForwards()).rejects.toThrow(new RegExp(`: 500 "x{199}$`));
  });
});
