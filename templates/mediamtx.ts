import {
  cameraIngest,
  cameraSourceRtsp,
  cameraStreams,
  cameraStreamUrl,
  camerasWithIngest,
  cameraSourceUrl,
  ConfigError,
  type LayerQuality,
  missingCameraCredentials,
  type FileLayout,
  type StackConfig,
  type StackSecrets,
} from "../schema";
import { CHUNK_BUDGET, chunkFileName, OBJECT_LIMITS, packInOrder, utf8Bytes } from "./chunks";
import { banner, compact, toYaml } from "./common";
import { pathsYaml, type MediamtxPath } from "./mediamtxPaths";

/**
 * The MediaMTX account the camera reconciler uses on MediaMTX's control API: it points each camera
 * path's `forward` at that camera's Ingress stream key, which exists only once the ingress does.
 */
export const MEDIAMTX_API_USER = "lkstack-reconciler";

/** The read-only account the passthrough publisher pulls each camera's streams with. */
export const MEDIAMTX_READ_USER = "lkstack-publisher";

export function cameraPath(id: string): string {
  return `camera_${id.toLowerCase()}`;
}

/** A passthrough camera's stream: its high stream keeps the camera's path, the others add their layer. */
export function cameraStreamPath(id: string, quality: LayerQuality): string {
  return quality === "high" ? cameraPath(id) : `${cameraPath(id)}_${quality}`;
}

type Camera = StackConfig["cameras"][number];

/** What MediaMTX pulls for a camera: one path (transcode), or one per stream (passthrough), high first. */
function cameraSources(cam: Camera): [string, string][] {
  if (cameraIngest(cam) === "transcode") return [[cameraPath(cam.id), cameraSourceRtsp(cam)]];
  return cameraStreams(cam).map((s) => [cameraStreamPath(cam.id, s.quality), cameraStreamUrl(cam.rtsp, s.path)]);
}

/** Every camera's paths, in camera order. */
function mediamtxPaths(cfg: StackConfig, secrets: StackSecrets | undefined): Map<string, MediamtxPath> {
  return new Map(
    cfg.cameras.flatMap((cam) =>
      cameraSources(cam).map(([name, url]) => [
        name,
        {
          source: cameraSourceUrl(url, cam.credentials && secrets ? secrets.cameraCredentials[cam.credentials] : undefined),
          // A transcode camera is always pulled: MediaMTX forwards a path only while it has a source,
          // and forwarding is not a reader that would start an on-demand one. A passthrough camera
          // published on demand is pulled while the publisher reads it, so an unwatched camera
          // costs no bandwidth either.
          sourceOnDemand: cfg.publisher.onDemand && cameraIngest(cam) === "passthrough",
        },
      ]),
    ),
  );
}

/** mediamtx.yml but its `paths` (written by pathsYaml, last). */
function mediamtxSettings(cfg: StackConfig, secrets: StackSecrets | undefined): Record<string, unknown> {
  const m = cfg.mediamtx;
  // The publisher's account exists only where a passthrough camera needs it: it may read, nothing else.
  const publisherUser =
    camerasWithIngest(cfg.cameras, "passthrough").length > 0
      ? [compact({ user: MEDIAMTX_READ_USER, pass: secrets?.mediamtxReadPassword, ips: [], permissions: [{ action: "read" }] })]
      : [];
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
      ...publisherUser,
      { user: "any", pass: "", ips: ["127.0.0.1", "::1"], permissions: [{ action: "api" }, { action: "metrics" }] },
    ],
    api: true,
    apiAddress: `:${m.ports.api}`,
    metrics: true,
    // Loopback only, and only the loopback user may read it: nothing in the stack scrapes MediaMTX
    // (the camera path shows in the Ingress's and the SFU's metrics), so no password for it exists
    // to hand to Prometheus. MediaMTX could take one (authInternalUsers, action "metrics").
    metricsAddress: `127.0.0.1:${m.ports.metrics}`,
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
  };
}

const NOTE = "Camera credentials and the API and reader passwords exist only in the Secret-held copy.";

function mediamtxYaml(cfg: StackConfig, secrets: StackSecrets | undefined): string {
  return (
    banner("#", "mediamtx", cfg.versions.mediamtx, NOTE) + toYaml(mediamtxSettings(cfg, secrets)) + pathsYaml(mediamtxPaths(cfg, secrets))
  );
}

/**
 * The public body and the part plan, once per config object: the renderers, the Secrets and the
 * workloads each ask for them, and for thousands of cameras every YAML pass costs (bench/cli). A
 * parsed StackConfig is never mutated, so its identity is its content.
 */
const publicBodies = new WeakMap<StackConfig, string>();
const partStarts = new WeakMap<StackConfig, string[]>();

/** mediamtx.yml without any password (for review and backups). */
export function renderMediamtxConfig(cfg: StackConfig): string {
  let body = publicBodies.get(cfg);
  if (body === undefined) {
    body = mediamtxYaml(cfg, undefined);
    publicBodies.set(cfg, body);
  }
  return body;
}

/**
 * The body MediaMTX runs with. Camera paths are named camera_<uuid>, and MediaMTX's env overrides
 * split map keys at "_", so per-path credentials cannot come from MTX_* env: the body is a Secret.
 */
export function renderMediamtxSecretBody(cfg: StackConfig, secrets: StackSecrets): string {
  const missing = missingCameraCredentials(cfg, secrets.cameraCredentials);
  if (missing.length > 0) throw new ConfigError(missing);
  return mediamtxYaml(cfg, secrets);
}

/**
 * What the split plans for the secret material the public body lacks: a camera's percent-encoded
 * username and password (bytes, per source URL), and the header's API password line.
 */
export const MEDIAMTX_SECRET_ALLOWANCE = { perCamera: 256, header: 512 } as const;

/** Credentials go into each of the camera's source URLs. */
function credentialAllowance(cam: Camera): number {
  return cam.credentials ? MEDIAMTX_SECRET_ALLOWANCE.perCamera * cameraSources(cam).length : 0;
}

/** Where a camera's entry starts in mediamtx.yml: its key under `paths`, on a line of its own. */
const entryMarker = (id: string): string => `\n  ${cameraPath(id)}:\n`;

/** `body` cut before the entry of each camera in `startIds` (the cut keeps the newline with the part before). */
function cutBefore(body: string, startIds: readonly string[]): string[] {
  const parts: string[] = [];
  let from = 0;
  for (const id of startIds) {
    const at = body.indexOf(entryMarker(id), from);
    if (at < 0) throw new Error(`mediamtx.yml has no entry for ${cameraPath(id)}`);
    parts.push(body.slice(from, at + 1));
    from = at + 1;
  }
  parts.push(body.slice(from));
  return parts;
}

/**
 * The cameras that start each part of the Secret-held mediamtx.yml after the first. Planned from
 * the config alone (the public body plus an allowance for each camera's credentials), so how many
 * Secrets exist never depends on a secret value; each part stays under the secret chunk budget.
 */
export function mediamtxPartStarts(cfg: StackConfig): string[] {
  const known = partStarts.get(cfg);
  if (known) return [...known];
  const ids = cfg.cameras.map((c) => c.id);
  const segments = cutBefore(renderMediamtxConfig(cfg), ids);
  // Segment 0 is the header (no camera, so no id); segment i is camera i - 1's entry.
  const items = segments.map((seg, i) => ({
    id: ids[i - 1] as string | undefined,
    bytes: utf8Bytes(seg) + (i === 0 ? MEDIAMTX_SECRET_ALLOWANCE.header : credentialAllowance(cfg.cameras[i - 1])),
  }));
  // The first part starts with the header, so it has no camera to start at.
  const starts = packInOrder(items, (it) => it.bytes, CHUNK_BUDGET.secret)
    .map((group) => group[0].id)
    .filter((id): id is string => id !== undefined);
  partStarts.set(cfg, starts);
  return [...starts];
}

/** The part names, mediamtx-000.yml, …: from the config alone. */
export function mediamtxPartNames(cfg: StackConfig): string[] {
  return Array.from({ length: mediamtxPartStarts(cfg).length + 1 }, (_, i) => chunkFileName("mediamtx", i));
}

/**
 * The Secret-held body in parts, each its own Secret (Kubernetes) or Swarm secret; joined in name
 * order they are the body, byte for byte. Credentials far longer than the plan allows are refused
 * here rather than by the platform at deploy time.
 */
export function mediamtxSecretParts(cfg: StackConfig, body: string): Record<string, string> {
  const parts = cutBefore(body, mediamtxPartStarts(cfg));
  const names = mediamtxPartNames(cfg);
  const over = parts.map((p, i) => ({ i, n: utf8Bytes(p) })).filter((p) => p.n >= OBJECT_LIMITS.swarmSecret);
  if (over.length > 0)
    throw new ConfigError(
      over.map((p) => ({
        path: ["cameraCredentials"],
        problem: `part ${names[p.i]} of mediamtx.yml would be ${p.n} bytes, over the ${OBJECT_LIMITS.swarmSecret}-byte limit of one secret: the camera credentials average more than the ${MEDIAMTX_SECRET_ALLOWANCE.perCamera} bytes per camera (percent-encoded) the split plans for`,
        fix: "use shorter camera usernames and passwords",
      })),
    );
  return Object.fromEntries(parts.map((p, i) => [names[i], p]));
}

/**
 * Joins the parts into the file MediaMTX reads, on a memory volume and owner-only (umask 077), as
 * coturn's start does: MediaMTX has no include. No secret is on the command line.
 */
export function mediamtxJoinScript(layout: FileLayout, partNames: readonly string[]): string {
  const m = layout.mediamtx;
  return `umask 077 && cat ${partNames.map((n) => `${m.partsDir}/${n}`).join(" ")} > ${m.config}`;
}
