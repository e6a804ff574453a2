import {
  desiredIngresses,
  forwardUrl,
  nextBackoff,
  planForwards,
  planReconcile,
  BACKOFF,
  type Backoff,
  type DesiredIngress,
  type ObservedIngress,
} from "../../reconciler/plan";
import { forwardBackoffKey, reconcileOnce, type IngressApi, type MediamtxApi, type ReconcileTarget } from "../../reconciler/reconcile";
import { reconcilerEndpoints } from "../../templates";
import { stackFromFile } from "../helpers/fixtures";

// The dev stack's cameras, both transcoded (its second is passthrough as shipped, which has no ingress).
const dev = stackFromFile("dev");
const cfg = { ...dev, cameras: dev.cameras.map((c) => ({ ...c, ingest: "transcode" as const })) };
const desired = desiredIngresses(cfg);
const [a, b] = desired;
const RTMP = "rtmp://172.30.42.11:1935";

const seen = (
  d: DesiredIngress,
  status: ObservedIngress["status"],
  id = `IN_${d.name.slice(-4)}`,
  extra: Partial<ObservedIngress> = {},
): ObservedIngress => ({
  ingressId: id,
  name: d.name,
  roomName: d.roomName,
  input: "rtmp",
  streamKey: `key-${id}`,
  status,
  ...extra,
});

/** An in-memory Ingress service: it keeps what is created, can fail on demand. */
class FakeApi implements IngressApi {
  items: ObservedIngress[] = [];
  failCreate = new Set<string>();
  listFails = false;
  private n = 0;
  async list() {
    if (this.listFails) throw new Error("twirp error unavailable");
    return this.items.map((i) => ({ ...i }));
  }
  async create(d: DesiredIngress) {
    if (this.failCreate.has(d.name)) throw new Error("no response from servers");
    const id = `IN_${++this.n}`;
    const created = seen(d, "inactive", id);
    this.items.push(created);
    return { ingressId: id, streamKey: created.streamKey };
  }
  async remove(id: string) {
    this.items = this.items.filter((i) => i.ingressId !== id);
  }
}

/** MediaMTX's path config as its API keeps it: per path, the forward destinations. */
class FakeMediamtx implements MediamtxApi {
  forwards = new Map<string, string[]>(desired.map((d) => [d.name, []]));
  down = false;
  unknownPaths = new Set<string>();
  async listForwards() {
    if (this.down) throw new Error("fetch failed");
    return new Map(this.forwards);
  }
  async setForward(path: string, dest: string) {
    if (this.unknownPaths.has(path)) throw new Error(`MediaMTX PATCH /v3/config/paths/patch/${path}: 404 path not found`);
    this.forwards.set(path, [dest]);
  }
}

const target = (
  ingress = new FakeApi(),
  mediamtx = new FakeMediamtx(),
): ReconcileTarget & { ingress: FakeApi; mediamtx: FakeMediamtx } => ({
  ingress,
  mediamtx,
  ingressRtmpUrl: RTMP,
});

describe("camera ingresses from stack config", () => {
  it("one RTMP ingress per camera, into room and identity camera_<uuid>", () => {
    expect(desired).toHaveLength(2);
    expect(a.name).toBe("camera_550e8400-e29b-41d4-a716-446655440000");
    expect(a.roomName).toBe(a.name);
    expect(a.identity).toBe(a.name);
    expect(a.participantName).toBe("lab-entrance");
    expect(a.layers.map((l) => [l.quality, l.width, l.height, l.bitrateKbps])).toEqual([
      ["high", 1920, 1080, 3000],
      ["medium", 1280, 720, 1500],
      ["low", 640, 360, 500],
    ]);
    expect(a.fps).toBe(25);
  });
  it("MediaMTX forwards each camera to the Ingress's RTMP listener with the stream key as publishing name", () => {
    expect(reconcilerEndpoints(cfg)).toEqual({
      livekitUrl: "ws://172.30.42.1:7880",
      mediamtxApiUrl: "http://172.30.42.12:9997",
      ingressRtmpUrl: RTMP,
    });
    expect(forwardUrl(RTMP, "k3y")).toBe("rtmp://172.30.42.11:1935/live#k3y");
    expect(forwardUrl(`${RTMP}/`, "k3y")).toBe("rtmp://172.30.42.11:1935/live#k3y");
  });
});

describe("reconcile plan", () => {
  const none = new Map<string, Backoff>();
  it("creates what is missing and nothing else", () => {
    expect(planReconcile(desired, [], none, 0).actions.map((x) => x.kind)).toEqual(["create", "create"]);
    expect(planReconcile(desired, [seen(a, "publishing"), seen(b, "buffering")], none, 0).actions).toEqual([]);
  });
  it("deletes managed ingresses no longer listed, never foreign ones", () => {
    const gone: ObservedIngress = {
      ingressId: "IN_old",
      name: "camera_00000000-0000-4000-8000-000000000009",
      roomName: "x",
      input: "rtmp",
      streamKey: "k",
      status: "publishing",
    };
    const foreign: ObservedIngress = {
      ingressId: "IN_obs",
      name: "obs-studio",
      roomName: "town-hall",
      input: "rtmp",
      streamKey: "k2",
      status: "publishing",
    };
    const plan = planReconcile(desired, [seen(a, "publishing"), seen(b, "publishing"), gone, foreign], none, 0);
    expect(plan.actions).toEqual([{ kind: "delete", observed: gone, reason: "camera no longer in the stack config" }]);
  });
  it("keeps a reusable RTMP ingress whose stream ended or errored: MediaMTX's next stream revives it with the same key", () => {
    expect(planReconcile(desired, [seen(a, "complete"), seen(b, "error", "IN_b", { error: "EOS" })], none, 0).actions).toEqual([]);
  });
  it("re-creates drifted ingresses: another room, or the URL input of the older SRT layout", () => {
    const drift = planReconcile(
      desired,
      [seen(a, "publishing", "IN_a", { roomName: "elsewhere" }), seen(b, "inactive", "IN_b", { input: "url" })],
      none,
      0,
    );
    expect(drift.actions.map((x) => (x.kind === "recreate" ? x.reason : x.kind))).toEqual(["room changed", "input url, not rtmp"]);
  });
  it("keeps the healthiest of duplicates", () => {
    const plan = planReconcile(desired, [seen(a, "error", "IN_1"), seen(a, "publishing", "IN_2"), seen(b, "publishing")], none, 0);
    expect(plan.actions).toEqual([{ kind: "delete", observed: seen(a, "error", "IN_1"), reason: "duplicate" }]);
  });
  it("waits out the backoff of a flapping camera", () => {
    const backoff = new Map([[a.name, { attempts: 3, nextAt: 60_000 }]]);
    const plan = planReconcile(desired, [seen(b, "publishing")], backoff, 10_000);
    expect(plan.actions).toEqual([]);
    expect(plan.waiting).toEqual([{ name: a.name, until: 60_000 }]);
    // The wait ends at nextAt itself, not a tick later.
    expect(planReconcile(desired, [seen(b, "publishing")], backoff, 59_999).actions).toEqual([]);
    expect(planReconcile(desired, [seen(b, "publishing")], backoff, 60_000).actions).toHaveLength(1);
  });
  it("backs off exponentially up to five minutes", () => {
    let b: Backoff | undefined;
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      b = nextBackoff(b, 0);
      delays.push(b.nextAt);
    }
    expect(delays.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(Math.max(...delays)).toBe(BACKOFF.maxMs);
  });
});

describe("forward plan", () => {
  it("joins the Ingress URL and /live without doubled slashes, however many the URL ends with", () => {
    expect(forwardUrl("rtmp://h:1935", "k")).toBe("rtmp://h:1935/live#k");
    expect(forwardUrl("rtmp://h:1935/", "k")).toBe("rtmp://h:1935/live#k");
    expect(forwardUrl("rtmp://h:1935//", "k")).toBe("rtmp://h:1935/live#k");
  });
  const keys = new Map([[a.name, { streamKey: "ka" }]]);
  it("points a path with no or a stale forward at its ingress; leaves a right one and cameras without an ingress alone", () => {
    expect(planForwards(desired, keys, new Map([[a.name, []]]), RTMP)).toEqual([{ path: a.name, dest: forwardUrl(RTMP, "ka") }]);
    expect(planForwards(desired, keys, new Map([[a.name, ["rtmp://old/live#k0"]]]), RTMP)).toHaveLength(1);
    expect(planForwards(desired, keys, new Map([[a.name, [forwardUrl(RTMP, "ka"), "rtmp://x/live#y"]]]), RTMP)).toHaveLength(1);
    expect(planForwards(desired, keys, new Map([[a.name, [forwardUrl(RTMP, "ka")]]]), RTMP)).toEqual([]);
  });
});

describe("reconcile passes against the Ingress and MediaMTX APIs", () => {
  it("converges (an ingress and a forward per camera), then a second pass changes nothing", async () => {
    const t = target();
    const backoff = new Map<string, Backoff>();
    const first = await reconcileOnce(t, desired, backoff, 0);
    expect(first.failed).toBe(0);
    expect(t.ingress.items.map((i) => i.name).sort()).toEqual(desired.map((d) => d.name).sort());
    for (const i of t.ingress.items) expect(t.mediamtx.forwards.get(i.name)).toEqual([forwardUrl(RTMP, i.streamKey)]);
    const second = await reconcileOnce(t, desired, backoff, 1000);
    expect(second.lines).toEqual(["2 camera ingress(es) in place"]);
    expect(t.ingress.items).toHaveLength(2);
  });
  it("a pass deletes what left the config, re-creates what drifted (backing it off) and forwards the new key", async () => {
    const t = target();
    const gone: ObservedIngress = { ...seen(a, "publishing", "IN_gone"), name: "camera_00000000-0000-4000-8000-000000000009" };
    const drifted = seen(b, "inactive", "IN_drift", { roomName: "elsewhere" });
    t.ingress.items = [seen(a, "publishing", "IN_a"), gone, drifted];
    const backoff = new Map<string, Backoff>([[a.name, { attempts: 3, nextAt: 0 }]]);
    const r = await reconcileOnce(t, desired, backoff, 0);
    expect(r.failed).toBe(0);
    // The deleted and the drifted ingress are removed; the drifted camera gets a new one.
    expect(t.ingress.items.map((i) => i.ingressId).sort()).toEqual(["IN_1", "IN_a"]);
    const created = t.ingress.items.find((i) => i.ingressId === "IN_1");
    expect([created?.name, created?.roomName]).toEqual([b.name, b.roomName]);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^delete ${gone.name} \\(IN_gone\\): `)),
        expect.stringMatching(new RegExp(`^re-create ${b.name} \\(IN_drift\\): .* -> IN_1$`)),
      ]),
    );
    // A publishing camera's backoff is cleared; a re-created one is spaced out.
    expect(backoff.has(a.name)).toBe(false);
    expect(backoff.get(b.name)?.nextAt).toBeGreaterThan(0);
    // MediaMTX forwards the re-created camera with the new key, the kept one with its own.
    expect(t.mediamtx.forwards.get(b.name)).toEqual([forwardUrl(RTMP, created?.streamKey ?? "")]);
    expect(t.mediamtx.forwards.get(a.name)).toEqual([forwardUrl(RTMP, "key-IN_a")]);
  });
  it("never prints a stream key, even inside an API's error text", async () => {
    const t = target();
    await reconcileOnce(t, desired, new Map(), 0);
    const key = t.ingress.items[0].streamKey;
    t.mediamtx.forwards.set(t.ingress.items[0].name, []);
    t.mediamtx.setForward = async () => {
      throw new Error(`invalid dest rtmp://h/live#${key}`);
    };
    const r = await reconcileOnce(t, desired, new Map(), 1000);
    expect(r.lines.join("\n")).toContain("invalid dest rtmp://h/live#<stream key>");
    expect(r.lines.join("\n")).not.toContain(key);
  });
  it("re-points the forwards MediaMTX lost on restart (its API changes live in memory only)", async () => {
    const t = target();
    await reconcileOnce(t, desired, new Map(), 0);
    t.mediamtx.forwards = new Map(desired.map((d) => [d.name, []]));
    const r = await reconcileOnce(t, desired, new Map(), 1000);
    expect(r.lines).toEqual([`forward ${a.name} to the Ingress`, `forward ${b.name} to the Ingress`]);
  });
  it("heals after the server lost every ingress (a Valkey restart without persistence), with new keys forwarded", async () => {
    const t = target();
    await reconcileOnce(t, desired, new Map(), 0);
    t.ingress.items = [];
    await reconcileOnce(t, desired, new Map(), 1000);
    expect(t.ingress.items).toHaveLength(2);
    for (const i of t.ingress.items) expect(t.mediamtx.forwards.get(i.name)).toEqual([forwardUrl(RTMP, i.streamKey)]);
  });
  it("reports an API error per camera, backs that camera off and carries on with the others", async () => {
    const t = target();
    t.ingress.failCreate.add(a.name);
    const backoff = new Map<string, Backoff>();
    // A clock far from zero: "retry in" is the delay from now, not a sum.
    const T = 1_000_000;
    const r = await reconcileOnce(t, desired, backoff, T);
    expect(r.failed).toBe(1);
    expect(r.lines.join("\n")).toMatch(new RegExp(`create ${a.name} failed: no response from servers \\(retry in 5 s\\)`));
    expect(t.ingress.items.map((i) => i.name)).toEqual([b.name]);
    expect((await reconcileOnce(t, desired, backoff, T + 1000)).lines).toEqual([`waiting 4 s before retrying ${a.name}`]);
    t.ingress.failCreate.clear();
    await reconcileOnce(t, desired, backoff, T + 6000);
    expect(t.ingress.items).toHaveLength(2);
  });
  it("backs a refused forward off on its own key, then sets it once MediaMTX knows the path", async () => {
    const t = target();
    t.mediamtx.unknownPaths.add(a.name);
    const backoff = new Map<string, Backoff>();
    const T = 1_000_000;
    const r = await reconcileOnce(t, desired, backoff, T);
    expect(r.failed).toBe(1);
    expect(r.lines).toContain(
      `forward ${a.name} failed: MediaMTX PATCH /v3/config/paths/patch/${a.name}: 404 path not found (retry in 5 s)`,
    );
    expect(backoff.get(forwardBackoffKey(a.name))?.attempts).toBe(1);
    expect(backoff.has(a.name)).toBe(false);
    t.mediamtx.unknownPaths.clear();
    expect((await reconcileOnce(t, desired, backoff, T + 1000)).lines).toEqual([`waiting 4 s before retrying the forward of ${a.name}`]);
    expect((await reconcileOnce(t, desired, backoff, T + 5000)).lines).toEqual([`forward ${a.name} to the Ingress`]);
    expect(backoff.has(forwardBackoffKey(a.name))).toBe(false);
  });
  it("keeps the backoff of a camera that is not publishing; only publishing clears it", async () => {
    const t = target();
    t.ingress.items = [seen(a, "inactive", "IN_a"), seen(b, "publishing", "IN_b")];
    const backoff = new Map<string, Backoff>([
      [a.name, { attempts: 2, nextAt: 0 }],
      [b.name, { attempts: 2, nextAt: 0 }],
    ]);
    await reconcileOnce(t, desired, backoff, 0);
    expect(backoff.get(a.name)).toEqual({ attempts: 2, nextAt: 0 });
    expect(backoff.has(b.name)).toBe(false);
  });
  it("never forwards a camera to an ingress it removed, nor to one of another input type", async () => {
    // Room drifted and the new ingress cannot be created: the old one is gone, so is its key.
    const t = target();
    t.ingress.items = [seen(a, "publishing", "IN_old", { roomName: "elsewhere" }), seen(b, "publishing", "IN_b")];
    t.ingress.failCreate.add(a.name);
    await reconcileOnce(t, desired, new Map(), 0);
    expect(t.ingress.items.map((i) => i.ingressId)).toEqual(["IN_b"]);
    expect(t.mediamtx.forwards.get(a.name)).toEqual([]);
    expect(t.mediamtx.forwards.get(b.name)).toEqual([forwardUrl(RTMP, "key-IN_b")]);
    // A URL-input ingress waiting out its re-create backoff stays, but MediaMTX is not pointed at it.
    const u = target();
    u.ingress.items = [seen(a, "inactive", "IN_url", { input: "url", streamKey: "" })];
    await reconcileOnce(u, desired, new Map([[a.name, { attempts: 1, nextAt: 60_000 }]]), 0);
    expect(u.ingress.items.map((i) => i.ingressId)).toContain("IN_url");
    expect(u.mediamtx.forwards.get(a.name)).toEqual([]);
  });
  it("an ingress without a stream key (URL input) leaves the report readable", async () => {
    const t = target();
    await reconcileOnce(t, desired, new Map(), 0);
    t.ingress.items.push({
      ...seen(a, "inactive", "IN_url", { input: "url", streamKey: "" }),
      name: "camera_00000000-0000-4000-8000-00000000000f",
    });
    const r = await reconcileOnce(t, desired, new Map(), 1000);
    expect(r.lines).toEqual([expect.stringMatching(/^delete camera_00000000-0000-4000-8000-00000000000f \(IN_url\): /)]);
    expect(r.lines.join("")).not.toContain("<stream key>");
  });
  it("a failing list is reported, not thrown", async () => {
    const t = target();
    t.ingress.listFails = true;
    expect(await reconcileOnce(t, desired, new Map(), 0)).toEqual({
      lines: ["cannot list ingresses: twirp error unavailable"],
      failed: 1,
    });
    const down = target();
    down.mediamtx.down = true;
    const r = await reconcileOnce(down, desired, new Map(), 0);
    expect(r.failed).toBe(1);
    expect(r.lines).toContain("cannot list MediaMTX paths: fetch failed");
  });
});
