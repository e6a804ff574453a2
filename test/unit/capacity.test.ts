import fc from "fast-check";
import { main, type Io } from "../../cli/main";
import { planFor } from "../../cli/capacity";
import { CAPACITY_MODEL, parseMemory, parseStackConfig, rangeSize, sfuResourcesFor } from "../../schema";
import { minimal, PROJECT_DIR } from "../helpers/fixtures";

describe("capacity model", () => {
  it("the seed's 500 cameras: 1.5 Gbps camera ingest, the port range binds, and the seed's contradictions are named", () => {
    const p = planFor(500, 10, "mix");
    expect(p.cameraIngestGbps).toBeCloseTo(1.5);
    expect(p.sfuIngestGbps).toBeCloseTo(2.5);
    expect(p.viewerKbps).toBeCloseTo(0.7 * 500 + 0.2 * 1500 + 0.1 * 3000);
    expect(p.sfu.replicas).toBe(p.sfu.replicasBy.ports);
    expect(p.contradictions.join("\n")).toMatch(/2-4 GB.*5\.9 GiB/);
    expect(p.contradictions.join("\n")).toMatch(/Ingress 1-2 cores.*1000 cores/);
    expect(p.contradictions.join("\n")).toMatch(/holds 250 participants per node/);
  });

  it("for any load the replicas satisfy every constraint, and more load never needs fewer nodes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom("high", "medium", "low", "mix") as fc.Arbitrary<"high" | "medium" | "low" | "mix">,
        (cams, vpc, layer) => {
          const p = planFor(cams, vpc, layer);
          expect(p.sfu.coresPerNode).toBeLessThanOrEqual(CAPACITY_MODEL.sfuNodeCores + 1e-9);
          expect(p.sfu.udpPortsPerNode).toBeLessThanOrEqual(501); // the seed's range holds every node's share
          expect(p.sfu.replicas).toBe(Math.max(p.sfu.replicasBy.ports, p.sfu.replicasBy.cpu, p.sfu.replicasBy.memory));
          const more = planFor(cams + 10, vpc + 1, layer);
          expect(more.sfu.replicas).toBeGreaterThanOrEqual(p.sfu.replicas);
          expect(more.sfuEgressGbps).toBeGreaterThanOrEqual(p.sfuEgressGbps);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("SFU default resources follow the model and never drop below the seed's 2-4 cores / 2-4 GB", () => {
    const small = sfuResourcesFor(2, 20, 1, { high: 3000, medium: 1500, low: 500 }, 3);
    expect(small).toEqual({ requests: { cpu: "2", memory: "2Gi" }, limits: { cpu: "4", memory: "4Gi" } });
    const big = sfuResourcesFor(500, 0, 2, { high: 3000, medium: 1500, low: 500 }, 3);
    expect(parseMemory(big.limits.memory)).toBeGreaterThan(1024 ** 3 + 250 * 10 * 1024 ** 2);
  });

  it("the schema sizes the SFU from the model when resources are not set, so big stacks validate", () => {
    const cameras = Array.from({ length: 500 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      rtsp: `rtsp://10.1.${Math.floor(i / 250)}.${(i % 250) + 1}/s`,
    }));
    const cfg = parseStackConfig(minimal("kubernetes", { cameras, sfu: { replicas: 2, ports: { udp: { start: 50000, end: 51999 } } } }));
    expect(parseMemory(cfg.sfu.resources.limits.memory)).toBeGreaterThanOrEqual(1024 ** 3 + 250 * 10 * 1024 ** 2);
    expect(rangeSize(cfg.sfu.ports.udp)).toBe(2000);
  });
});

describe("lkstack capacity", () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s), env: {}, cwd: PROJECT_DIR };
    return { code: await main(["capacity", ...args], io), out: out.join("\n"), err: err.join("\n") };
  };

  it("prints SFU, ports, bandwidth, NIC, Ingress and coturn sizing", async () => {
    const r = await run(["--cameras", "500", "--viewers-per-camera", "10"]);
    expect(r.code).toBe(0);
    for (const re of [
      /^ingest: cameras -> MediaMTX 1\.50 Gbps/m,
      /^egress: SFU -> viewers/m,
      /^SFU: \d+ replica\(s\)/m,
      /^UDP ports per node: 500 for 250 participants \(2 each\); 50000-50500 has 501$/m,
      /-> (1|10|25|100) GbE/,
      /^Ingress: 1000 cores/m,
      /^coturn: /m,
      /^seed: /m,
    ])
      expect(r.out).toMatch(re);
  });

  it("uses a stack's layers and range, and refuses bad arguments", async () => {
    expect((await run(["--cameras", "3", "--viewers-per-camera", "2", "--stack", "prod", "--layer", "low"])).out).toMatch(
      /layer low: 500 kbps per viewer/,
    );
    expect((await run(["--cameras", "x", "--viewers-per-camera", "2"])).err).toMatch(/--cameras must be a whole number/);
    expect((await run(["--cameras", "1", "--viewers-per-camera", "2", "--layer", "ultra"])).err).toMatch(
      /--layer must be one of high, medium, low, mix/,
    );
  });
});
