import { parse as parseYaml } from "yaml";
import { planFor } from "../../cli/capacity";
import { ConfigError, CONTAINER_LAYOUT, parseStackConfig, type StackConfig, type StackConfigInput } from "../../schema";
import { k8sManifests } from "../../templates";
import { renderLivekitConfig } from "../../templates/livekit";
import { networkPolicies } from "../../templates/k8s/network";
import { minimal } from "../helpers/fixtures";

/** `lkstack:sfu.ports.udpMode`: the seed's range by default, single-port ICE (rtc.udp_port) on request. */
function k8s(extra: Partial<StackConfigInput> = {}): StackConfig {
  return parseStackConfig(minimal("kubernetes", extra));
}

const single = { sfu: { ports: { udpMode: "single" } } } as Partial<StackConfigInput>;

function rtcOf(cfg: StackConfig): Record<string, unknown> {
  return (parseYaml(renderLivekitConfig(cfg, CONTAINER_LAYOUT)) as { rtc: Record<string, unknown> }).rtc;
}

describe("the SFU's UDP port mode", () => {
  it("defaults to the seed's range 50000-50500, rendered as LiveKit's port range and nothing else", () => {
    const cfg = k8s();
    expect(cfg.sfu.ports.udpMode).toBe("range");
    const rtc = rtcOf(cfg);
    expect(rtc.port_range_start).toBe(50000);
    expect(rtc.port_range_end).toBe(50500);
    expect(rtc.udp_port).toBeUndefined();
  });

  it("single: rtc.udp_port is the range's first port, and no range is rendered (it would win silently)", () => {
    const rtc = rtcOf(k8s(single));
    expect(rtc.udp_port).toBe(50000);
    expect(rtc.port_range_start).toBeUndefined();
    expect(rtc.port_range_end).toBeUndefined();
  });

  it("single: the pod declares and the NetworkPolicy opens that one UDP port, not the range", () => {
    const cfg = k8s(single);
    const ports = k8sManifests(cfg, "//").sfu.deployment.spec?.template.spec?.containers[0].ports ?? [];
    expect(ports.filter((p) => p.protocol === "UDP").map((p) => p.containerPort)).toEqual([50000]);
    const sfuPolicy = networkPolicies(cfg).find((p) => p.metadata?.name === "lkstack-sfu");
    const udpIn = sfuPolicy?.spec?.ingress?.flatMap((r) => r.ports ?? []).filter((p) => p.protocol === "UDP");
    expect(udpIn).toEqual([{ protocol: "UDP", port: 50000 }]);
  });

  it("range: the per-node check refuses more participants than the range holds; single-port mode has no such limit", () => {
    const crowd = { capacity: { concurrentViewers: 5000 } } as Partial<StackConfigInput>;
    expect(() => k8s(crowd)).toThrow(ConfigError);
    expect(() => k8s(crowd)).toThrow(/lkstack:sfu\.ports\.udp:.*fix:.*udpMode: single/s);
    expect(k8s({ ...crowd, ...single }).sfu.ports.udpMode).toBe("single");
  });

  it("an unknown mode is refused with its path", () => {
    expect(() => k8s({ sfu: { ports: { udpMode: "many" } } } as unknown as Partial<StackConfigInput>)).toThrow(
      /lkstack:sfu\.ports\.udpMode/,
    );
  });

  it("the planner: the seed's 5,000 viewer sessions need the most nodes for ports in range mode, and CPU or memory decide in single mode", () => {
    const range = planFor(500, 10, "mix", undefined, "range");
    const one = planFor(500, 10, "mix", undefined, "single");
    expect(range.sfu.replicasBy.ports).toBeGreaterThan(Math.max(range.sfu.replicasBy.cpu, range.sfu.replicasBy.memory));
    expect(one.sfu.replicasBy.ports).toBe(1);
    expect(one.sfu.replicas).toBe(Math.max(one.sfu.replicasBy.cpu, one.sfu.replicasBy.memory));
    expect(one.sfu.replicas).toBeLessThan(range.sfu.replicas);
  });
});
