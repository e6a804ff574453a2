import {
  IngressClient,
  IngressInput,
  IngressVideoEncodingOptions,
  IngressVideoOptions,
  TrackSource,
  VideoCodec,
  type IngressInfo,
} from "livekit-server-sdk";
import type { ApiCredentials } from "../credentials";
import { apiUrl } from "../rooms";
import {
  nextBackoff,
  planReconcile,
  type Action,
  type Backoff,
  type DesiredIngress,
  type IngressStatus,
  type ObservedIngress,
} from "./plan";

/** The part of LiveKit's Ingress API the reconciler uses (a fake stands in for it in unit tests). */
export interface IngressApi {
  list(): Promise<ObservedIngress[]>;
  create(d: DesiredIngress): Promise<string>;
  remove(ingressId: string): Promise<void>;
}

/** protocol IngressState.Status (not re-exported by the SDK): INACTIVE 0 … COMPLETE 4. */
const STATUS: Record<number, IngressStatus> = { 0: "inactive", 1: "buffering", 2: "publishing", 3: "error", 4: "complete" };

/** protocol VideoQuality: LOW 0, MEDIUM 1, HIGH 2 (not re-exported by the SDK). */
const QUALITY = { low: 0, medium: 1, high: 2 } as const;

export function livekitIngressApi(url: string, creds: ApiCredentials): IngressApi {
  const client = new IngressClient(apiUrl(url), creds.apiKey, creds.apiSecret);
  const observe = (i: IngressInfo): ObservedIngress => ({
    ingressId: i.ingressId,
    name: i.name,
    roomName: i.roomName,
    url: i.url,
    status: STATUS[i.state?.status ?? 0] ?? "inactive",
    error: i.state?.error || undefined,
  });
  return {
    list: async () => (await client.listIngress({})).map(observe),
    create: async (d) => {
      const info = await client.createIngress(IngressInput.URL_INPUT, {
        name: d.name,
        roomName: d.roomName,
        participantIdentity: d.identity,
        participantName: d.participantName,
        url: d.url,
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
      return info.ingressId;
    },
    remove: async (id) => {
      await client.deleteIngress(id);
    },
  };
}

export interface ReconcileReport {
  lines: string[];
  failed: number;
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

/**
 * One pass: list, plan, apply. API errors are reported per camera and back that camera off; they
 * never stop the pass. `backoff` carries across passes in --watch mode.
 */
export async function reconcileOnce(
  api: IngressApi,
  desired: DesiredIngress[],
  backoff: Map<string, Backoff>,
  now = Date.now(),
): Promise<ReconcileReport> {
  const lines: string[] = [];
  let failed = 0;
  let observed: ObservedIngress[];
  try {
    observed = await api.list();
  } catch (e) {
    return { lines: [`cannot list ingresses: ${e instanceof Error ? e.message : String(e)}`], failed: 1 };
  }
  for (const o of observed) if (o.status === "publishing") backoff.delete(o.name);
  const { actions, waiting } = planReconcile(desired, observed, backoff, now);
  for (const a of actions) {
    const name = a.kind === "delete" ? a.observed.name : a.desired.name;
    try {
      if (a.kind !== "create") await api.remove(a.observed.ingressId);
      if (a.kind !== "delete") {
        const id = await api.create(a.desired);
        lines.push(`${describe(a)} -> ${id}`);
      } else lines.push(describe(a));
      // A re-created camera may be flapping: space out the next attempt.
      if (a.kind === "recreate") backoff.set(name, nextBackoff(backoff.get(name), now));
    } catch (e) {
      failed++;
      const b = nextBackoff(backoff.get(name), now);
      backoff.set(name, b);
      lines.push(
        `${describe(a)} failed: ${e instanceof Error ? e.message : String(e)} (retry in ${Math.round((b.nextAt - now) / 1000)} s)`,
      );
    }
  }
  for (const w of waiting) lines.push(`waiting ${Math.round((w.until - now) / 1000)} s before retrying ${w.name}`);
  if (actions.length === 0 && waiting.length === 0) lines.push(`${desired.length} camera ingress(es) in place`);
  return { lines, failed };
}
