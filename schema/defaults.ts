import { DEFAULT_DENIED_PEERS } from "./net";

/**
 * Defaults that are not ports (see ports.ts) or versions (see versions.ts). Values quoted from the
 * seed unless the comment says otherwise.
 */
export const DEFAULTS = {
  rooms: {
    /** Seed: "Room destroyed 60s after last viewer leaves" (LiveKit's own default is 300 s). */
    emptyTimeoutSeconds: 60,
    departureTimeoutSeconds: 20,
    autoCreate: true,
    namePrefix: "camera_",
  },
  /** Seed's simulcast table. LiveKit has no server key for these: publishers choose layers. */
  simulcastLayers: [
    { name: "high", width: 1920, height: 1080, bitrateKbps: 3000, fps: 25 },
    { name: "medium", width: 1280, height: 720, bitrateKbps: 1500, fps: 25 },
    { name: "low", width: 640, height: 360, bitrateKbps: 500, fps: 15 },
  ],
  resources: {
    // Seed: SFU 2-4 cores, 2-4 GB; Ingress 1-2 cores, 1-2 GB; coturn 0.5-1 core, 256-512 MB.
    sfu: { requests: { cpu: "2", memory: "2Gi" }, limits: { cpu: "4", memory: "4Gi" } },
    ingress: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
    turn: { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    valkey: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    mediamtx: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } },
    /** The camera reconciler: one Node process polling the Ingress API. */
    cameras: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "256Mi" } },
    /** The Docker TLS edge: Caddy proxying signalling only (media never passes through it). */
    edge: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "256Mi" } },
  },
  /** Room memory from the seed: ~10 MB per active room plus 1-2 GB overhead (we take 1 GiB). */
  sfuMemoryPerRoomBytes: 10 * 1024 ** 2,
  sfuMemoryOverheadBytes: 1024 ** 3,
  /** Valkey needs headroom under its container limit for buffers and AOF rewrites. */
  valkeyMaxmemoryShareOfLimit: 0.8,
  valkeyMaxmemory: "768mb",
  /** Finite drain: camera rooms never empty, so LiveKit's own drain would wait forever. */
  sfuDrainSeconds: 600,
  /** The seed's port range (schema/ports.ts, UDP_MODES); `single` is the opt-in that lifts the per-node port limit. */
  sfuUdpMode: "range" as const,
  /** How often the camera reconciler compares config and server (seconds). */
  reconcileSeconds: 15,
  turnUserQuota: 12,
  /** Passthrough cameras per publisher process: a failure darkens at most this many tiles. */
  publisherCamerasPerReplica: 50,
  /**
   * Publisher sizing per camera (main + sub stream relayed, no decoding) over a base process.
   * CPU is measured by the passthrough bench (bench/results/camera.json); memory is the RTP
   * reorder and write buffers of two streams.
   */
  publisherBase: { cpu: 0.1, memoryMiB: 64 },
  publisherPerCamera: { cpu: 0.03, memoryMiB: 8 },
  ingressRtmpCpuCost: 2,
  /** Ingress memory: the service and GStreamer's base, plus one pipeline (decode + encoders) per camera. */
  ingressMemoryBaseMiB: 512,
  ingressMemoryPerCameraMiB: 512,
  deniedPeers: DEFAULT_DENIED_PEERS,
  kubernetesNamespace: "lkstack",
  zoneTopologyKey: "topology.kubernetes.io/zone",
  /** AOF for Ingress definitions and room state; small, but give rewrites room. */
  valkeyStorage: "8Gi",
  monitoring: { namespace: "monitoring" },
  /** Where the cluster DNS pods run and how they are labelled (kube-dns and CoreDNS alike). */
  clusterDns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } },
  dockerSubnet: "172.30.42.0/24",
  edge: {
    /**
     * How long the edge keeps an idle signalling WebSocket open. LiveKit pings every few seconds, so
     * this only bounds a dead peer; ingress-nginx's 60 s default would cut slow reconnects.
     */
    websocketTimeoutSeconds: 3600,
    /** `lkstack doctor` fails a certificate with fewer days left than this (cert-manager renews at 30). */
    minCertDays: 14,
  },
  /** How often coturn's and the Docker edge's watchers compare the mounted certificate (seconds). */
  certWatchSeconds: 30,
  logLevel: "info",
} as const;
