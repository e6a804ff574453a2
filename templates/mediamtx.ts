import { cameraSourceUrl, ConfigError, missingCameraCredentials, type StackConfig, type StackSecrets } from "../schema";
import { banner, compact, toYaml } from "./common";

/**
 * The MediaMTX account the camera reconciler uses on MediaMTX's control API: it points each camera
 * path's `forward` at that camera's Ingress stream key, which exists only once the ingress does.
 */
export const MEDIAMTX_API_USER = "lkstack-reconciler";

export function cameraPath(id: string): string {
  return `camera_${id.toLowerCase()}`;
}


function mediamtxDoc(cfg: StackConfig, secrets: StackSecrets | undefined): Record<string, unknown> {
  const m = cfg.mediamtx;
  const paths = Object.fromEntries(
    cfg.cameras.map((cam) => [
      cameraPath(cam.id),
      {
        source: cameraSourceUrl(cam.rtsp, cam.credentials && secrets ? secrets.cameraCredentials[cam.credentials] : undefined),
        // Always pulled: MediaMTX forwards a path only while it has a source, and forwarding is
        // not a reader that would start an on-demand one.
        sourceOnDemand: false,
      },
    ]),
  );
  return {
    logLevel: "info",
    logDestinations: ["stdout"],
    readTimeout: "10s",
    writeTimeout: "10s",
    writeQueueSize: 512,
    authMethod: "internal",
    // Explicit users: MediaMTX's defaults let anyone publish to and read every path.
    authInternalUsers: [
      compact({
        user: MEDIAMTX_API_USER,
        pass: secrets?.mediamtxApiPassword,
        ips: [],
        permissions: [{ action: "api" }],
      }),
      { user: "any", pass: "", ips: ["127.0.0.1", "::1"], permissions: [{ action: "api" }, { action: "metrics" }] },
    ],
    api: true,
    apiAddress: `:${m.ports.api}`,
    metrics: true,
    metricsAddress: `:${m.ports.metrics}`,
    pprof: false,
    playback: false,
    rtsp: true,
    rtspTransports: ["tcp"],
    rtspAddress: `:${m.ports.rtsp}`,
    rtspAuthMethods: ["basic"],
    rtmp: false,
    hls: false,
    webrtc: false,
    moq: false,
    // Nothing reads cameras over SRT: MediaMTX pushes each one to the Ingress over RTMP.
    srt: false,
    pathDefaults: { rtspTransport: m.rtspTransport },
    paths,
  };
}

const NOTE = "Camera credentials and the reader password exist only in the Secret-held copy.";

/** mediamtx.yml without any password (for review and backups). */
export function renderMediamtxConfig(cfg: StackConfig): string {
  return banner("#", "mediamtx", cfg.versions.mediamtx, NOTE) + toYaml(mediamtxDoc(cfg, undefined));
}

/**
 * The body MediaMTX runs with. Camera paths are named camera_<uuid>, and MediaMTX's env overrides
 * split map keys at "_", so per-path credentials cannot come from MTX_* env: the body is a Secret.
 */
export function renderMediamtxSecretBody(cfg: StackConfig, secrets: StackSecrets): string {
  const missing = missingCameraCredentials(cfg, secrets.cameraCredentials);
  if (missing.length > 0) throw new ConfigError(missing);
  return banner("#", "mediamtx", cfg.versions.mediamtx, NOTE) + toYaml(mediamtxDoc(cfg, secrets));
}
