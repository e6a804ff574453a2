import { DEFAULTS } from "../schema";
import type { DesiredIngress } from "../templates/cameras";

// The desired ingresses are computed at render time (templates/cameras.ts); the deployment ships them.
export { desiredIngresses, type DesiredIngress } from "../templates/cameras";

export type IngressStatus = "inactive" | "buffering" | "publishing" | "error" | "complete";

/** An ingress as the server lists it. */
export interface ObservedIngress {
  ingressId: string;
  name: string;
  roomName: string;
  /** "rtmp" for the ingresses this package makes; anything else is from an older layout. */
  input: "rtmp" | "url" | "whip" | "other";
  /** The RTMP stream key: the credential MediaMTX publishes with. Never printed. */
  streamKey: string;
  status: IngressStatus;
  error?: string;
}

export type Action =
  | { kind: "create"; desired: DesiredIngress }
  | { kind: "delete"; observed: ObservedIngress; reason: string }
  | { kind: "recreate"; observed: ObservedIngress; desired: DesiredIngress; reason: string };

/** Per camera: how many attempts in a row went wrong, and when the next may run. */
export interface Backoff {
  attempts: number;
  nextAt: number;
}

export const BACKOFF = { firstMs: 5_000, maxMs: 300_000 } as const;

export function nextBackoff(prev: Backoff | undefined, now: number): Backoff {
  const attempts = (prev?.attempts ?? 0) + 1;
  return { attempts, nextAt: now + Math.min(BACKOFF.maxMs, BACKOFF.firstMs * 2 ** (attempts - 1)) };
}

/** Ingresses this package owns: named after their camera room. */
export function isManaged(name: string): boolean {
  return name.startsWith(DEFAULTS.rooms.namePrefix);
}

/**
 * Where MediaMTX sends a camera: the Ingress's RTMP listener, with the ingress's stream key as
 * the publishing name (MediaMTX takes it from the URL fragment).
 */
export function forwardUrl(ingressRtmpUrl: string, streamKey: string): string {
  return `${ingressRtmpUrl.replace(/\/+$/, "")}/live#${streamKey}`;
}

/**
 * One reconcile pass over the Ingress service, pure: create what is missing, delete what is no
 * longer listed (managed names only), re-create what drifted (another room or input type), and
 * keep one of any duplicates. An RTMP ingress is reusable: one that errored or whose stream ended
 * takes the next stream MediaMTX sends, so it is kept (re-creating it would change its key).
 * A camera that keeps failing waits out its backoff.
 */
export function planReconcile(
  desired: DesiredIngress[],
  observed: ObservedIngress[],
  backoff: ReadonlyMap<string, Backoff>,
  now: number,
): { actions: Action[]; waiting: { name: string; until: number }[] } {
  const actions: Action[] = [];
  const waiting: { name: string; until: number }[] = [];
  const wanted = new Map(desired.map((d) => [d.name, d]));
  const byName = new Map<string, ObservedIngress[]>();
  for (const o of observed) if (isManaged(o.name)) byName.set(o.name, [...(byName.get(o.name) ?? []), o]);
  /** Per wanted camera, the one copy kept. */
  const kept = new Map<string, ObservedIngress>();

  for (const [name, list] of byName) {
    if (!wanted.has(name)) {
      for (const o of list) actions.push({ kind: "delete", observed: o, reason: "camera no longer in the stack config" });
      continue;
    }
    // Keep the healthiest copy; a duplicate would publish the same camera twice.
    const rank: Record<IngressStatus, number> = { publishing: 0, buffering: 1, inactive: 2, error: 3, complete: 4 };
    const sorted = [...list].sort((a, b) => rank[a.status] - rank[b.status]);
    const [healthiest, ...extras] = sorted;
    for (const extra of extras) actions.push({ kind: "delete", observed: extra, reason: "duplicate" });
    kept.set(name, healthiest);
  }

  for (const d of desired) {
    const current = kept.get(d.name);
    const wait = backoff.get(d.name);
    let action: Action | undefined;
    if (!current) action = { kind: "create", desired: d };
    else if (current.input !== "rtmp")
      action = { kind: "recreate", observed: current, desired: d, reason: `input ${current.input}, not rtmp` };
    else if (current.roomName !== d.roomName) action = { kind: "recreate", observed: current, desired: d, reason: "room changed" };
    if (!action) continue;
    if (wait && wait.nextAt > now) waiting.push({ name: d.name, until: wait.nextAt });
    else actions.push(action);
  }
  return { actions, waiting };
}

/** A MediaMTX path's forward destinations as its control API reports them. */
export type ObservedForwards = ReadonlyMap<string, readonly string[]>;

/**
 * The forward each camera path needs, given the ingresses in place after this pass: exactly one
 * destination, the Ingress with that camera's stream key. Paths already right are left alone.
 */
export function planForwards(
  desired: DesiredIngress[],
  ingresses: ReadonlyMap<string, { streamKey: string }>,
  observed: ObservedForwards,
  ingressRtmpUrl: string,
): { path: string; dest: string }[] {
  const out: { path: string; dest: string }[] = [];
  for (const d of desired) {
    const ingress = ingresses.get(d.name);
    if (!ingress?.streamKey) continue;
    const dest = forwardUrl(ingressRtmpUrl, ingress.streamKey);
    const now = observed.get(d.name);
    if (!now || now.length !== 1 || now[0] !== dest) out.push({ path: d.name, dest });
  }
  return out;
}
