// Module paths, not the schema index: planning without a stack never loads zod.
import { CAPACITY_MODEL, formatBytes, layerRates, planCapacity, type CapacityPlan, type ViewingLayer } from "../schema/capacity";
import { CAMERA_INGEST_MODES, cameraStreams, camerasWithIngest } from "../schema/cameraIngest";
import { DEFAULTS } from "../schema/defaults";
import { INGEST_MODEL, planIngest, type IngestPlan } from "../schema/ingestCapacity";
import { camerasPerIngress, INGRESS_MIN_IDLE_RATIO } from "../schema/ingressAdmission";
import { DEFAULT_PORTS, UDP_PORTS_PER_PARTICIPANT, type UdpMode } from "../schema/ports";
import type { StackConfig } from "../schema/validate";

export const VIEWING_LAYERS: readonly ViewingLayer[] = ["high", "medium", "low", "mix"];

/** Plans from a stack's layers and UDP range, or the seed's when no stack is given. */
export function planFor(
  cameras: number,
  viewersPerCamera: number,
  layer: ViewingLayer,
  cfg?: StackConfig,
  udpMode?: UdpMode,
): CapacityPlan {
  const layers = cfg?.simulcast.layers ?? DEFAULTS.simulcastLayers;
  return planCapacity({
    cameras,
    viewersPerCamera,
    layer,
    rates: layerRates(layers),
    layersPublished: layers.length,
    udpRange: cfg?.sfu.ports.udp ?? DEFAULT_PORTS.sfu.udp,
    udpMode: udpMode ?? cfg?.sfu.ports.udpMode ?? DEFAULTS.sfuUdpMode,
  });
}

/**
 * The camera path in both ingest modes for the same cameras: the stack's layers for transcode, the
 * stack's passthrough cameras' own streams (or a typical main + sub stream) for passthrough.
 */
export function ingestPlansFor(cameras: number, cfg?: StackConfig): IngestPlan[] {
  const rates = layerRates(cfg?.simulcast.layers ?? DEFAULTS.simulcastLayers);
  const own = camerasWithIngest(cfg?.cameras ?? [], "passthrough").map((c) => cameraStreams(c).map((s) => s.bitrateKbps));
  const streams =
    own.length > 0
      ? own[0].map((_, i) => own.reduce((sum, c) => sum + (c[i] ?? 0), 0) / own.length)
      : [...INGEST_MODEL.typicalCameraStreamsKbps];
  return CAMERA_INGEST_MODES.map((mode) => planIngest(mode, cameras, rates, streams));
}

/** Both modes side by side, transcode's cost as a multiple of passthrough's. */
export function formatIngestPlans(plans: readonly IngestPlan[]): string[] {
  const pass = plans.find((p) => p.mode === "passthrough");
  return [
    `camera path per ingest mode (${plans[0]?.cameras ?? 0} cameras; MediaMTX plus the Ingress or the publisher):`,
    ...plans.map(
      (p) =>
        `  ${p.mode.padEnd(11)} ${cores(p.cores).padStart(6)} cores  ${formatBytes(p.memoryMiB * 1024 ** 2).padStart(9)}  ` +
        `cameras -> MediaMTX ${gbps(p.cameraGbps)}, -> SFU ${gbps(p.sfuIngestGbps)}` +
        (pass && p !== pass && pass.cores > 0 ? `  (${(p.cores / pass.cores).toFixed(0)}x the cores of passthrough)` : ""),
    ),
    "  passthrough: no re-encode, a new viewer waits for the camera's next keyframe (set the camera's GOP to 1 s).",
  ];
}

const gbps = (g: number) => (g >= 1 ? `${g.toFixed(2)} Gbps` : `${(g * 1000).toFixed(0)} Mbps`);
const cores = (c: number) => (c >= 10 ? c.toFixed(0) : c.toFixed(1));

/** The planner's report, in the order an operator buys things. */
export function formatPlan(p: CapacityPlan, range: { start: number; end: number }): string[] {
  const m = CAPACITY_MODEL;
  const s = p.sfu;
  const mix = p.layer === "mix" ? ` (${m.mix.low * 100}% low, ${m.mix.medium * 100}% medium, ${m.mix.high * 100}% high)` : "";
  return [
    `${p.cameras} cameras x ${p.viewersPerCamera} viewers = ${p.viewers} viewer sessions, layer ${p.layer}${mix}: ${p.viewerKbps.toFixed(0)} kbps per viewer`,
    `ingest: cameras -> MediaMTX ${gbps(p.cameraIngestGbps)}; Ingress -> SFU ${gbps(p.sfuIngestGbps)} (every layer of every camera)`,
    `egress: SFU -> viewers ${gbps(p.sfuEgressGbps)}`,
    `SFU: ${s.replicas} replica(s) (ports need ${s.replicasBy.ports}, CPU ${s.replicasBy.cpu}, memory ${s.replicasBy.memory}); per node ${cores(s.coresPerNode)} cores, ${formatBytes(s.memoryPerNodeBytes)}, ${gbps(s.egressPerNodeGbps)} egress -> ${s.nicPerNode}`,
    s.udpMode === "single"
      ? `UDP ports per node: ${range.start} alone for ${s.participantsPerNode} participants (single-port mode: a socket on it per node address)`
      : `UDP ports per node: ${s.udpPortsPerNode} for ${s.participantsPerNode} participants (${UDP_PORTS_PER_PARTICIPANT} each); ${range.start}-${range.end} has ${range.end - range.start + 1}`,
    `Ingress: ${p.ingress.coresTotal} cores for transcoding (${m.ingressCoresPerCamera} per camera) -> ${p.ingress.replicas} node(s) of ${m.ingressNodeCores} cores ` +
      `(${camerasPerIngress(m.ingressNodeCores, m.ingressCoresPerCamera)} cameras each: it admits a stream only while ${INGRESS_MIN_IDLE_RATIO * 100} % of its cores stay idle)`,
    `coturn: ${gbps(p.turn.relayedGbps)} relayed if ${m.turnRelayedShare * 100}% of viewers need TURN -> ${cores(p.turn.cores)} core(s), ${p.turn.nic}`,
    ...p.contradictions.map((c) => `seed: ${c}`),
  ];
}
