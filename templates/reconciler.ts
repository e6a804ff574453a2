import { CONTAINER_LAYOUT, DEFAULT_PORTS, DEFAULTS, topology, type StackConfig } from "../schema";

/** The env the camera reconciler reads: one table for its runner, both targets and the CLI. */
export const RECONCILER_ENV = {
  livekitUrl: "LIVEKIT_URL",
  mediamtxApiUrl: "MEDIAMTX_API_URL",
  ingressRtmpUrl: "LKSTACK_INGRESS_RTMP_URL",
  /** The directory of cameras-NNN.json files (the desired ingresses). */
  camerasDir: "LKSTACK_CAMERAS_DIR",
  periodSeconds: "LKSTACK_RECONCILE_SECONDS",
  healthPort: "LKSTACK_HEALTH_PORT",
} as const;

/** Where the reconciler reaches LiveKit and MediaMTX, and where MediaMTX reaches the Ingress. */
export function reconcilerEndpoints(cfg: StackConfig): { livekitUrl: string; mediamtxApiUrl: string; ingressRtmpUrl: string } {
  const t = topology(cfg);
  return {
    livekitUrl: t.sfuWsUrl,
    mediamtxApiUrl: `http://${t.mediamtxHost}:${cfg.mediamtx.ports.api}`,
    ingressRtmpUrl: `rtmp://${t.ingressHost}:${cfg.ingress.ports.rtmp}`,
  };
}

/** Settings the in-stack reconciler reads from env (secrets come separately, from its Secret). */
export function reconcilerEnv(cfg: StackConfig): Record<string, string> {
  const e = reconcilerEndpoints(cfg);
  return {
    [RECONCILER_ENV.livekitUrl]: e.livekitUrl,
    [RECONCILER_ENV.mediamtxApiUrl]: e.mediamtxApiUrl,
    [RECONCILER_ENV.ingressRtmpUrl]: e.ingressRtmpUrl,
    [RECONCILER_ENV.camerasDir]: CONTAINER_LAYOUT.cameras.ingressesDir,
    [RECONCILER_ENV.periodSeconds]: String(DEFAULTS.reconcileSeconds),
    [RECONCILER_ENV.healthPort]: String(DEFAULT_PORTS.cameras.health),
  };
}
