import {
  desiredIngresses,
  nextBackoff,
  planReconcile,
  BACKOFF,
  type Backoff,
  type DesiredIngress,
  type ObservedIngress,
} from "../../cli/cameras/plan";
import { reconcileOnce, type IngressApi } from "../../cli/cameras/reconcile";
import { stackFromFile } from "../helpers/fixtures";

const cfg = stackFromFile("dev");
const desired = desiredIngresses(cfg, "reader-pass-0123");
const [a, b] = desired;

const seen = (
  d: DesiredIngress,
  status: ObservedIngress["status"],
  id = `IN_${d.name.slice(-4)}`,
  extra: Partial<ObservedIngress> = {},
): ObservedIngress => ({
  ingressId: id,
  name: d.name,
  roomName: d.roomName,
  url: d.url,
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
    this.items.push(seen(d, "inactive", id));
    return id;
  }
  async remove(id: string) {
    this.items = this.items.filter((i) => i.ingressId !== id);
  }
}

describe("camera ingresses from stack config", () => {
  it("one URL ingress per camera: MediaMTX's SRT re-serve into room and identity camera_<uuid>", () => {
    expect(desired).toHaveLength(2);
    expect(a.name).toBe("camera_550e8400-e29b-41d4-a716-446655440000");
    expect(a.roomName).toBe(a.name);
    expect(a.identity).toBe(a.name);
    expect(a.participantName).toBe("lab-entrance");
    expect(a.url).toBe(`srt://172.30.42.12:8890?streamid=read:${a.name}:lkstack-ingress:reader-pass-0123`);
    expect(a.layers.map((l) => [l.quality, l.width, l.height, l.bitrateKbps])).toEqual([
      ["high", 1920, 1080, 3000],
      ["medium", 1280, 720, 1500],
      ["low", 640, 360, 500],
    ]);
    expect(a.fps).toBe(25);
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
      url: "srt://x",
      status: "publishing",
    };
    const foreign: ObservedIngress = { ingressId: "IN_obs", name: "obs-studio", roomName: "town-hall", url: "", status: "publishing" };
    const plan = planReconcile(desired, [seen(a, "publishing"), seen(b, "publishing"), gone, foreign], none, 0);
    expect(plan.actions).toEqual([{ kind: "delete", observed: gone, reason: "camera no longer in the stack config" }]);
  });
  it("re-creates ended, errored and drifted ingresses", () => {
    const plan = planReconcile(desired, [seen(a, "complete"), seen(b, "error", "IN_b", { error: "srt: connection refused" })], none, 0);
    expect(plan.actions.map((x) => (x.kind === "recreate" ? x.reason : x.kind))).toEqual([
      "source ended",
      "errored: srt: connection refused",
    ]);
    const drift = planReconcile(desired, [seen(a, "publishing", "IN_a", { url: "srt://old" }), seen(b, "publishing")], none, 0);
    expect(drift.actions.map((x) => (x.kind === "recreate" ? x.reason : x.kind))).toEqual(["settings changed"]);
  });
  it("keeps the healthiest of duplicates", () => {
    const plan = planReconcile(desired, [seen(a, "error", "IN_1"), seen(a, "publishing", "IN_2"), seen(b, "publishing")], none, 0);
    expect(plan.actions).toEqual([{ kind: "delete", observed: seen(a, "error", "IN_1"), reason: "duplicate" }]);
  });
  it("waits out the backoff of a flapping camera", () => {
    const backoff = new Map([[a.name, { attempts: 3, nextAt: 60_000 }]]);
    const plan = planReconcile(desired, [seen(a, "error"), seen(b, "publishing")], backoff, 10_000);
    expect(plan.actions).toEqual([]);
    expect(plan.waiting).toEqual([{ name: a.name, until: 60_000 }]);
    expect(planReconcile(desired, [seen(a, "error"), seen(b, "publishing")], backoff, 60_001).actions).toHaveLength(1);
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

describe("reconcile passes against an Ingress API", () => {
  it("converges, then a second pass changes nothing (no duplicates)", async () => {
    const api = new FakeApi();
    const backoff = new Map<string, Backoff>();
    const first = await reconcileOnce(api, desired, backoff, 0);
    expect(first.failed).toBe(0);
    expect(api.items.map((i) => i.name).sort()).toEqual(desired.map((d) => d.name).sort());
    const second = await reconcileOnce(api, desired, backoff, 1000);
    expect(second.lines).toEqual(["2 camera ingress(es) in place"]);
    expect(api.items).toHaveLength(2);
  });
  it("heals after the server lost every ingress (a Valkey restart without persistence)", async () => {
    const api = new FakeApi();
    await reconcileOnce(api, desired, new Map(), 0);
    api.items = [];
    await reconcileOnce(api, desired, new Map(), 1000);
    expect(api.items).toHaveLength(2);
  });
  it("reports an API error per camera, backs that camera off and carries on with the others", async () => {
    const api = new FakeApi();
    api.failCreate.add(a.name);
    const backoff = new Map<string, Backoff>();
    const r = await reconcileOnce(api, desired, backoff, 0);
    expect(r.failed).toBe(1);
    expect(r.lines.join("\n")).toMatch(new RegExp(`create ${a.name} failed: no response from servers \\(retry in 5 s\\)`));
    expect(api.items.map((i) => i.name)).toEqual([b.name]);
    expect((await reconcileOnce(api, desired, backoff, 1000)).lines).toEqual([`waiting 4 s before retrying ${a.name}`]);
    api.failCreate.clear();
    await reconcileOnce(api, desired, backoff, 6000);
    expect(api.items).toHaveLength(2);
  });
  it("a failing list is reported, not thrown", async () => {
    const api = new FakeApi();
    api.listFails = true;
    expect(await reconcileOnce(api, desired, new Map(), 0)).toEqual({
      lines: ["cannot list ingresses: twirp error unavailable"],
      failed: 1,
    });
  });
});
