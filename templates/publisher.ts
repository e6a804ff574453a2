import {
  CONTAINER_LAYOUT,
  PUBLISHER_VERSION,
  SERVICE_NAMES,
  cameraStreams,
  publisherReplicaCount,
  camerasWithIngest,
  topology,
  type StackConfig,
} from "../schema";
import { CHUNK_BUDGET, chunkFileName, packInOrder, utf8Bytes } from "./chunks";
import { cameraStreamPath, MEDIAMTX_READ_USER } from "./mediamtx";

/**
 * The env the passthrough publisher (publisher/, Go) reads: one table for both targets and the
 * tests. Secrets (LIVEKIT_API_KEY/SECRET, MEDIAMTX_READ_PASSWORD) come from its Secret.
 */
export const PUBLISHER_ENV = {
  livekitUrl: "LIVEKIT_URL",
  mediamtxRtspUrl: "MEDIAMTX_RTSP_URL",
  mediamtxReadUser: "MEDIAMTX_READ_USER",
  /** The directory of publish-NNN.json files. */
  camerasDir: "LKSTACK_CAMERAS_DIR",
  shardCount: "LKSTACK_SHARD_COUNT",
  /** Unset on Kubernetes: the StatefulSet pod's ordinal (HOSTNAME's "-<n>") is its shard. */
  shardIndex: "LKSTACK_SHARD_INDEX",
  healthPort: "LKSTACK_HEALTH_PORT",
  onDemand: "LKSTACK_ON_DEMAND",
  idleStopSeconds: "LKSTACK_IDLE_STOP_SECONDS",
} as const;

/** Where the publisher takes LiveKit's webhooks (on its health port). */
export const PUBLISHER_WEBHOOK_PATH = "/webhook";

/**
 * The webhook receivers on-demand publishing adds to livekit.yaml: every publisher (each pod of the
 * StatefulSet by its stable name), since each acts only on the cameras of its own shard.
 */
export function publisherWebhookUrls(cfg: StackConfig): string[] {
  const replicas = publisherReplicaCount(cfg);
  if (!cfg.publisher.onDemand || replicas === 0) return [];
  const port = cfg.publisher.ports.health;
  const name = SERVICE_NAMES.publisher;
  if (cfg.target === "kubernetes")
    return Array.from(
      { length: replicas },
      (_, i) => `http://${name}-${i}.${name}.${cfg.kubernetes.namespace}.svc.cluster.local:${port}${PUBLISHER_WEBHOOK_PATH}`,
    );
  const host = topology(cfg).dockerAddresses?.publisher ?? name;
  return [`http://${host}:${port}${PUBLISHER_WEBHOOK_PATH}`];
}

/** Every webhook receiver LiveKit posts to: the operator's, then the publishers'. */
export function webhookUrls(cfg: StackConfig): string[] {
  return [...cfg.webhook.urls, ...publisherWebhookUrls(cfg)];
}

/** One passthrough camera as the publisher reads it: its room, and its streams as layers, high first. */
export interface PublishedCamera {
  id: string;
  room: string;
  identity: string;
  name: string;
  layers: { quality: "high" | "medium" | "low"; path: string; width: number; height: number; bitrateKbps: number; fps: number }[];
}

export function publishedCameras(cfg: StackConfig): PublishedCamera[] {
  return camerasWithIngest(cfg.cameras, "passthrough").map((cam) => {
    const room = cameraStreamPath(cam.id, "high");
    return {
      id: cam.id.toLowerCase(),
      room,
      identity: room,
      name: cam.name ?? room,
      layers: cameraStreams(cam).map((s) => ({
        quality: s.quality,
        path: cameraStreamPath(cam.id, s.quality),
        width: s.width,
        height: s.height,
        bitrateKbps: s.bitrateKbps,
        fps: s.fps,
      })),
    };
  });
}

/** The cameras in publish-000.json, …, one camera per line, each file under the public chunk budget. */
export function publishedCameraFiles(cfg: StackConfig): Record<string, string> {
  const lines = publishedCameras(cfg).map((c) => JSON.stringify(c));
  const chunks = packInOrder(lines, (l) => utf8Bytes(l) + 2, CHUNK_BUDGET.public, 5);
  return Object.fromEntries(chunks.map((c, i) => [chunkFileName("publish", i), c.length === 0 ? "[]\n" : `[\n${c.join(",\n")}\n]\n`]));
}

/** Where the image puts the binary, and its argument that checks the running process's /healthz. */
export const PUBLISHER_BINARY = "/usr/local/bin/lkstack-publisher";
export const PUBLISHER_HEALTHCHECK_ARG = "healthcheck";

/**
 * Settings the publisher reads from env. `shards` defaults to one per replica with the index left
 * to the pod name (a StatefulSet's ordinal); the Docker target runs one publisher for all.
 */
export function publisherEnv(
  cfg: StackConfig,
  shards: { count: number; index?: number } = { count: publisherReplicaCount(cfg) },
): Record<string, string> {
  const t = topology(cfg);
  return {
    [PUBLISHER_ENV.livekitUrl]: t.sfuWsUrl,
    [PUBLISHER_ENV.mediamtxRtspUrl]: `rtsp://${t.mediamtxHost}:${cfg.mediamtx.ports.rtsp}`,
    [PUBLISHER_ENV.mediamtxReadUser]: MEDIAMTX_READ_USER,
    [PUBLISHER_ENV.camerasDir]: CONTAINER_LAYOUT.publisher.camerasDir,
    [PUBLISHER_ENV.shardCount]: String(shards.count),
    ...(shards.index === undefined ? {} : { [PUBLISHER_ENV.shardIndex]: String(shards.index) }),
    [PUBLISHER_ENV.healthPort]: String(cfg.publisher.ports.health),
    ...(cfg.publisher.onDemand
      ? {
          [PUBLISHER_ENV.onDemand]: "true",
          [PUBLISHER_ENV.idleStopSeconds]: String(cfg.publisher.idleStopSeconds ?? cfg.rooms.emptyTimeoutSeconds),
        }
      : {}),
  };
}

/** The image name a build makes when no repository is given (Docker: built on the host, never pushed). */
export const LOCAL_PUBLISHER_REPOSITORY = "lkstack-publisher";

/**
 * The image the publisher runs, as far as config alone says: the given reference, or the tag a
 * build pushes (the components swap in the pushed digest once the build has run).
 */
export function publisherImage(cfg: StackConfig): string {
  return cfg.publisher.image ?? `${cfg.publisher.build?.repository ?? LOCAL_PUBLISHER_REPOSITORY}:${PUBLISHER_VERSION}`;
}
