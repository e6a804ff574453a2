import type { PodTemplateSpec } from "kubernetes-types/core/v1";
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from "kubernetes-types/networking/v1";
import { parseCidr, parseIp, type ServiceId as Workload, type StackConfig } from "../../schema";
import { parse as parseYaml } from "yaml";
import { k8sManifests, labels, networkPolicies, renderMediamtxConfig, type K8sManifests } from "../../templates";
import { minimal, parse, stackFromFile } from "../helpers/fixtures";

/** Where a packet goes: a pod of the stack, a pod elsewhere (namespace + labels), or an address. */
type Dest = { pod: Workload } | { ns: string; labels: Record<string, string> } | { ip: string };
type Proto = "TCP" | "UDP";

const subset = (sel: Record<string, string> | undefined, of: Record<string, string>) =>
  Object.entries(sel ?? {}).every(([k, v]) => of[k] === v);

function peerMatches(cfg: StackConfig, peer: NetworkPolicyPeer, dest: Dest): boolean {
  if ("ip" in dest) {
    if (!peer.ipBlock) return false;
    const c = parseCidr(peer.ipBlock.cidr);
    const ip = parseIp(dest.ip);
    return !!c && !!ip && c.family === ip.family && c.first <= ip.value && ip.value <= c.last;
  }
  if (peer.ipBlock) return false;
  const [ns, podLabels] = "pod" in dest ? [cfg.kubernetes.namespace, labels(dest.pod)] : [dest.ns, dest.labels];
  const nsOk = peer.namespaceSelector
    ? subset(peer.namespaceSelector.matchLabels, { "kubernetes.io/metadata.name": ns })
    : ns === cfg.kubernetes.namespace;
  return nsOk && subset(peer.podSelector?.matchLabels, podLabels);
}

const portMatches = (p: NetworkPolicyPort, proto: Proto, port: number) =>
  (p.protocol ?? "TCP") === proto &&
  (p.port === undefined || (typeof p.port === "number" && port >= p.port && port <= (p.endPort ?? p.port)));

/**
 * Whether the policies let a pod of `from` send to `dest` on `proto`/`port` (NetworkPolicy's union semantics).
 * As in Kubernetes, a rule with an empty or missing `to` (`from`) or `ports` list matches every peer or port.
 */
function egressAllows(cfg: StackConfig, policies: NetworkPolicy[], from: Workload, dest: Dest, proto: Proto, port: number): boolean {
  const own = labels(from);
  return policies
    .filter((p) => p.spec?.policyTypes?.includes("Egress") && subset(p.spec.podSelector.matchLabels, own))
    .some((p) =>
      (p.spec?.egress ?? []).some(
        (r) =>
          (r.to === undefined || r.to.length === 0 || r.to.some((peer) => peerMatches(cfg, peer, dest))) &&
          (r.ports === undefined || r.ports.length === 0 || r.ports.some((x) => portMatches(x, proto, port))),
      ),
    );
}

function ingressAllows(cfg: StackConfig, policies: NetworkPolicy[], to: Workload, src: Dest, port: number): boolean {
  const own = labels(to);
  return policies
    .filter((p) => p.spec?.policyTypes?.includes("Ingress") && subset(p.spec.podSelector.matchLabels, own))
    .some((p) =>
      (p.spec?.ingress ?? []).some(
        (r) =>
          (r.from === undefined || r.from.length === 0 || r.from.some((peer) => peerMatches(cfg, peer, src))) &&
          (r.ports === undefined || r.ports.length === 0 || r.ports.some((x) => portMatches(x, "TCP", port))),
      ),
    );
}

const named = (policies: NetworkPolicy[], name: string): NetworkPolicy => {
  const p = policies.find((x) => x.metadata?.name === name);
  if (!p) throw new Error(`no NetworkPolicy ${name}`);
  return p;
};

/** The in-cluster selectors (pods or namespaces) a policy's egress names, as readable strings. */
const inClusterTargets = (p: NetworkPolicy): string[] =>
  (p.spec?.egress ?? [])
    .flatMap((r) => r.to ?? [])
    .filter((peer) => !peer.ipBlock)
    .map((peer) =>
      peer.namespaceSelector
        ? `ns:${peer.namespaceSelector.matchLabels?.["kubernetes.io/metadata.name"]}`
        : String(peer.podSelector?.matchLabels?.["app.kubernetes.io/name"]),
    );

function podTemplates(m: K8sManifests): { name: string; template: PodTemplateSpec }[] {
  const all = [
    m.sfu.deployment,
    m.ingress?.deployment,
    m.turn?.deployment,
    m.mediamtx?.deployment,
    m.cameras?.deployment,
    m.valkey.statefulSet,
    m.valkey.sentinel?.statefulSet,
  ];
  return all.flatMap((o) => (o?.spec ? [{ name: o.metadata?.name ?? "?", template: o.spec.template }] : []));
}

const KUBE_DNS = (cfg: StackConfig): Dest => ({ ns: cfg.kubernetes.dns.namespace, labels: { ...cfg.kubernetes.dns.podLabels } });
const NODE = "10.20.0.5";
const OUTSIDE = "203.0.113.50";

describe("egress NetworkPolicies (prod stack)", () => {
  const cfg = stackFromFile("prod");
  let policies: ReturnType<typeof networkPolicies>;
  // Per test: per-test coverage (npm run mutate) credits only what runs inside a test.
  beforeEach(() => (policies = networkPolicies(cfg)));
  const can = (from: Workload, dest: Dest, proto: Proto, port: number) => egressAllows(cfg, policies, from, dest, proto, port);

  test("a default deny governs egress as well as ingress for every pod of the namespace", () => {
    const deny = policies.filter((p) => JSON.stringify(p.spec?.podSelector) === "{}");
    expect(deny).toHaveLength(1);
    expect(deny[0].spec?.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(deny[0].spec?.egress).toEqual([]);
    expect(deny[0].spec?.ingress).toEqual([]);
  });

  test("every pod is selected by a policy of its own that governs its egress", () => {
    const templates = podTemplates(k8sManifests(cfg, ""));
    expect(templates.map((t) => t.name).sort()).toEqual([
      "lkstack-cameras",
      "lkstack-ingress",
      "lkstack-mediamtx",
      "lkstack-sfu",
      "lkstack-turn",
      "lkstack-valkey",
      "lkstack-valkey-sentinel",
    ]);
    for (const { name, template } of templates) {
      const podLabels = template.metadata?.labels ?? {};
      const own = policies.filter((p) => {
        const sel = p.spec?.podSelector?.matchLabels ?? {};
        return Object.keys(sel).length > 0 && subset(sel, podLabels) && p.spec?.policyTypes?.includes("Egress");
      });
      expect([name, own.length]).toEqual([name, 1]);
    }
  });

  test("MediaMTX reaches the Ingress on the RTMP port and nothing else in the cluster but DNS", () => {
    const rtmp = cfg.ingress.ports.rtmp;
    expect(can("mediamtx", { pod: "ingress" }, "TCP", rtmp)).toBe(true);
    expect(can("mediamtx", { pod: "ingress" }, "TCP", cfg.ingress.ports.health)).toBe(false);
    expect(can("mediamtx", { pod: "ingress" }, "TCP", cfg.ingress.ports.metrics)).toBe(false);
    for (const w of ["sfu", "valkey", "sentinel", "cameras", "turn"] as const)
      expect([w, can("mediamtx", { pod: w }, "TCP", rtmp)]).toEqual([w, false]);
    expect(can("mediamtx", { pod: "valkey" }, "TCP", cfg.valkey.port)).toBe(false);
    expect(can("mediamtx", KUBE_DNS(cfg), "UDP", cfg.kubernetes.dns.port)).toBe(true);
    expect(can("mediamtx", KUBE_DNS(cfg), "TCP", cfg.kubernetes.dns.port)).toBe(true);
    expect(inClusterTargets(named(policies, "lkstack-mediamtx")).sort()).toEqual(["lkstack-ingress", `ns:${cfg.kubernetes.dns.namespace}`]);
  });

  test("MediaMTX reaches each camera on its RTSP port (the scheme's default when the URL has none), and only the cameras", () => {
    // Prod: rtsp://10.30.1.11:554, rtsp://10.30.1.12:554, rtsps://10.30.2.40:322.
    expect(can("mediamtx", { ip: "10.30.1.11" }, "TCP", 554)).toBe(true);
    expect(can("mediamtx", { ip: "10.30.1.12" }, "TCP", 554)).toBe(true);
    expect(can("mediamtx", { ip: "10.30.2.40" }, "TCP", 322)).toBe(true);
    expect(can("mediamtx", { ip: "10.30.2.40" }, "TCP", 554)).toBe(false);
    expect(can("mediamtx", { ip: "10.30.1.13" }, "TCP", 554)).toBe(false);
    expect(can("mediamtx", { ip: OUTSIDE }, "TCP", 443)).toBe(false);
    const named = parse(
      minimal("kubernetes", {
        cameras: [
          { id: "3f2b8c1e-9d4a-4e6b-8f1a-2c5d7e9a0b13", rtsp: "rtsp://cam-7.cctv.example.test/live" },
          { id: "8a1d4f6e-2b3c-4d5e-9f7a-6b8c0d1e2f34", rtsp: "rtsps://[2001:db8::7]/s" },
        ],
      }),
    );
    const p = networkPolicies(named);
    // A DNS name cannot be written in a NetworkPolicy: its port is open to every address, and only that port.
    expect(egressAllows(named, p, "mediamtx", { ip: OUTSIDE }, "TCP", 554)).toBe(true);
    expect(egressAllows(named, p, "mediamtx", { ip: OUTSIDE }, "TCP", 8554)).toBe(false);
    expect(egressAllows(named, p, "mediamtx", { ip: "2001:db8::7" }, "TCP", 322)).toBe(true);
    expect(egressAllows(named, p, "mediamtx", { ip: "2001:db8::8" }, "TCP", 322)).toBe(false);
  });

  test.each([
    ["IPv4", "198.51.100.7", "198.51.100.8"],
    ["IPv6", "2001:db8::7", "2001:db8::8"],
  ])(
    "a static SFU address (%s): coturn relays to it and the nodes, on the media range, and to no neighbour",
    (_family, address, neighbour) => {
      const sfu = { nodeIp: { strategy: "static" as const, address } };
      const peer = `${address}/${address.includes(":") ? 128 : 32}`;
      // A documentation address is a denied TURN peer by default: the schema says to allow it, with its own prefix length.
      expect(() => parse(minimal("kubernetes", { sfu }))).toThrow(`add "${peer}" (or the SFU subnet)`);
      // Nodes named apart from the SFU's address: the address is reachable for being the SFU's.
      const kubernetes = { nodeCidrs: ["10.20.0.0/24"] };
      const c = parse(minimal("kubernetes", { sfu, kubernetes, turn: { domain: "turn.example.test", allowedPeers: [peer] } }));
      const p = networkPolicies(c);
      const media = c.sfu.ports.udp.start;
      expect(egressAllows(c, p, "turn", { ip: address }, "UDP", media)).toBe(true);
      expect(egressAllows(c, p, "turn", { ip: NODE }, "UDP", media)).toBe(true);
      expect(egressAllows(c, p, "turn", { ip: neighbour }, "UDP", media)).toBe(false);
      expect(egressAllows(c, p, "turn", { ip: address }, "TCP", media)).toBe(false);
    },
  );

  test("a camera subnet is a few exact blocks, not one rule per camera, and no address outside it", () => {
    const vlan = parse(
      minimal("kubernetes", {
        cameras: Array.from({ length: 250 }, (_, i) => ({
          id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
          rtsp: `rtsp://10.40.7.${i + 1}:554/s`,
        })),
      }),
    );
    const p = networkPolicies(vlan);
    const blocks =
      named(p, "lkstack-mediamtx")
        .spec?.egress?.flatMap((r) => r.to ?? [])
        .filter((peer) => peer.ipBlock) ?? [];
    expect(blocks.length).toBeLessThanOrEqual(13);
    for (const host of ["10.40.7.1", "10.40.7.128", "10.40.7.250"])
      expect(egressAllows(vlan, p, "mediamtx", { ip: host }, "TCP", 554)).toBe(true);
    for (const host of ["10.40.7.0", "10.40.7.251", "10.40.7.255", "10.40.6.250"])
      expect(egressAllows(vlan, p, "mediamtx", { ip: host }, "TCP", 554)).toBe(false);
  });

  test("the reconciler reaches MediaMTX's API and the SFU's HTTP port on the nodes, nothing else", () => {
    expect(can("cameras", { pod: "mediamtx" }, "TCP", cfg.mediamtx.ports.api)).toBe(true);
    expect(can("cameras", { pod: "mediamtx" }, "TCP", cfg.mediamtx.ports.rtsp)).toBe(false);
    expect(can("cameras", { pod: "mediamtx" }, "TCP", cfg.mediamtx.ports.metrics)).toBe(false);
    expect(can("cameras", { ip: NODE }, "TCP", cfg.sfu.ports.http)).toBe(true);
    expect(can("cameras", { ip: NODE }, "TCP", cfg.sfu.ports.metrics)).toBe(false);
    expect(can("cameras", { ip: OUTSIDE }, "TCP", cfg.sfu.ports.http)).toBe(false);
    expect(can("cameras", { pod: "ingress" }, "TCP", cfg.ingress.ports.rtmp)).toBe(false);
    expect(can("cameras", { pod: "valkey" }, "TCP", cfg.valkey.port)).toBe(false);
    expect(can("cameras", KUBE_DNS(cfg), "UDP", cfg.kubernetes.dns.port)).toBe(true);
  });

  test("Valkey and Sentinel reach only each other (replication, failover) and DNS", () => {
    const v = cfg.valkey;
    for (const from of ["valkey", "sentinel"] as const) {
      expect([from, can(from, { pod: "valkey" }, "TCP", v.port)]).toEqual([from, true]);
      expect([from, can(from, { pod: "sentinel" }, "TCP", v.sentinel.port)]).toEqual([from, true]);
      expect([from, can(from, { pod: "sentinel" }, "TCP", v.port)]).toEqual([from, false]);
      // Each peer on its own port only.
      expect([from, can(from, { pod: "valkey" }, "TCP", v.sentinel.port)]).toEqual([from, false]);
      expect([from, can(from, KUBE_DNS(cfg), "UDP", cfg.kubernetes.dns.port)]).toEqual([from, true]);
      expect([from, can(from, { ip: NODE }, "TCP", v.port)]).toEqual([from, false]);
      expect([from, can(from, { ip: OUTSIDE }, "TCP", 443)]).toEqual([from, false]);
    }
    expect(inClusterTargets(named(policies, "lkstack-valkey")).sort()).toEqual([
      "lkstack-valkey",
      "lkstack-valkey-sentinel",
      `ns:${cfg.kubernetes.dns.namespace}`,
    ]);
    expect((named(policies, "lkstack-valkey").spec?.egress ?? []).flatMap((r) => r.to ?? []).filter((p) => p.ipBlock)).toEqual([]);
    // Standalone: no replica, no sentinel, no name to resolve: no egress at all.
    const standalone = parse(minimal("kubernetes"));
    expect(named(networkPolicies(standalone), "lkstack-valkey").spec?.egress).toEqual([]);
  });

  test("the SFU reaches Sentinel and Valkey, DNS, and viewers on any UDP port; no TCP leaves it without a webhook", () => {
    expect(can("sfu", { pod: "sentinel" }, "TCP", cfg.valkey.sentinel.port)).toBe(true);
    expect(can("sfu", { pod: "valkey" }, "TCP", cfg.valkey.port)).toBe(true);
    expect(can("sfu", KUBE_DNS(cfg), "UDP", cfg.kubernetes.dns.port)).toBe(true);
    expect(can("sfu", { ip: OUTSIDE }, "UDP", 61234)).toBe(true);
    expect(can("sfu", { ip: OUTSIDE }, "TCP", 443)).toBe(false);
    expect(can("sfu", { pod: "mediamtx" }, "TCP", cfg.mediamtx.ports.api)).toBe(false);
  });

  test("Valkey's clients reach the Sentinel port on Sentinel pods and the Valkey port on Valkey pods, and nothing else on those ports", () => {
    const v = cfg.valkey;
    for (const from of ["sfu", "ingress"] as const) {
      expect([from, can(from, { pod: "sentinel" }, "TCP", v.sentinel.port)]).toEqual([from, true]);
      expect([from, can(from, { pod: "valkey" }, "TCP", v.port)]).toEqual([from, true]);
      // Not the other pod's port, not another pod on the same port, not an outside address.
      expect([from, can(from, { pod: "sentinel" }, "TCP", v.port)]).toEqual([from, false]);
      expect([from, can(from, { pod: "mediamtx" }, "TCP", v.sentinel.port)]).toEqual([from, false]);
      expect([from, can(from, { pod: "mediamtx" }, "TCP", v.port)]).toEqual([from, false]);
      expect([from, can(from, { ip: OUTSIDE }, "TCP", v.sentinel.port)]).toEqual([from, false]);
      expect([from, can(from, { ip: OUTSIDE }, "TCP", v.port)]).toEqual([from, false]);
    }
  });

  test("the SFU reaches each webhook receiver's port: an IP literal as itself, a DNS name anywhere", () => {
    const c = parse(
      minimal("kubernetes", {
        webhook: { urls: ["https://hooks.example.test/lk", "http://192.0.2.10:8080/events", "http://[2001:db8::9]/x"] },
      }),
    );
    const p = networkPolicies(c);
    expect(egressAllows(c, p, "sfu", { ip: OUTSIDE }, "TCP", 443)).toBe(true);
    expect(egressAllows(c, p, "sfu", { ip: "192.0.2.10" }, "TCP", 8080)).toBe(true);
    expect(egressAllows(c, p, "sfu", { ip: OUTSIDE }, "TCP", 8080)).toBe(false);
    expect(egressAllows(c, p, "sfu", { ip: "2001:db8::9" }, "TCP", 80)).toBe(true);
    expect(egressAllows(c, p, "sfu", { ip: OUTSIDE }, "TCP", 80)).toBe(false);
  });

  test("the Ingress reaches Valkey (via Sentinel), the SFU's signalling port and its media ports on the nodes", () => {
    const s = cfg.sfu.ports;
    expect(can("ingress", { pod: "sentinel" }, "TCP", cfg.valkey.sentinel.port)).toBe(true);
    expect(can("ingress", { pod: "valkey" }, "TCP", cfg.valkey.port)).toBe(true);
    expect(can("ingress", { ip: NODE }, "TCP", s.http)).toBe(true);
    expect(can("ingress", { ip: NODE }, "UDP", s.udp.start)).toBe(true);
    expect(can("ingress", { ip: NODE }, "UDP", s.udp.end)).toBe(true);
    expect(can("ingress", { ip: NODE }, "UDP", s.udp.end + 1)).toBe(false);
    expect(can("ingress", { ip: NODE }, "TCP", s.rtcTcp)).toBe(true);
    expect(can("ingress", { ip: NODE }, "TCP", s.metrics)).toBe(false);
    expect(can("ingress", { ip: OUTSIDE }, "UDP", s.udp.start)).toBe(false);
    expect(can("ingress", { ip: OUTSIDE }, "TCP", s.http)).toBe(false);
    expect(can("ingress", { pod: "mediamtx" }, "TCP", cfg.mediamtx.ports.api)).toBe(false);
    expect(can("ingress", KUBE_DNS(cfg), "UDP", cfg.kubernetes.dns.port)).toBe(true);
  });

  test("coturn relays only to the SFU's UDP range on the SFU nodes", () => {
    const s = cfg.sfu.ports;
    expect(can("turn", { ip: NODE }, "UDP", s.udp.start)).toBe(true);
    expect(can("turn", { ip: NODE }, "UDP", s.udp.start - 1)).toBe(false);
    expect(can("turn", { ip: NODE }, "UDP", 53)).toBe(false);
    expect(can("turn", { ip: OUTSIDE }, "UDP", s.udp.start)).toBe(false);
    expect(can("turn", { pod: "valkey" }, "TCP", cfg.valkey.port)).toBe(false);
  });

  test("every egress port follows the config", () => {
    const c = parse(
      minimal("kubernetes", {
        valkey: { port: 16379 },
        sfu: { ports: { http: 17880, rtcTcp: 17881, metrics: 17882, udp: { start: 51000, end: 51100 } } },
        ingress: { ports: { health: 18086, metrics: 18087, httpRelay: 19090, rtmp: 11935 } },
        mediamtx: { ports: { rtsp: 18554, api: 19997, metrics: 19998 } },
        kubernetes: {
          dns: { port: 5353, namespace: "openshift-dns", podLabels: { "dns.operator.openshift.io/daemonset-dns": "default" } },
        },
        cameras: [{ id: "3f2b8c1e-9d4a-4e6b-8f1a-2c5d7e9a0b13", rtsp: "rtsp://10.30.1.11:8555/s" }],
      }),
    );
    const p = networkPolicies(c);
    const node = "10.0.0.7";
    const dnsPods: Dest = { ns: "openshift-dns", labels: { "dns.operator.openshift.io/daemonset-dns": "default" } };
    const yes: [Workload, Dest, Proto, number][] = [
      ["mediamtx", { pod: "ingress" }, "TCP", 11935],
      ["mediamtx", { ip: "10.30.1.11" }, "TCP", 8555],
      ["cameras", { pod: "mediamtx" }, "TCP", 19997],
      ["cameras", { ip: node }, "TCP", 17880],
      ["ingress", { pod: "valkey" }, "TCP", 16379],
      ["ingress", { ip: node }, "UDP", 51100],
      ["ingress", { ip: node }, "TCP", 17881],
      ["turn", { ip: node }, "UDP", 51000],
      ["sfu", { pod: "valkey" }, "TCP", 16379],
      ["sfu", dnsPods, "UDP", 5353],
      ["ingress", dnsPods, "TCP", 5353],
    ];
    for (const [from, dest, proto, port] of yes)
      expect([from, dest, port, egressAllows(c, p, from, dest, proto, port)]).toEqual([from, dest, port, true]);
    const no: [Workload, Dest, Proto, number][] = [
      ["mediamtx", { pod: "ingress" }, "TCP", 1935],
      ["cameras", { pod: "mediamtx" }, "TCP", 9997],
      ["ingress", { pod: "valkey" }, "TCP", 6379],
      ["turn", { ip: node }, "UDP", 50000],
      ["sfu", KUBE_DNS(parse(minimal("kubernetes"))), "UDP", 53],
    ];
    for (const [from, dest, proto, port] of no)
      expect([from, dest, port, egressAllows(c, p, from, dest, proto, port)]).toEqual([from, dest, port, false]);
  });

  test("extra resolver addresses (NodeLocal DNSCache) are admitted for DNS only", () => {
    const c = parse(minimal("kubernetes", { kubernetes: { dns: { cidrs: ["169.254.20.10/32"] } } }));
    const p = networkPolicies(c);
    expect(egressAllows(c, p, "ingress", { ip: "169.254.20.10" }, "UDP", c.kubernetes.dns.port)).toBe(true);
    expect(egressAllows(c, p, "ingress", { ip: "169.254.20.10" }, "TCP", 80)).toBe(false);
    expect(
      egressAllows(
        parse(minimal("kubernetes")),
        networkPolicies(parse(minimal("kubernetes"))),
        "ingress",
        { ip: "169.254.20.10" },
        "UDP",
        53,
      ),
    ).toBe(false);
  });

  test("ingress side still holds: RTMP from MediaMTX only, API from the reconciler only", () => {
    expect(ingressAllows(cfg, policies, "ingress", { pod: "mediamtx" }, cfg.ingress.ports.rtmp)).toBe(true);
    expect(ingressAllows(cfg, policies, "ingress", { pod: "cameras" }, cfg.ingress.ports.rtmp)).toBe(false);
    expect(ingressAllows(cfg, policies, "mediamtx", { pod: "cameras" }, cfg.mediamtx.ports.api)).toBe(true);
    expect(ingressAllows(cfg, policies, "mediamtx", { pod: "ingress" }, cfg.mediamtx.ports.api)).toBe(false);
  });
});

describe("metrics endpoints: the auth each server supports, else the network", () => {
  const cfg = stackFromFile("prod");
  let policies: ReturnType<typeof networkPolicies>;
  // Per test: per-test coverage (npm run mutate) credits only what runs inside a test.
  beforeEach(() => (policies = networkPolicies(cfg)));
  const monitoringPod: Dest = { ns: cfg.kubernetes.monitoring.namespace, labels: { "app.kubernetes.io/name": "prometheus" } };
  const otherNamespace: Dest = { ns: "tenant-a", labels: { "app.kubernetes.io/name": "prometheus" } };

  test("SFU, Ingress and coturn metrics (no auth upstream, or none rendered) admit only the monitoring namespace and the nodes", () => {
    const endpoints: [Workload, number][] = [
      ["sfu", cfg.sfu.ports.metrics],
      ["ingress", cfg.ingress.ports.metrics],
      ["turn", cfg.turn.ports.metrics],
    ];
    for (const [w, port] of endpoints) {
      const at = (src: Dest) => ingressAllows(cfg, policies, w, src, port);
      expect([w, at(monitoringPod), at({ ip: NODE })]).toEqual([w, true, true]);
      expect([w, at(otherNamespace), at({ pod: "mediamtx" }), at({ pod: "cameras" }), at({ ip: OUTSIDE })]).toEqual([
        w,
        false,
        false,
        false,
        false,
      ]);
    }
  });

  test("MediaMTX metrics stay on loopback: bound to 127.0.0.1, readable by the loopback user only, no Service port, no policy admits them", () => {
    const port = cfg.mediamtx.ports.metrics;
    const doc = parseYaml(renderMediamtxConfig(cfg)) as {
      metricsAddress: string;
      authInternalUsers: { user: string; ips: string[]; permissions: { action: string }[] }[];
    };
    expect(doc.metricsAddress).toBe(`127.0.0.1:${port}`);
    const readers = doc.authInternalUsers.filter((u) => u.permissions.some((p) => p.action === "metrics"));
    expect(readers.map((u) => u.ips)).toEqual([["127.0.0.1", "::1"]]);
    const m = k8sManifests(cfg, "");
    expect(m.mediamtx?.service.spec?.ports?.map((p) => p.port)).not.toContain(port);
    for (const src of [monitoringPod, { ip: NODE }, { pod: "cameras" as const }])
      expect([src, ingressAllows(cfg, policies, "mediamtx", src, port)]).toEqual([src, false]);
  });
});

describe("NetworkPolicy objects: names, labels, selectors and rule shapes", () => {
  const cfg = stackFromFile("prod");
  let policies: ReturnType<typeof networkPolicies>;
  // Per test: per-test coverage (npm run mutate) credits only what runs inside a test.
  beforeEach(() => (policies = networkPolicies(cfg)));
  const nodeBlocks = (c: StackConfig): NetworkPolicyPeer[] => c.kubernetes.nodeCidrs.map((cidr) => ({ ipBlock: { cidr } }));
  /** A pod of the stack's namespace that is not part of the stack (another team's, or an attacker's). */
  const stranger: Dest = { ns: cfg.kubernetes.namespace, labels: { "app.kubernetes.io/name": "intruder" } };

  test("the default-deny policy is named lkstack-default-deny and selects every pod of the stack's namespace", () => {
    const deny = named(policies, "lkstack-default-deny");
    expect(deny.metadata?.namespace).toBe(cfg.kubernetes.namespace);
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [], egress: [] });
  });

  test("every policy carries the stack's part-of and managed-by labels and lives in the stack's namespace", () => {
    expect(policies.length).toBeGreaterThan(5);
    for (const p of policies)
      expect([p.metadata?.name, p.metadata?.namespace, p.metadata?.labels]).toEqual([
        p.metadata?.name,
        cfg.kubernetes.namespace,
        { "app.kubernetes.io/part-of": "lkstack", "app.kubernetes.io/managed-by": "lkstack" },
      ]);
  });

  test("a port rule carries endPort only when it is a range (DNS, TURN listening: one port; media, relay: ranges)", () => {
    const single = parse(minimal("kubernetes", { sfu: { ports: { udpMode: "single" } } }));
    for (const c of [cfg, single])
      for (const p of networkPolicies(c))
        for (const rule of [...(p.spec?.ingress ?? []), ...(p.spec?.egress ?? [])])
          for (const port of rule.ports ?? [])
            expect([p.metadata?.name, port, "endPort" in port]).toEqual([
              p.metadata?.name,
              port,
              typeof port.port === "number" && port.endPort !== undefined && port.endPort > port.port,
            ]);
    const d = cfg.kubernetes.dns.port;
    const dnsRule = named(policies, "lkstack-sfu").spec?.egress?.[0];
    expect(dnsRule?.ports).toStrictEqual([
      { protocol: "UDP", port: d },
      { protocol: "TCP", port: d },
    ]);
    const t = cfg.turn.ports;
    expect(named(policies, "lkstack-turn").spec?.ingress?.[0].ports).toStrictEqual([
      { protocol: "UDP", port: t.listening },
      { protocol: "TCP", port: t.listening },
      { protocol: "TCP", port: t.tls },
      { protocol: "UDP", port: t.relay.start, endPort: t.relay.end },
    ]);
  });

  test("the stack's own pods and the nodes may reach Valkey and Sentinel; no other pod or address may", () => {
    const v = cfg.valkey;
    const internal = [{ podSelector: { matchLabels: { "app.kubernetes.io/part-of": "lkstack" } } }, ...nodeBlocks(cfg)];
    const targets: [Workload, string, number][] = [
      ["valkey", "lkstack-valkey", v.port],
      ["sentinel", "lkstack-valkey-sentinel", v.sentinel.port],
    ];
    for (const [w, name, port] of targets) {
      expect(named(policies, name).spec?.ingress).toEqual([{ from: internal, ports: [{ protocol: "TCP", port }] }]);
      const at = (src: Dest) => ingressAllows(cfg, policies, w, src, port);
      expect([w, at({ pod: "sfu" }), at({ pod: "ingress" }), at({ pod: "cameras" }), at({ ip: NODE })]).toEqual([
        w,
        true,
        true,
        true,
        true,
      ]);
      const foreignStackPod: Dest = { ns: "tenant-a", labels: { "app.kubernetes.io/part-of": "lkstack" } };
      expect([w, at(stranger), at(foreignStackPod), at({ ip: OUTSIDE })]).toEqual([w, false, false, false]);
    }
  });

  test("DNS egress reaches the cluster DNS pods only, not every pod of their namespace", () => {
    const d = cfg.kubernetes.dns;
    const neighbour: Dest = { ns: d.namespace, labels: { "k8s-app": "metrics-server" } };
    for (const w of ["sfu", "ingress", "mediamtx", "cameras", "valkey", "sentinel", "publisher"] as const) {
      expect([w, egressAllows(cfg, policies, w, KUBE_DNS(cfg), "UDP", d.port)]).toEqual([w, true]);
      expect([w, egressAllows(cfg, policies, w, neighbour, "UDP", d.port)]).toEqual([w, false]);
      expect([w, egressAllows(cfg, policies, w, neighbour, "TCP", d.port)]).toEqual([w, false]);
    }
  });

  test("the Ingress, the reconciler and the publisher reach the SFU pods' signalling port, and no other SFU port", () => {
    const s = cfg.sfu.ports;
    for (const w of ["ingress", "cameras", "publisher"] as const) {
      expect([w, egressAllows(cfg, policies, w, { pod: "sfu" }, "TCP", s.http)]).toEqual([w, true]);
      expect([w, egressAllows(cfg, policies, w, { pod: "sfu" }, "TCP", s.metrics)]).toEqual([w, false]);
      expect([w, egressAllows(cfg, policies, w, stranger, "TCP", s.http)]).toEqual([w, false]);
    }
  });

  test("with the STUN strategy for the node IP, the SFU's address is any address: coturn and the Ingress reach its media range anywhere, and only that range", () => {
    const stun = parse(minimal("kubernetes", { sfu: { nodeIp: { strategy: "stun", stunServers: ["stun.example.test:3478"] } } }));
    expect(stun.sfu.nodeIp.strategy).toBe("stun");
    const p = networkPolicies(stun);
    const { start, end } = stun.sfu.ports.udp;
    for (const w of ["turn", "ingress"] as const) {
      expect([w, egressAllows(stun, p, w, { ip: OUTSIDE }, "UDP", start)]).toEqual([w, true]);
      expect([w, egressAllows(stun, p, w, { ip: "2001:db8::5" }, "UDP", end)]).toEqual([w, true]);
      expect([w, egressAllows(stun, p, w, { ip: OUTSIDE }, "UDP", end + 1)]).toEqual([w, false]);
    }
    expect(egressAllows(stun, p, "turn", { ip: OUTSIDE }, "TCP", start)).toBe(false);
    // The default (hostIP) knows the SFU's addresses: the nodes', nothing beyond.
    const hostIp = parse(minimal("kubernetes"));
    expect(hostIp.sfu.nodeIp.strategy).toBe("hostIP");
    const h = networkPolicies(hostIp);
    for (const w of ["turn", "ingress"] as const) {
      expect([w, egressAllows(hostIp, h, w, { ip: "10.0.3.4" }, "UDP", start)]).toEqual([w, true]);
      expect([w, egressAllows(hostIp, h, w, { ip: OUTSIDE }, "UDP", start)]).toEqual([w, false]);
    }
  });

  test("an Ingress stack without MediaMTX accepts RTMP from no pod and no address; only probes and metrics", () => {
    const c = parse(minimal("kubernetes", { mediamtx: { enabled: false } }));
    const p = networkPolicies(c);
    expect(p.map((x) => x.metadata?.name)).not.toContain("lkstack-mediamtx");
    const i = c.ingress.ports;
    const monitoring = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": c.kubernetes.monitoring.namespace } } };
    expect(named(p, "lkstack-ingress").spec?.ingress).toEqual([
      { from: nodeBlocks(c), ports: [{ protocol: "TCP", port: i.health }] },
      { from: [monitoring, ...nodeBlocks(c)], ports: [{ protocol: "TCP", port: i.metrics }] },
    ]);
    for (const src of [{ pod: "mediamtx" as const }, { pod: "sfu" as const }, { ip: "10.0.3.4" }, { ip: OUTSIDE }])
      expect([src, ingressAllows(c, p, "ingress", src, i.rtmp)]).toEqual([src, false]);
  });
});

describe("URL egress rules (webhooks): one rule per port, in port order", () => {
  const ipRule = (cidr: string, port: number) => ({ to: [{ ipBlock: { cidr } }], ports: [{ protocol: "TCP", port }] });
  /** The SFU's egress rules to webhook receivers: TCP rules to addresses. */
  const webhookRules = (policies: NetworkPolicy[]) =>
    (named(policies, "lkstack-sfu").spec?.egress ?? []).filter(
      (r) => (r.to ?? []).length > 0 && (r.to ?? []).every((peer) => peer.ipBlock) && r.ports?.every((x) => x.protocol === "TCP"),
    );

  test("a port allowed to anywhere (a DNS name) is not narrowed by an IP-literal URL on the same port, in either order", () => {
    for (const urls of [
      ["https://hooks.example.test/lk", "https://192.0.2.10/x"],
      ["https://192.0.2.10/x", "https://hooks.example.test/lk"],
    ]) {
      const c = parse(minimal("kubernetes", { webhook: { urls } }));
      const p = networkPolicies(c);
      expect([urls, webhookRules(p)]).toEqual([
        urls,
        [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [{ protocol: "TCP", port: 443 }] }],
      ]);
      expect([urls, egressAllows(c, p, "sfu", { ip: OUTSIDE }, "TCP", 443)]).toEqual([urls, true]);
      expect([urls, egressAllows(c, p, "sfu", { ip: OUTSIDE }, "TCP", 80)]).toEqual([urls, false]);
    }
  });

  test("ports are listed in ascending order, whatever the order of the URLs", () => {
    const urls = [
      "http://192.0.2.14:9000/e",
      "http://192.0.2.13:8080/e",
      "https://192.0.2.12/e",
      "http://192.0.2.11/e",
      "http://192.0.2.10:8443/e",
    ];
    const c = parse(minimal("kubernetes", { webhook: { urls } }));
    expect(webhookRules(networkPolicies(c))).toEqual([
      ipRule("192.0.2.11/32", 80),
      ipRule("192.0.2.12/32", 443),
      ipRule("192.0.2.13/32", 8080),
      ipRule("192.0.2.10/32", 8443),
      ipRule("192.0.2.14/32", 9000),
    ]);
  });
});

describe("each workload's policy exists with it, and admits its peers on its own ports only", () => {
  const cam = (n: number, ingest: "transcode" | "passthrough") => ({
    id: `00000000-0000-4000-8000-00000000000${n}`,
    rtsp: `rtsp://10.30.1.${n}:554`,
    ...(ingest === "passthrough"
      ? {
          streams: {
            high: { path: "/ch/101", width: 1920, height: 1080, bitrateKbps: 4000 },
            low: { path: "/ch/102", width: 640, height: 360, bitrateKbps: 512 },
          },
        }
      : {}),
  });
  const policyNames = (c: StackConfig) => networkPolicies(c).map((p) => p.metadata?.name);
  const stack = (extra: Partial<Parameters<typeof minimal>[1]>) => parse(minimal("kubernetes", extra));

  test("coturn, Sentinel, the Ingress, the reconciler and the publisher have a policy only when they run", () => {
    const bare = stack({ turn: { enabled: false } as never, ingress: { enabled: false } as never, cameras: [] });
    expect(policyNames(bare)).toEqual(["lkstack-default-deny", "lkstack-sfu", "lkstack-valkey", "lkstack-mediamtx"]);
    const transcodeOnly = stack({ cameras: [cam(1, "transcode")] });
    expect(policyNames(transcodeOnly)).toContain("lkstack-cameras");
    expect(policyNames(transcodeOnly)).not.toContain("lkstack-publisher");
    const passthroughOnly = stack({ cameras: [cam(2, "passthrough")], publisher: { image: "registry.example/p:1" } as never });
    expect(policyNames(passthroughOnly)).toContain("lkstack-publisher");
    // Cameras without the Ingress: nothing for the reconciler to do, so no policy for it.
    const noIngress = stack({
      ingress: { enabled: false } as never,
      cameras: [cam(3, "passthrough")],
      publisher: { image: "registry.example/p:1" } as never,
    });
    expect(policyNames(noIngress)).toContain("lkstack-publisher");
    expect(policyNames(noIngress)).not.toContain("lkstack-cameras");
    // The Ingress without cameras: no reconciler either.
    expect(policyNames(stack({ cameras: [] }))).not.toContain("lkstack-cameras");
    const sentinel = stack({ valkey: { mode: "sentinel" } as never });
    expect(policyNames(sentinel)).toContain("lkstack-valkey-sentinel");
    expect(policyNames(stack({}))).not.toContain("lkstack-valkey-sentinel");
  });

  test("the reconciler's policy: kubelet probes its health port from the nodes, nothing else reaches it; it reaches MediaMTX's API pods only", () => {
    const cfg = stackFromFile("prod");
    const policies = networkPolicies(cfg);
    const health = named(policies, "lkstack-cameras");
    expect(health.spec?.podSelector).toEqual({
      matchLabels: { "app.kubernetes.io/name": "lkstack-cameras", "app.kubernetes.io/part-of": "lkstack" },
    });
    const at = (src: Dest, port: number) => ingressAllows(cfg, policies, "cameras", src, port);
    const healthPort = health.spec?.ingress?.[0].ports?.[0].port as number;
    expect([
      at({ ip: NODE }, healthPort),
      at({ ip: NODE }, healthPort + 1),
      at({ pod: "sfu" }, healthPort),
      at({ ip: OUTSIDE }, healthPort),
    ]).toEqual([true, false, false, false]);
    expect(egressAllows(cfg, policies, "cameras", { ip: OUTSIDE }, "TCP", cfg.mediamtx.ports.api)).toBe(false);
    expect(egressAllows(cfg, policies, "cameras", { pod: "sfu" }, "TCP", cfg.mediamtx.ports.api)).toBe(false);
  });

  test("the publisher's health port admits the monitoring namespace and the nodes only; it reads MediaMTX's pods, no other address, over RTSP", () => {
    const cfg = stackFromFile("prod");
    const policies = networkPolicies(cfg);
    const health = cfg.publisher.ports.health;
    const monitoringPod: Dest = { ns: cfg.kubernetes.monitoring.namespace, labels: { "app.kubernetes.io/name": "prometheus" } };
    const at = (src: Dest) => ingressAllows(cfg, policies, "publisher", src, health);
    expect([at(monitoringPod), at({ ip: NODE }), at({ pod: "sfu" }), at({ ip: OUTSIDE })]).toEqual([true, true, false, false]);
    const rtsp = cfg.mediamtx.ports.rtsp;
    expect(egressAllows(cfg, policies, "publisher", { pod: "mediamtx" }, "TCP", rtsp)).toBe(true);
    expect(egressAllows(cfg, policies, "publisher", { ip: OUTSIDE }, "TCP", rtsp)).toBe(false);
    expect(egressAllows(cfg, policies, "publisher", { pod: "ingress" }, "TCP", rtsp)).toBe(false);
  });

  test("the SFU's and coturn's metrics rules open their metrics port and no other", () => {
    const cfg = stackFromFile("prod");
    const policies = networkPolicies(cfg);
    const monitoringPod: Dest = { ns: cfg.kubernetes.monitoring.namespace, labels: { "app.kubernetes.io/name": "prometheus" } };
    const unused = 6553;
    for (const w of ["sfu", "turn"] as const)
      expect([w, ingressAllows(cfg, policies, w, monitoringPod, unused), ingressAllows(cfg, policies, w, { ip: NODE }, unused)]).toEqual([
        w,
        false,
        false,
      ]);
  });

  test("in Sentinel mode Valkey and Sentinel reach each other's pods, no address outside", () => {
    const cfg = stackFromFile("prod");
    const policies = networkPolicies(cfg);
    const v = cfg.valkey;
    for (const w of ["valkey", "sentinel"] as const) {
      expect([w, egressAllows(cfg, policies, w, { pod: "valkey" }, "TCP", v.port)]).toEqual([w, true]);
      expect([w, egressAllows(cfg, policies, w, { pod: "sentinel" }, "TCP", v.sentinel.port)]).toEqual([w, true]);
      expect([w, egressAllows(cfg, policies, w, { ip: OUTSIDE }, "TCP", v.port)]).toEqual([w, false]);
      expect([w, egressAllows(cfg, policies, w, { ip: OUTSIDE }, "TCP", v.sentinel.port)]).toEqual([w, false]);
    }
  });
});
