import {
  nicFor,
  CAPACITY_MODEL,
  DEFAULTS,
  camerasPerIngress,
  formatBytes,
  nodeLoad,
  participantBudget,
  planCapacity,
  replicasForRange,
  sfuResourcesFor,
  layerRates,
} from "../../schema";

// The capacity model (schema/capacity.ts) worked by hand for the seed's shape: 500 cameras, 10
// viewers each browsing a grid (the mix), layers at 3,000/1,200/400 kbps, the 50000-50500 range.

const m = CAPACITY_MODEL;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const RANGE = { start: 50000, end: 50500 };
const seed = (over: Partial<Parameters<typeof planCapacity>[0]> = {}) =>
  planCapacity({
    cameras: 500,
    viewersPerCamera: 10,
    layer: "mix",
    rates: { high: 3000, medium: 1200, low: 400 },
    layersPublished: 3,
    udpRange: RANGE,
    ...over,
  });
const close = (actual: number, expected: number) => expect(actual).toBeCloseTo(expected, 9);

describe("the capacity plan at the seed's shape", () => {
  const viewers = 5000;
  const viewerKbps = 0.1 * 3000 + 0.2 * 1200 + 0.7 * 400; // 820
  const egressGbps = (viewers * viewerKbps) / 1e6; // 4.1
  const ingestGbps = (500 * 4600) / 1e6; // 2.3
  const forwardingCores = egressGbps * m.sfuCoresPerEgressGbps + 500 * 3 * m.sfuCoresPerPublishedLayer;
  const memoryTotal = 500 * 10 * MIB + viewers * m.sfuMemoryPerSubscriberBytes;

  it("traffic: what viewers receive, what the SFU takes in and sends out", () => {
    const p = seed();
    expect([p.viewers, p.layer, p.viewersPerCamera, p.cameras]).toEqual([viewers, "mix", 10, 500]);
    close(p.viewerKbps, 820);
    close(p.sfuEgressGbps, egressGbps);
    close(p.sfuIngestGbps, ingestGbps);
    close(p.cameraIngestGbps, (500 * 3000) / 1e6);
  });

  it("the UDP range decides the SFU: 22 nodes where CPU needs 3 and memory 3", () => {
    const p = seed();
    expect(p.sfu.replicasBy).toEqual({
      ports: Math.ceil(5500 / 250),
      cpu: Math.ceil(forwardingCores / (m.sfuNodeCores - m.sfuBaseCoresPerNode)),
      memory: Math.ceil((memoryTotal + GIB) / (4 * GIB)),
    });
    expect(p.sfu.replicasBy).toEqual({ ports: 22, cpu: 3, memory: 3 });
    expect(p.sfu.replicas).toBe(22);
    close(p.sfu.coresTotal, forwardingCores + 22 * m.sfuBaseCoresPerNode);
    close(p.sfu.coresPerNode, (forwardingCores + 22 * m.sfuBaseCoresPerNode) / 22);
    expect(p.sfu.memoryPerNodeBytes).toBe(GIB + Math.ceil(memoryTotal / 22));
    expect([p.sfu.participantsPerNode, p.sfu.udpMode, p.sfu.udpPortsPerNode]).toEqual([250, "range", 500]);
    close(p.sfu.egressPerNodeGbps, egressGbps / 22);
    // (4.1 + 2.3) / 22 Gbps per node fits 70 % of 1 GbE.
    expect(p.sfu.nicPerNode).toBe("1 GbE");
  });

  it("single-port mode: CPU and memory decide, every participant on one port", () => {
    const p = seed({ udpMode: "single" });
    expect(p.sfu.replicasBy).toEqual({ ports: 1, cpu: 3, memory: 3 });
    expect(p.sfu.replicas).toBe(3);
    expect([p.sfu.participantsPerNode, p.sfu.udpMode, p.sfu.udpPortsPerNode]).toEqual([Math.ceil(5500 / 3), "single", 1]);
    // (4.1 + 2.3) / 3 Gbps per node needs more than 70 % of 1 GbE.
    expect(p.sfu.nicPerNode).toBe("10 GbE");
    expect(p.contradictions.some((c) => c.includes("range holds"))).toBe(false);
  });

  it("a narrower range spreads the participants over more nodes, each within its ports", () => {
    const p = seed({ cameras: 10, viewersPerCamera: 30, udpRange: { start: 50000, end: 50099 } });
    // 310 participants, 50 per node in 100 ports: 7 nodes, each needing 2 x 45 ports.
    expect(p.sfu.replicas).toBe(7);
    expect([p.sfu.participantsPerNode, p.sfu.udpPortsPerNode]).toEqual([45, 90]);
    // A node whose participants take every port of the range still fits.
    const full = seed({ cameras: 10, viewersPerCamera: 4, udpRange: { start: 50000, end: 50099 } });
    expect([full.sfu.replicas, full.sfu.udpPortsPerNode]).toEqual([1, 100]);
  });

  it("the range is named as the constraint only when it needs more nodes than CPU and memory both", () => {
    // Every viewer on the top layer: CPU needs 5 nodes, memory 3; a 3,000-port range needs 4.
    const p = seed({ layer: "high", udpRange: { start: 50000, end: 52999 } });
    expect(p.sfu.replicasBy).toEqual({ ports: 4, cpu: 5, memory: 3 });
    expect(p.sfu.replicas).toBe(5);
    expect(p.contradictions.some((c) => c.includes("range holds"))).toBe(false);
  });

  it("Ingress and TURN", () => {
    const p = seed();
    expect(p.ingress).toEqual({
      coresTotal: 500 * m.ingressCoresPerCamera,
      replicas: Math.ceil(500 / camerasPerIngress(m.ingressNodeCores, m.ingressCoresPerCamera)),
    });
    const relayed = 2 * egressGbps * m.turnRelayedShare;
    close(p.turn.relayedGbps, relayed);
    close(p.turn.cores, relayed * m.turnCoresPerRelayedGbps);
    expect(p.turn.nic).toBe("10 GbE");
    // A small city relays little: TURN still gets half a core.
    expect(seed({ cameras: 10 }).turn.cores).toBe(0.5);
    expect(seed({ cameras: 10 }).turn.nic).toBe("1 GbE");
  });

  it("where the seed's own figures disagree with it: memory, the port range, the Ingress's cores", () => {
    const p = seed();
    const perNode = formatBytes(GIB + Math.ceil(memoryTotal / 22));
    expect(p.contradictions).toEqual([
      `The seed sizes the SFU at 2-4 GB, but its own 10 MB per room for 500 cameras plus 1-2 GB overhead is ${formatBytes(500 * 10 * MIB + GIB)}: this plan spreads ${perNode} per node over 22 node(s).`,
      "The seed's 50000-50500 range holds 250 participants per node (2 ports each): 5500 participants need 22 SFU nodes although CPU needs 3 and memory 3; single-port mode (lkstack:sfu.ports.udpMode: single) or a wider range uses fewer, larger nodes.",
      `The seed gives the Ingress 1-2 cores for 500 cameras, which only passthrough ingest (no re-encode) meets; RTMP input decodes and re-encodes every camera, about 2 cores each: 1000 cores.`,
    ]);
    expect(formatBytes(500 * 10 * MIB + GIB)).toBe("5.9 GiB");
    // From 100 cameras on; the memory note only when the seed's memory is over 4 GiB.
    expect(seed({ cameras: 99 }).contradictions).toEqual([]);
    expect(seed({ cameras: 100, viewersPerCamera: 1 }).contradictions).toEqual([
      expect.stringMatching(/^The seed gives the Ingress 1-2 cores for 100 cameras/),
    ]);
  });

  it("bytes are told in MiB under a GiB, in GiB from there", () => {
    expect(formatBytes(GIB - 1)).toBe("1024 MiB");
    expect(formatBytes(GIB)).toBe("1.0 GiB");
    expect(formatBytes(1.5 * MIB)).toBe("2 MiB");
    expect(DEFAULTS.sfuMemoryPerRoomBytes).toBe(10 * MIB);
  });
});

describe("one node's load and the port budget", () => {
  it("two UDP ports per participant in a range; one port for all in single-port mode", () => {
    expect(participantBudget(RANGE)).toBe(250);
    expect(nodeLoad(10, 31, 2, "range")).toEqual({
      roomsPerNode: 5,
      participantsPerNode: 21,
      udpPortsNeeded: 42,
      memoryNeededBytes: DEFAULTS.sfuMemoryOverheadBytes + 5 * DEFAULTS.sfuMemoryPerRoomBytes,
    });
    expect(nodeLoad(10, 31, 2, "single").udpPortsNeeded).toBe(1);
  });

  it("nodes for the range: enough for every participant, one in single-port mode, none possible in a one-port range", () => {
    expect(replicasForRange(500, 5000, RANGE, "range")).toBe(22);
    expect(replicasForRange(1, 0, RANGE, "range")).toBe(1);
    expect(replicasForRange(500, 5000, RANGE, "single")).toBe(1);
    expect(replicasForRange(10, 0, { start: 50000, end: 50000 }, "range")).toBe(Infinity);
    expect(replicasForRange(0, 0, { start: 50000, end: 50000 }, "range")).toBe(Infinity);
  });
});

describe("the NIC a node needs", () => {
  it("the smallest that carries the traffic at 70 % of line rate, exactly at the line included; the largest beyond all", () => {
    expect(nicFor(0)).toBe("1 GbE");
    expect(nicFor(0.7)).toBe("1 GbE");
    expect(nicFor(0.7001)).toBe("10 GbE");
    expect(nicFor(7)).toBe("10 GbE");
    expect(nicFor(70.01)).toBe("100 GbE");
    expect(nicFor(500)).toBe("100 GbE");
  });
});

describe("the SFU's default resources", () => {
  it("sized per node from its share of rooms and viewers, worked by hand; never below the seed's 2-4 cores and GB", () => {
    // 400 cameras, 4,000 viewers on 2 nodes: 200 rooms and 2,000 viewers per node.
    // Memory: 1 GiB + 200 x 10 MiB + 2,000 x 786 KiB = 4.45 GiB -> 5Gi; limit x 1.25 = 5.57 GiB -> 6Gi.
    // CPU: 0.165 + 2,000 x 950 kbps x 0.93 / 1e6 + 200 x 3 x 0.0026 = 3.49 -> 4; limit x 1.5 = 5.24 -> 6.
    const rates = layerRates(DEFAULTS.simulcastLayers);
    expect(sfuResourcesFor(400, 4000, 2, rates, 3)).toEqual({ requests: { cpu: "4", memory: "5Gi" }, limits: { cpu: "6", memory: "6Gi" } });
    // 10,000 viewers on one node: 0.165 + 10,000 x 950 x 0.93 / 1e6 = 9.0 cores; 1 GiB + 10,000 x 786 KiB = 8.5 GiB.
    expect(sfuResourcesFor(0, 10000, 1, rates, 3)).toEqual({
      requests: { cpu: "9", memory: "9Gi" },
      limits: { cpu: "14", memory: "11Gi" },
    });
    expect(sfuResourcesFor(2, 10, 1, rates, 3)).toEqual(DEFAULTS.resources.sfu);
  });
});
