import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { CONTAINER_LAYOUT, DEFAULT_PORTS, SECRET_ENV } from "../schema";
import { isChunkFile, MEDIAMTX_API_USER, parseDesiredIngressFiles, RECONCILER_ENV, type DesiredIngress } from "../templates";
import type { Backoff } from "./plan";
import { livekitIngressApi, mediamtxApi, reconcileOnce, type ReconcileTarget } from "./reconcile";

/** The reconciler's view of its environment, shared by the in-stack runner and `lkstack cameras reconcile`. */
export interface ReconcilerSettings {
  livekitUrl: string;
  apiKey: string;
  apiSecret: string;
  mediamtxApiUrl: string;
  mediamtxApiPassword: string;
  ingressRtmpUrl: string;
}

export function reconcileTarget(s: ReconcilerSettings): ReconcileTarget {
  return {
    ingress: livekitIngressApi(s.livekitUrl, { apiKey: s.apiKey, apiSecret: s.apiSecret }),
    mediamtx: mediamtxApi(s.mediamtxApiUrl, MEDIAMTX_API_USER, s.mediamtxApiPassword),
    ingressRtmpUrl: s.ingressRtmpUrl,
  };
}

/** Every cameras-NNN.json in `dir`, in name order (a projected volume also holds ..data links: skipped). */
export function readDesiredIngresses(dir: string): DesiredIngress[] {
  const names = readdirSync(dir).filter((n) => isChunkFile("cameras", n));
  if (names.length === 0) throw new Error(`${dir} holds no cameras-NNN.json`);
  return parseDesiredIngressFiles(Object.fromEntries(names.map((n) => [n, readFileSync(join(dir, n), "utf8")])));
}

/**
 * Healthy while passes keep finishing: a hung API call stops them. Three missed periods plus 30 s
 * of slack, so one slow pass against a loaded API server is not a restart.
 */
export function passIsFresh(lastPassMs: number, nowMs: number, periodMs: number): boolean {
  return nowMs - lastPassMs < 3 * periodMs + 30_000;
}

/** Aborted on the first SIGTERM (the pod's stop). */
function onSigterm(): AbortSignal {
  const stop = new AbortController();
  process.once("SIGTERM", () => stop.abort());
  return stop.signal;
}

/**
 * The in-stack reconciler (bundled by esbuild into one file the stack runs on a stock Node image):
 * the desired ingresses from the mounted cameras-NNN.json files, endpoints from env, credentials
 * from a Secret.
 * One pass every LKSTACK_RECONCILE_SECONDS until `stop` (SIGTERM in the stack).
 */
export async function runReconciler(env: NodeJS.ProcessEnv, stop: AbortSignal = onSigterm()): Promise<void> {
  const need = (name: string): string => {
    const v = env[name];
    if (!v) throw new Error(`${name} is not set`);
    return v;
  };
  const desired = readDesiredIngresses(env[RECONCILER_ENV.camerasDir] ?? CONTAINER_LAYOUT.cameras.ingressesDir);
  const target = reconcileTarget({
    livekitUrl: need(RECONCILER_ENV.livekitUrl),
    apiKey: need(SECRET_ENV.apiKey),
    apiSecret: need(SECRET_ENV.apiSecret),
    mediamtxApiUrl: need(RECONCILER_ENV.mediamtxApiUrl),
    mediamtxApiPassword: need(SECRET_ENV.mediamtxApiPassword),
    ingressRtmpUrl: need(RECONCILER_ENV.ingressRtmpUrl),
  });
  const periodMs = Number(env[RECONCILER_ENV.periodSeconds] ?? 15) * 1000;
  const backoff = new Map<string, Backoff>();
  let lastPass = Date.now();
  const health = createServer((_req, res) => {
    const fresh = passIsFresh(lastPass, Date.now(), periodMs);
    res.writeHead(fresh ? 200 : 503, { "content-type": "text/plain" });
    res.end(fresh ? "ok" : "stalled");
  }).listen(Number(env[RECONCILER_ENV.healthPort] ?? DEFAULT_PORTS.cameras.health));
  while (!stop.aborted) {
    const report = await reconcileOnce(target, desired, backoff);
    lastPass = Date.now();
    for (const line of report.lines) process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    // Aborting rejects the wait (AbortError): that is the stop, checked by the loop.
    await sleep(periodMs, undefined, { signal: stop }).catch(() => undefined);
  }
  await new Promise<void>((closed) => health.close(() => closed()));
}

if (require.main === module)
  runReconciler(process.env).catch((e: unknown) => {
    process.stderr.write(`reconciler: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
