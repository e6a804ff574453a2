import {
  IngressClient,
  IngressInput,
  IngressVideoEncodingOptions,
  IngressVideoOptions,
  TrackSource,
  VideoCodec,
  type IngressInfo,
} from "livekit-server-sdk";
import { apiUrl } from "../schema";
import {
  isManaged,
  nextBackoff,
  planForwards,
  planReconcile,
  type Action,
  type Backoff,
  type DesiredIngress,
  type IngressStatus,
  type ObservedForwards,
  type ObservedIngress,
} from "./plan";

/** LiveKit API credentials and where they were read from (the CLI names it in its messages). */
export interface ApiCredentials {
  apiKey: string;
  apiSecret: string;
  source: string;
}

/** The part of LiveKit's Ingress API the reconciler uses (a fake stands in for it in unit tests). */
export interface IngressApi {
  list(): Promise<ObservedIngress[]>;
  create(d: DesiredIngress): Promise<{ ingressId: string; streamKey: string }>;
  remove(ingressId: string): Promise<void>;
}

/** The part of MediaMTX's control API the reconciler uses: each path's forward destinations. */
export interface MediamtxApi {
  listForwards(): Promise<ObservedForwards>;
  setForward(path: string, dest: string): Promise<void>;
}

/** protocol IngressState.Status (not re-exported by the SDK): INACTIVE 0 … COMPLETE 4. */
const STATUS: Record<number, IngressStatus> = { 0: "inactive", 1: "buffering", 2: "publishing", 3: "error", 4: "complete" };

const INPUT: Partial<Record<IngressInput, ObservedIngress["input"]>> = {
  [IngressInput.RTMP_INPUT]: "rtmp",
  [IngressInput.URL_INPUT]: "url",
  [IngressInput.WHIP_INPUT]: "whip",
};

/** protocol VideoQuality: LOW 0, MEDIUM 1, HIGH 2 (not re-exported by the SDK). */
const QUALITY = { low: 0, medium: 1, high: 2 } as const;

/** Signs with the key and secret only (where they came from is the CLI's to report). */
export function livekitIngressApi(url: string, creds: Pick<ApiCredentials, "apiKey" | "apiSecret">): IngressApi {
  const client = new IngressClient(apiUrl(url), creds.apiKey, creds.apiSecret);
  const observe = (i: IngressInfo): ObservedIngress => ({
    ingressId: i.ingressId,
    name: i.name,
    roomName: i.roomName,
    input: INPUT[i.inputType] ?? "other",
    streamKey: i.streamKey,
    status: STATUS[i.state?.status ?? 0] ?? "inactive",
    error: i.state?.error || undefined,
  });
  return {
    list: async () => (await client.listIngress({})).map(observe),
    create: async (d) => {
      // Reusable RTMP ingress: its stream key stays valid across streams, so MediaMTX's forward
      // (which retries every few seconds) reconnects after any fault without a new key.
      const info = await client.createIngress(IngressInput.RTMP_INPUT, {
        name: d.name,
        roomName: d.roomName,
        participantIdentity: d.identity,
        participantName: d.participantName,
        enableTranscoding: true,
        video: new IngressVideoOptions({
          source: TrackSource.CAMERA,
          encodingOptions: {
            case: "options",
            value: new IngressVideoEncodingOptions({
              videoCodec: VideoCodec.H264_BASELINE,
              frameRate: d.fps,
              layers: d.layers.map((l) => ({
                quality: QUALITY[l.quality],
                width: l.width,
                height: l.height,
                bitrate: l.bitrateKbps * 1000,
              })),
            }),
          },
        }),
      });
      return { ingressId: info.ingressId, streamKey: info.streamKey };
    },
    remove: async (id) => {
      await client.deleteIngress(id);
    },
  };
}

/** MediaMTX v1.20's control API (/v3/config/paths/…) with the reconciler's own account. */
export function mediamtxApi(baseUrl: string, user: string, password: string): MediamtxApi {
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers: { authorization: auth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: JSON.stringify(body), // undefined for a bodiless call
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`MediaMTX ${method} ${path}: ${res.status} ${(await res.text()).slice(0, 200)}`);
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  return {
    listForwards: async () => {
      const out = new Map<string, string[]>();
      for (let page = 0, pages = 1; page < pages; page++) {
        const data = (await call("GET", `/v3/config/paths/list?itemsPerPage=500&page=${page}`)) as {
          pageCount: number;
          items: { name: string; forward?: { dest: string }[] | null }[];
        };
        pages = data.pageCount;
        for (const p of data.items)
          out.set(
            p.name,
            (p.forward ?? []).map((f) => f.dest),
          );
      }
      return out;
    },
    setForward: async (path, dest) => {
      await call("PATCH", `/v3/config/paths/patch/${encodeURIComponent(path)}`, { forward: [{ dest }] });
    },
  };
}

export interface ReconcileReport {
  lines: string[];
  failed: number;
}

/** What one pass works on: LiveKit's Ingress API, MediaMTX's control API, the Ingress's RTMP base. */
export interface ReconcileTarget {
  ingress: IngressApi;
  mediamtx: MediamtxApi;
  /** rtmp://<ingress host>:<port>, as MediaMTX reaches it. */
  ingressRtmpUrl: string;
}

function describe(a: Action): string {
  switch (a.kind) {
    case "create":
      return `create ${a.desired.name}`;
    case "delete":
      return `delete ${a.observed.name} (${a.observed.ingressId}): ${a.reason}`;
    case "recreate":
      return `re-create ${a.desired.name} (${a.observed.ingressId}): ${a.reason}`;
  }
}

/** Forward failures back off apart from the camera's ingress actions. */
export const forwardBackoffKey = (path: string): string => `forward:${path}`;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * One pass: list, plan, apply on the Ingress service, then point each camera's MediaMTX path at
 * its ingress. API errors are reported per camera and back that camera's ingress actions off;
 * they never stop the pass. `backoff` carries across passes in --watch mode. Stream keys are
 * credentials: no line carries one.
 */
export async function reconcileOnce(
  target: ReconcileTarget,
  desired: DesiredIngress[],
  backoff: Map<string, Backoff>,
  now = Date.now(),
): Promise<ReconcileReport> {
  const lines: string[] = [];
  let failed = 0;
  let observed: ObservedIngress[];
  try {
    observed = await target.ingress.list();
  } catch (e) {
    return { lines: [`cannot list ingresses: ${message(e)}`], failed: 1 };
  }
  for (const o of observed) if (o.status === "publishing") backoff.delete(o.name);
  const { actions, waiting } = planReconcile(desired, observed, backoff, now);
  const removed = new Set<string>();
  const keys = new Map<string, { streamKey: string }>();
  for (const a of actions) {
    const name = a.kind === "delete" ? a.observed.name : a.desired.name;
    try {
      if (a.kind !== "create") {
        await target.ingress.remove(a.observed.ingressId);
        removed.add(a.observed.ingressId);
      }
      if (a.kind !== "delete") {
        const created = await target.ingress.create(a.desired);
        keys.set(name, created);
        lines.push(`${describe(a)} -> ${created.ingressId}`);
      } else lines.push(describe(a));
      // A re-created camera may be flapping: space out the next attempt.
      if (a.kind === "recreate") backoff.set(name, nextBackoff(backoff.get(name), now));
    } catch (e) {
      failed++;
      const b = nextBackoff(backoff.get(name), now);
      backoff.set(name, b);
      lines.push(`${describe(a)} failed: ${message(e)} (retry in ${Math.round((b.nextAt - now) / 1000)} s)`);
    }
  }
  for (const w of waiting) lines.push(`waiting ${Math.round((w.until - now) / 1000)} s before retrying ${w.name}`);
  for (const o of observed)
    if (isManaged(o.name) && o.input === "rtmp" && !removed.has(o.ingressId) && !keys.has(o.name)) keys.set(o.name, o);

  try {
    const plan = planForwards(desired, keys, await target.mediamtx.listForwards(), target.ingressRtmpUrl);
    for (const f of plan) {
      // A path MediaMTX refuses (e.g. not in its config yet, mid-rollout) backs off on its own key.
      const key = forwardBackoffKey(f.path);
      const wait = backoff.get(key);
      if (wait && wait.nextAt > now) {
        lines.push(`waiting ${Math.round((wait.nextAt - now) / 1000)} s before retrying the forward of ${f.path}`);
        continue;
      }
      try {
        await target.mediamtx.setForward(f.path, f.dest);
        backoff.delete(key);
        lines.push(`forward ${f.path} to the Ingress`);
      } catch (e) {
        failed++;
        const b = nextBackoff(wait, now);
        backoff.set(key, b);
        lines.push(`forward ${f.path} failed: ${message(e)} (retry in ${Math.round((b.nextAt - now) / 1000)} s)`);
      }
    }
  } catch (e) {
    failed++;
    lines.push(`cannot list MediaMTX paths: ${message(e)}`);
  }
  // Every action, wait, forward and failure above wrote a line: none means nothing to do.
  if (lines.length === 0) lines.push(`${desired.length} camera ingress(es) in place`);
  const secrets = [...keys.values(), ...observed].map((k) => k.streamKey).filter((k) => k.length > 0);
  return { lines: lines.map((l) => secrets.reduce((out, k) => out.split(k).join("<stream key>"), l)), failed };
}
