import { SECRET_ENV } from "../schema";
import { reconcilerEndpoints, RECONCILER_ENV } from "../templates";
import { apiCredentials, secretsFor } from "./credentials";
import { loadStackConfig } from "./stackFile";
import { desiredIngresses, type Backoff } from "../reconciler/plan";
import { reconcileOnce } from "../reconciler/reconcile";
import { reconcileTarget } from "../reconciler/runner";

export interface CamerasReconcileOptions {
  stack: string;
  project: string;
  /** LiveKit's API (http(s):// or ws(s)://); else env LIVEKIT_URL. Required: the stack's own address is in-cluster. */
  url?: string;
  /** MediaMTX's control API; else env MEDIAMTX_API_URL, else the stack's in-cluster address. */
  mediamtxUrl?: string;
  /** Where MediaMTX reaches the Ingress's RTMP listener; else env LKSTACK_INGRESS_RTMP_URL, else the stack's. */
  ingressRtmpUrl?: string;
  watch: boolean;
  intervalMs: number;
}

export class CamerasUsageError extends Error {}

/**
 * `lkstack cameras reconcile`: the in-stack reconciler's passes, run by an operator. Exit 0 when
 * the last pass had no failure. With --watch it runs until interrupted.
 */
export async function camerasReconcile(
  o: CamerasReconcileOptions,
  env: Record<string, string | undefined>,
  out: (line: string) => void,
): Promise<number> {
  const cfg = loadStackConfig(o.stack, o.project);
  const url = o.url ?? env[RECONCILER_ENV.livekitUrl];
  if (!url) throw new CamerasUsageError("--url (or env LIVEKIT_URL) is required, e.g. http://<sfu-node>:7880");
  const defaults = reconcilerEndpoints(cfg);
  const creds = apiCredentials(o.stack, env, o.project);
  const password = secretsFor(o.stack, [{ env: SECRET_ENV.mediamtxApiPassword, output: "mediamtxApiPassword" }], env, o.project).values[
    SECRET_ENV.mediamtxApiPassword
  ];
  const target = reconcileTarget({
    livekitUrl: url,
    apiKey: creds.apiKey,
    apiSecret: creds.apiSecret,
    mediamtxApiUrl: o.mediamtxUrl ?? env[RECONCILER_ENV.mediamtxApiUrl] ?? defaults.mediamtxApiUrl,
    mediamtxApiPassword: password,
    ingressRtmpUrl: o.ingressRtmpUrl ?? env[RECONCILER_ENV.ingressRtmpUrl] ?? defaults.ingressRtmpUrl,
  });
  const desired = desiredIngresses(cfg);
  const backoff = new Map<string, Backoff>();
  for (;;) {
    const report = await reconcileOnce(target, desired, backoff);
    for (const line of report.lines) out(line);
    if (!o.watch) return report.failed === 0 ? 0 : 1;
    await new Promise((r) => setTimeout(r, o.intervalMs));
  }
}
