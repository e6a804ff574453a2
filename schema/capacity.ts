import { DEFAULTS } from "./defaults";
import { camerasPerIngress } from "./ingressAdmission";
import { UDP_PORTS_PER_PARTICIPANT, rangeSize, type PortRange, type UdpMode } from "./ports";

/** What one SFU node must carry: every camera room's publisher plus the planned viewers. */
export interface NodeLoad {
  roomsPerNode: number;
  participantsPerNode: number;
  udpPortsNeeded: number;
  memoryNeededBytes: number;
}

export function nodeLoad(cameras: number, concurrentViewers: number, replicas: number, mode: UdpMode): NodeLoad {
  const roomsPerNode = Math.ceil(cameras / replicas);
  const participantsPerNode = Math.ceil((cameras + concurrentViewers) / replicas);
  return {
    roomsPerNode,
    participantsPerNode,
    // Single-port mode: one port (a socket on it per node address), shared by every participant.
    udpPortsNeeded: mode === "single" ? 1 : participantsPerNode * UDP_PORTS_PER_PARTICIPANT,
    memoryNeededBytes: DEFAULTS.sfuMemoryOverheadBytes + roomsPerNode * DEFAULTS.sfuMemoryPerRoomBytes,
  };
}

/** Participants one node can hold before its UDP range runs out (range mode; single-port mode has no such limit). */
export function participantBudget(range: PortRange): number {
  return Math.floor(rangeSize(range) / UDP_PORTS_PER_PARTICIPANT);
}

/** Smallest replica count whose per-node participants fit in the range. */
export function replicasForRange(cameras: number, concurrentViewers: number, range: PortRange, mode: UdpMode): number {
  if (mode === "single") return 1;
  const budget = participantBudget(range);
  return budget === 0 ? Infinity : Math.max(1, Math.ceil((cameras + concurrentViewers) / budget));
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.ceil(bytes / 1024 ** 2)} MiB`;
}

export type ViewingLayer = "high" | "medium" | "low" | "mix";

/**
 * The planner's assumptions, one place. The seed gives bitrates and memory; CPU figures are
 * engineering estimates that `bench/load` measures against on real servers (see README).
 */
export const CAPACITY_MODEL = {
  /** Share of viewers per layer when they browse a grid (low) and open some tiles (high). */
  mix: { high: 0.1, medium: 0.2, low: 0.7 },
  /**
   * SFU cost, fitted by `bench/fit` to `bench/load` on the real livekit-server (the steps below the
   * knee, both ingest modes, least squares on the relative error): a fixed share per node, cores
   * per Gbps of egress, and per published layer (receive, NACK/RTCP). Measured on loopback, where
   * the kernel's NIC work is not charged to the server: plan real nodes to `sfuNodeCores`.
   */
  sfuBaseCoresPerNode: 0.165,
  sfuCoresPerEgressGbps: 0.93,
  sfuCoresPerPublishedLayer: 0.0026,
  /** Beyond the seed's 10 MB per room: each subscriber's buffers and state (the same fit). */
  sfuMemoryPerSubscriberBytes: 786 * 1024,
  /** The seed's node size: 2-4 cores, 2-4 GB. A node is "full" at its upper end. */
  sfuNodeCores: 4,
  /** RTMP input decodes the camera and encodes every layer: about two cores per 1080p camera (rtmpCpuCost). */
  ingressCoresPerCamera: 2,
  ingressNodeCores: 16,
  /** Viewers that end up relayed by TURN (symmetric NAT, UDP blocked): a planning share. */
  turnRelayedShare: 0.15,
  turnCoresPerRelayedGbps: 1,
  /** Headroom kept on every NIC: plan to 70 % of line rate. */
  nicHeadroom: 0.7,
  nics: [
    { name: "1 GbE", gbps: 1 },
    { name: "10 GbE", gbps: 10 },
    { name: "25 GbE", gbps: 25 },
    { name: "100 GbE", gbps: 100 },
  ],
} as const;

export interface LayerRates {
  high: number;
  medium: number;
  low: number;
}

export interface CapacityPlan {
  cameras: number;
  viewersPerCamera: number;
  viewers: number;
  layer: ViewingLayer;
  /** Average kbps one viewer receives. */
  viewerKbps: number;
  cameraIngestGbps: number;
  /** What the Ingress publishes into the SFU: every layer of every camera. */
  sfuIngestGbps: number;
  sfuEgressGbps: number;
  sfu: {
    replicas: number;
    coresTotal: number;
    coresPerNode: number;
    memoryPerNodeBytes: number;
    participantsPerNode: number;
    udpMode: UdpMode;
    udpPortsPerNode: number;
    nicPerNode: string;
    egressPerNodeGbps: number;
    /** Why this many replicas: the largest of the three constraints. */
    replicasBy: { ports: number; cpu: number; memory: number };
  };
  ingress: { coresTotal: number; replicas: number };
  turn: { relayedGbps: number; cores: number; nic: string };
  /** Where the seed's own figures disagree with what its numbers imply. */
  contradictions: string[];
}

/** The smallest NIC that carries `gbps` within the headroom (the largest there is, beyond them all). */
export function nicFor(gbps: number): string {
  const m = CAPACITY_MODEL;
  return (m.nics.find((n) => gbps <= n.gbps * m.nicHeadroom) ?? m.nics[m.nics.length - 1]).name;
}

/** kbps per named layer; a layer the stack does not publish counts as 0. */
export function layerRates(layers: readonly { name: "high" | "medium" | "low"; bitrateKbps: number }[]): LayerRates {
  const by = (n: keyof LayerRates) => layers.find((l) => l.name === n)?.bitrateKbps ?? 0;
  return { high: by("high"), medium: by("medium"), low: by("low") };
}

export function viewerKbps(layer: ViewingLayer, rates: LayerRates): number {
  if (layer !== "mix") return rates[layer];
  const m = CAPACITY_MODEL.mix;
  return m.high * rates.high + m.medium * rates.medium + m.low * rates.low;
}

const GIB = 1024 ** 3;

/**
 * The capacity model: from cameras and viewers to SFU, Ingress and TURN sizing. The schema's SFU
 * default resources and `lkstack capacity` both come from here.
 */
export function planCapacity(input: {
  cameras: number;
  viewersPerCamera: number;
  layer: ViewingLayer;
  rates: LayerRates;
  /** How many layers the Ingress publishes per camera (the non-zero rates). */
  layersPublished: number;
  udpRange: PortRange;
  /** `single`: every participant on one port, so ports never decide the node count. */
  udpMode?: UdpMode;
}): CapacityPlan {
  const m = CAPACITY_MODEL;
  const { cameras, viewersPerCamera, layer, rates } = input;
  const viewers = cameras * viewersPerCamera;
  const perViewer = viewerKbps(layer, rates);
  const publishedKbps = rates.high + rates.medium + rates.low;
  const sfuEgressGbps = (viewers * perViewer) / 1e6;
  const sfuIngestGbps = (cameras * publishedKbps) / 1e6;
  const forwardingCores = sfuEgressGbps * m.sfuCoresPerEgressGbps + cameras * input.layersPublished * m.sfuCoresPerPublishedLayer;
  const memoryTotal = cameras * DEFAULTS.sfuMemoryPerRoomBytes + viewers * m.sfuMemoryPerSubscriberBytes;
  const udpMode = input.udpMode ?? "range";
  const byPorts = replicasForRange(cameras, viewers, input.udpRange, udpMode);
  const byCpu = Math.max(1, Math.ceil(forwardingCores / (m.sfuNodeCores - m.sfuBaseCoresPerNode)));
  const byMemory = Math.max(1, Math.ceil((memoryTotal + DEFAULTS.sfuMemoryOverheadBytes) / (4 * GIB)));
  const replicas = Math.max(byPorts, byCpu, byMemory);
  const coresTotal = forwardingCores + replicas * m.sfuBaseCoresPerNode;
  const load = nodeLoad(cameras, viewers, replicas, udpMode);
  const memoryPerNodeBytes = DEFAULTS.sfuMemoryOverheadBytes + Math.ceil(memoryTotal / replicas);
  const egressPerNodeGbps = sfuEgressGbps / replicas;
  const ingressCores = cameras * m.ingressCoresPerCamera;
  const relayedGbps = 2 * sfuEgressGbps * m.turnRelayedShare;
  const contradictions: string[] = [];
  if (cameras >= 100) {
    const seedMemory = cameras * DEFAULTS.sfuMemoryPerRoomBytes + DEFAULTS.sfuMemoryOverheadBytes;
    if (seedMemory > 4 * GIB)
      contradictions.push(
        `The seed sizes the SFU at 2-4 GB, but its own 10 MB per room for ${cameras} cameras plus 1-2 GB overhead is ${formatBytes(seedMemory)}: ` +
          `this plan spreads ${formatBytes(memoryPerNodeBytes)} per node over ${replicas} node(s).`,
      );
    if (byPorts > Math.max(byCpu, byMemory))
      contradictions.push(
        `The seed's ${input.udpRange.start}-${input.udpRange.end} range holds ${participantBudget(input.udpRange)} participants per node (${UDP_PORTS_PER_PARTICIPANT} ports each): ` +
          `${cameras + viewers} participants need ${byPorts} SFU nodes although CPU needs ${byCpu} and memory ${byMemory}; ` +
          `single-port mode (lkstack:sfu.ports.udpMode: single) or a wider range uses fewer, larger nodes.`,
      );
    contradictions.push(
      `The seed gives the Ingress 1-2 cores for ${cameras} cameras, which only passthrough ingest (no re-encode) meets; ` +
        `RTMP input decodes and re-encodes every camera, about ${m.ingressCoresPerCamera} cores each: ${ingressCores} cores.`,
    );
  }
  return {
    cameras,
    viewersPerCamera,
    viewers,
    layer,
    viewerKbps: perViewer,
    cameraIngestGbps: (cameras * rates.high) / 1e6,
    sfuIngestGbps,
    sfuEgressGbps,
    sfu: {
      replicas,
      coresTotal,
      coresPerNode: coresTotal / replicas,
      memoryPerNodeBytes,
      participantsPerNode: load.participantsPerNode,
      udpMode,
      udpPortsPerNode: load.udpPortsNeeded,
      nicPerNode: nicFor(egressPerNodeGbps + sfuIngestGbps / replicas),
      egressPerNodeGbps,
      replicasBy: { ports: byPorts, cpu: byCpu, memory: byMemory },
    },
    // The Ingress keeps 30 % of its cores idle before admitting a stream, so a 16-core replica
    // carries fewer cameras than 16 / cost.
    ingress: {
      coresTotal: ingressCores,
      replicas: Math.max(1, Math.ceil(cameras / Math.max(1, camerasPerIngress(m.ingressNodeCores, m.ingressCoresPerCamera)))),
    },
    turn: { relayedGbps, cores: Math.max(0.5, relayedGbps * m.turnCoresPerRelayedGbps), nic: nicFor(relayedGbps) },
    contradictions,
  };
}

/**
 * SFU requests and limits for a node from the plan, never below the seed's 2-4 cores / 2-4 GB:
 * the schema uses this when `lkstack:sfu.resources` is not set.
 */
export function sfuResourcesFor(cameras: number, concurrentViewers: number, replicas: number, rates: LayerRates, layersPublished: number) {
  const roomsPerNode = Math.ceil(cameras / replicas);
  const viewersPerNode = Math.ceil(concurrentViewers / replicas);
  const memory =
    DEFAULTS.sfuMemoryOverheadBytes +
    roomsPerNode * DEFAULTS.sfuMemoryPerRoomBytes +
    viewersPerNode * CAPACITY_MODEL.sfuMemoryPerSubscriberBytes;
  const mix = viewerKbps("mix", rates);
  const cores =
    CAPACITY_MODEL.sfuBaseCoresPerNode +
    (viewersPerNode * mix * CAPACITY_MODEL.sfuCoresPerEgressGbps) / 1e6 +
    roomsPerNode * layersPublished * CAPACITY_MODEL.sfuCoresPerPublishedLayer;
  const gi = (b: number) => `${Math.ceil(b / GIB)}Gi`;
  const floor = DEFAULTS.resources.sfu;
  return {
    requests: {
      cpu: String(Math.max(Number(floor.requests.cpu), Math.ceil(cores))),
      memory: memory > 2 * GIB ? gi(memory) : floor.requests.memory,
    },
    limits: {
      cpu: String(Math.max(Number(floor.limits.cpu), Math.ceil(cores * 1.5))),
      memory: memory * 1.25 > 4 * GIB ? gi(memory * 1.25) : floor.limits.memory,
    },
  };
}
