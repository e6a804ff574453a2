import { formatConfigPath, parseStackConfig, type ConfigProblem, type StackConfigInput } from "../../schema";
import { configProblemsOf, minimal } from "../helpers/fixtures";

// The cross-field checks of schema/validate.ts, one by one: the config that trips each, the exact
// words the operator reads (the path, the figures, the fix), and the nearest config that passes.

type Target = "docker" | "kubernetes";
type Patch = Record<string, unknown>;

function problemsOf(target: Target, patch: Patch): readonly ConfigProblem[] {
  return configProblemsOf(() => parseStackConfig(minimal(target, patch as Partial<StackConfigInput>)));
}

/** The problems at one `lkstack:` path, as `path | problem | fix` lines. */
function at(target: Target, patch: Patch, path: string): string[] {
  return problemsOf(target, patch)
    .filter((p) => formatConfigPath(p.path) === path)
    .map((p) => `${p.problem} | ${p.fix}`);
}

/** `patch` with `value` set at a dotted path (objects created on the way). */
function withValue(patch: Patch, dotted: string, value: unknown): Patch {
  const keys = dotted.split(".");
  const out: Patch = structuredClone(patch);
  let node = out;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Patch;
  node[keys[keys.length - 1]] = value;
  return out;
}

const camera = (n: number, extra: Patch = {}): Patch => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  rtsp: `rtsp://10.1.1.${n}:554/s`,
  ...extra,
});
const cameras = (count: number): Patch[] => Array.from({ length: count }, (_, i) => camera(i + 1));
const limits = (memory: string): Patch => ({ requests: { cpu: "0.1", memory }, limits: { cpu: "1", memory } });

describe("ports: each claim collides by name, with the one that had the port first", () => {
  const FIX = "give each service its own port";
  const K8S_TLS = { turn: { tls: { enabled: true, certificate: { secretName: "turn-tls" } } } };
  const SENTINEL = { valkey: { mode: "sentinel" } };
  const CADDY = { edge: { enabled: true, host: "live.example.test", certificate: { certFile: "/etc/c.pem", keyFile: "/etc/k.pem" } } };
  // [target, the setting moved onto the SFU's HTTP port 7880, what it is called, what turns it on]
  it.each<[Target, string, string, Patch]>([
    ["kubernetes", "sfu.ports.metrics", "SFU metrics", {}],
    ["kubernetes", "valkey.port", "Valkey", {}],
    ["kubernetes", "valkey.sentinel.port", "Sentinel", SENTINEL],
    ["kubernetes", "ingress.ports.health", "Ingress health", {}],
    ["kubernetes", "ingress.ports.metrics", "Ingress metrics", {}],
    ["kubernetes", "ingress.ports.httpRelay", "Ingress HTTP relay", {}],
    ["kubernetes", "ingress.ports.rtmp", "Ingress RTMP", {}],
    ["kubernetes", "turn.ports.listening", "TURN listening", {}],
    ["kubernetes", "turn.ports.metrics", "TURN metrics", {}],
    ["kubernetes", "turn.ports.tls", "TURN TLS", K8S_TLS],
    ["docker", "edge.port", "TLS edge", CADDY],
    ["kubernetes", "mediamtx.ports.rtsp", "MediaMTX RTSP", {}],
    ["kubernetes", "mediamtx.ports.api", "MediaMTX API", {}],
    ["kubernetes", "mediamtx.ports.metrics", "MediaMTX metrics", {}],
  ])("%s: %s", (target, setting, what, enable) => {
    expect(at(target, withValue(enable, setting, 7880), `lkstack:${setting}`)).toEqual([
      `port 7880 (${what}) collides with SFU HTTP/WebSocket at lkstack:sfu.ports.http | ${FIX}`,
    ]);
  });

  it("the first claim is named as the prior one (SFU HTTP moved onto the ICE/TCP port)", () => {
    expect(at("kubernetes", { sfu: { ports: { http: 7881 } } }, "lkstack:sfu.ports.rtcTcp")).toEqual([
      `port 7881 (SFU ICE/TCP) collides with SFU HTTP/WebSocket at lkstack:sfu.ports.http | ${FIX}`,
    ]);
  });

  // A port of a part that is off claims nothing: it may sit on any other port.
  it.each<[Target, string, Patch]>([
    ["kubernetes", "valkey.sentinel.port", {}],
    ["kubernetes", "ingress.ports.health", { ingress: { enabled: false } }],
    ["kubernetes", "turn.ports.listening", { turn: { enabled: false } }],
    ["kubernetes", "turn.ports.tls", {}],
    ["docker", "edge.port", {}],
    ["docker", "edge.port", { ...CADDY, edge: { ...CADDY.edge, docker: { kind: "external" }, certificate: undefined } }],
    ["kubernetes", "edge.port", { edge: { enabled: true, host: "live.example.test", certificate: { secretName: "edge-tls" } } }],
    ["kubernetes", "mediamtx.ports.rtsp", { mediamtx: { enabled: false } }],
  ])("%s: %s claims nothing while its part is off (%j)", (target, setting, off) => {
    expect(problemsOf(target, withValue(off, setting, 7880))).toEqual([]);
  });
});

describe("ports inside the UDP ranges", () => {
  const FIX = "move the port outside the range or shrink the range";
  it("a TCP port inside the SFU's range, its single port, or the TURN relay range is refused at the range's edges", () => {
    expect(at("kubernetes", { valkey: { port: 50000 } }, "lkstack:valkey.port")).toEqual([
      `port 50000 (Valkey) lies inside the SFU UDP range 50000-50500 | ${FIX}`,
    ]);
    expect(at("kubernetes", { valkey: { port: 50500 } }, "lkstack:valkey.port")).toHaveLength(1);
    expect(at("kubernetes", { valkey: { port: 50501 } }, "lkstack:valkey.port")).toEqual([]);
    expect(at("kubernetes", { valkey: { port: 49999 } }, "lkstack:valkey.port")).toEqual([
      `port 49999 (Valkey) lies inside the TURN relay range 40000-49999 | ${FIX}`,
    ]);
    const single = { sfu: { ports: { udpMode: "single" } } };
    expect(at("kubernetes", { ...single, valkey: { port: 50000 } }, "lkstack:valkey.port")).toEqual([
      `port 50000 (Valkey) lies inside the SFU UDP port 50000-50000 | ${FIX}`,
    ]);
    expect(at("kubernetes", { ...single, valkey: { port: 50001 } }, "lkstack:valkey.port")).toEqual([]);
  });

  it("the relay range is free to hold any port while TURN is off", () => {
    expect(problemsOf("kubernetes", { turn: { enabled: false }, valkey: { port: 45000 } })).toEqual([]);
  });

  it("the TURN relay range may not touch the SFU's UDP ports; disjoint ranges, or TURN off, pass", () => {
    const relay = (start: number, end: number, extra: Patch = {}): Patch => ({ turn: { ...extra, ports: { relay: { start, end } } } });
    expect(at("kubernetes", relay(49000, 50000), "lkstack:turn.ports.relay")).toEqual([
      "TURN relay range 49000-50000 overlaps the SFU UDP range 50000-50500 (both bind on the node) | " +
        "make them disjoint, e.g. relay 40000-49999 with the SFU on 50000-50500",
    ]);
    expect(at("kubernetes", relay(50500, 50600), "lkstack:turn.ports.relay")).toHaveLength(1);
    expect(at("kubernetes", relay(50501, 50600), "lkstack:turn.ports.relay")).toEqual([]);
    expect(at("kubernetes", relay(49000, 50000, { enabled: false }), "lkstack:turn.ports.relay")).toEqual([]);
  });
});

describe("capacity on each SFU node", () => {
  it("more participants than the UDP range holds: the figures, and each way out", () => {
    expect(at("kubernetes", { capacity: { concurrentViewers: 400 }, cameras: cameras(20) }, "lkstack:sfu.ports.udp")).toEqual([
      "20 cameras + 400 viewers on 1 SFU node(s) is 420 participants per node, needing 840 UDP ports; " +
        "the range 50000-50500 has 501 (budget 250 participants at 2 ports each) | " +
        "raise lkstack:sfu.replicas to 2, or widen the range to at least 840 ports, " +
        "or set lkstack:sfu.ports.udpMode: single (one port for every participant)",
    ]);
    // 250 participants take 500 of the 501 ports; one more than fits is refused.
    expect(at("kubernetes", { capacity: { concurrentViewers: 250 } }, "lkstack:sfu.ports.udp")).toEqual([]);
    expect(at("kubernetes", { capacity: { concurrentViewers: 251 } }, "lkstack:sfu.ports.udp")).toHaveLength(1);
  });

  it("a memory limit below the rooms' need names the need and a limit that fits", () => {
    const patch = { sfu: { resources: limits("1Gi") }, cameras: cameras(20) };
    expect(at("kubernetes", patch, "lkstack:sfu.resources.limits.memory")).toEqual([
      "20 camera rooms per node need about 1.2 GiB (10 MB per room + 1 GiB overhead); the limit is 1Gi | " +
        "raise it to at least 2Gi or add SFU replicas",
    ]);
    expect(at("kubernetes", { ...patch, sfu: { resources: limits("2Gi") } }, "lkstack:sfu.resources.limits.memory")).toEqual([]);
  });
});

describe("versions, node address and TURN", () => {
  it("a version outside the supported series names the series", () => {
    expect(at("kubernetes", { versions: { livekitServer: "1.12.0" } }, "lkstack:versions.livekitServer")).toEqual([
      "version 1.12.0 has no key allow-list in this release of lkstack (supported: 1.13) | " +
        "pin a supported version (optionally by digest: <version>@sha256:<64 hex>), or extend schema/keys and the conformance tests first",
    ]);
  });

  it("the node address each target resolves to when unset", () => {
    expect(parseStackConfig(minimal("kubernetes")).sfu.nodeIp).toEqual({ strategy: "hostIP" });
    expect(parseStackConfig(minimal("docker")).sfu.nodeIp).toEqual({ strategy: "static", address: "172.30.42.1" });
    expect(parseStackConfig(minimal("docker", { docker: { mode: "swarm" } } as never)).sfu.nodeIp).toEqual({
      strategy: "stun",
      stunServers: ["turn.example.test:3478"],
    });
  });

  it("Docker refuses the downward API; Swarm refuses a single static address", () => {
    expect(at("docker", { sfu: { nodeIp: { strategy: "hostIP" } } }, "lkstack:sfu.nodeIp.strategy")).toEqual([
      "hostIP reads the Kubernetes downward API | use {strategy: static, address: <host LAN IP>} on Docker",
    ]);
    const swarm = (nodeIp: Patch): Patch => ({ docker: { mode: "swarm" }, sfu: { nodeIp } });
    expect(at("docker", swarm({ strategy: "static", address: "172.30.42.1" }), "lkstack:sfu.nodeIp.strategy")).toEqual([
      "Swarm replicas run on several nodes, so a single static address is wrong for all but one | " +
        'use {strategy: stun, stunServers: ["turn.example.test:3478"]} (coturn answers STUN on the LAN)',
    ]);
    expect(at("docker", swarm({ strategy: "stun", stunServers: ["turn.example.test:3478"] }), "lkstack:sfu.nodeIp.strategy")).toEqual([]);
  });

  it("TURN TLS needs a certificate the target can mount", () => {
    const tls = (certificate?: Patch): Patch => ({ turn: { tls: { enabled: true, certificate } } });
    expect(at("kubernetes", tls(), "lkstack:turn.tls.certificate")).toEqual([
      "TURN TLS is enabled without a certificate | set certificate: {secretName: <kubernetes.io/tls Secret>}",
    ]);
    expect(at("docker", tls(), "lkstack:turn.tls.certificate")).toEqual([
      "TURN TLS is enabled without a certificate | set certificate: {certFile: /abs/cert.pem, keyFile: /abs/key.pem}",
    ]);
    expect(at("docker", tls({ secretName: "turn-tls" }), "lkstack:turn.tls.certificate")).toEqual([
      "a Secret reference needs the kubernetes target | use {certFile, keyFile} (absolute paths on the Docker host) on Docker",
    ]);
    expect(at("kubernetes", tls({ certFile: "/etc/c.pem", keyFile: "/etc/k.pem" }), "lkstack:turn.tls.certificate")).toEqual([
      "host file paths need the docker target | use {secretName: <kubernetes.io/tls Secret>} or {issuer: {name}} on Kubernetes",
    ]);
    expect(problemsOf("kubernetes", tls({ secretName: "turn-tls" }))).toEqual([]);
    expect(problemsOf("docker", tls({ certFile: "/etc/c.pem", keyFile: "/etc/k.pem" }))).toEqual([]);
  });

  it("a certificate's host files are normalized absolute paths Docker can bind-mount", () => {
    const refusal = [
      'not a normalized absolute path of letters, digits and . _ @ + - / (at most 4095 characters) | use e.g. "/etc/lkstack/turn/cert.pem"',
    ];
    const certAt = (certFile: string) =>
      at(
        "docker",
        { turn: { tls: { enabled: true, certificate: { certFile, keyFile: "/etc/k.pem" } } } },
        "lkstack:turn.tls.certificate.certFile",
      );
    for (const bad of ["etc/c.pem", "/etc/c.pem:rw", "/etc/a,b.pem", "/etc/../c.pem", "/etc/c pem", "x/etc/c.pem", "/etc/c;pem"])
      expect([bad, certAt(bad)]).toEqual([bad, refusal]);
    expect(certAt(`/${"a".repeat(4094)}`)).toEqual([]);
    expect(certAt(`/${"a".repeat(4095)}`)).toEqual(refusal);
    expect(certAt("/etc/lkstack/tls/turn_2.cert@v1+x.pem")).toEqual([]);
    expect(certAt("/etc/..cert/c.pem")).toEqual([]);
  });

  it("a standalone Docker host runs one coturn and one SFU; Swarm and Kubernetes run more", () => {
    const fix = 'set replicas to 1, or use lkstack:docker.mode "swarm" or the kubernetes target';
    expect(at("docker", { turn: { replicas: 2 } }, "lkstack:turn.replicas")).toEqual([
      `a standalone Docker host runs one coturn on its host network | ${fix}`,
    ]);
    expect(at("docker", { sfu: { replicas: 2 } }, "lkstack:sfu.replicas")).toEqual([
      `a standalone Docker host runs one SFU on its host network | ${fix}`,
    ]);
    const swarm = { docker: { mode: "swarm" }, sfu: { replicas: 2 }, turn: { replicas: 2 } };
    expect(at("docker", swarm, "lkstack:turn.replicas")).toEqual([]);
    expect(at("docker", swarm, "lkstack:sfu.replicas")).toEqual([]);
    expect(problemsOf("kubernetes", { sfu: { replicas: 2 }, turn: { replicas: 2 } })).toEqual([]);
  });

  it("coturn's bandwidth settings and NAT mapping come in pairs", () => {
    expect(at("kubernetes", { turn: { quotas: { bpsCapacity: 1000 } } }, "lkstack:turn.quotas.bpsCapacity")).toEqual([
      "coturn refuses to start with bps-capacity but no max-bps | set lkstack:turn.quotas.maxBps as well",
    ]);
    expect(problemsOf("kubernetes", { turn: { quotas: { bpsCapacity: 1000, maxBps: 100 } } })).toEqual([]);
    expect(problemsOf("kubernetes", { turn: { quotas: { maxBps: 100 } } })).toEqual([]);
    expect(at("kubernetes", { turn: { privateIp: "10.0.0.5" } }, "lkstack:turn.privateIp")).toEqual([
      "privateIp maps an external IP, but none is set | set lkstack:turn.externalIp too",
    ]);
    expect(problemsOf("kubernetes", { turn: { privateIp: "10.0.0.5", externalIp: "203.0.113.5" } })).toEqual([]);
  });

  it("TURN must be able to relay to the SFU: a static address in a denied range needs allowing", () => {
    const sfuAt = (address: string, allowedPeers: string[]): Patch => ({
      sfu: { nodeIp: { strategy: "static", address } },
      turn: { allowedPeers },
    });
    expect(at("docker", sfuAt("10.1.2.3", []), "lkstack:turn.allowedPeers")).toEqual([
      'the SFU node address 10.1.2.3 lies in a denied peer range, so TURN could not relay to it | add "10.1.2.3/32" (or the SFU subnet) to lkstack:turn.allowedPeers',
    ]);
    expect(problemsOf("docker", sfuAt("10.1.2.3", ["10.1.2.0/24"]))).toEqual([]);
    expect(problemsOf("docker", sfuAt("198.100.1.1", []))).toEqual([]); // a public address is not denied
    expect(
      at("kubernetes", { turn: { allowedPeers: [] }, kubernetes: { nodeCidrs: ["10.0.0.0/16"] } }, "lkstack:turn.allowedPeers"),
    ).toEqual([
      "with nodeIp strategy hostIP the SFU addresses are not known here, and private ranges are denied by default | " +
        "list the SFU nodes' CIDR(s) in lkstack:turn.allowedPeers",
    ]);
    expect(problemsOf("kubernetes", { turn: { enabled: false, allowedPeers: [] }, kubernetes: { nodeCidrs: ["10.0.0.0/16"] } })).toEqual(
      [],
    );
    // With nothing denied (the override), nothing needs allowing.
    const open = { allowedPeers: [], deniedPeers: [], dangerouslyAllowDeniedPeers: true };
    expect(problemsOf("kubernetes", { turn: open, kubernetes: { nodeCidrs: ["10.0.0.0/16"] } })).toEqual([]);
  });
});

describe("peer filtering may not be undone by config", () => {
  const OVERRIDE = "or, knowing TURN clients then reach every UDP port there, set lkstack:turn.dangerouslyAllowDeniedPeers: true";
  it("an allowed range as wide as the address space, or covering a denied range, is refused by index", () => {
    const problems = problemsOf("kubernetes", {
      turn: { allowedPeers: ["10.0.0.0/16", "10.0.0.0/8", "::/0", "0.0.0.0/0", "172.16.0.0/11"] },
    });
    expect(problems.map((p) => `${formatConfigPath(p.path)}: ${p.problem} | ${p.fix}`)).toEqual([
      `lkstack:turn.allowedPeers[1]: 10.0.0.0/8 covers the whole denied range 10.0.0.0/8, re-opening it to every TURN client | list only the SFU node addresses or their subnet (e.g. 10.20.0.0/24), ${OVERRIDE}`,
      `lkstack:turn.allowedPeers[2]: ::/0 is the whole IPv6 address space: TURN would relay anywhere, private networks included | list only the SFU node addresses (e.g. 10.20.0.5/32), ${OVERRIDE}`,
      `lkstack:turn.allowedPeers[3]: 0.0.0.0/0 is the whole IPv4 address space: TURN would relay anywhere, private networks included | list only the SFU node addresses (e.g. 10.20.0.5/32), ${OVERRIDE}`,
      `lkstack:turn.allowedPeers[4]: 172.16.0.0/11 covers the whole denied range 172.16.0.0/12, re-opening it to every TURN client | list only the SFU node addresses or their subnet (e.g. 10.20.0.0/24), ${OVERRIDE}`,
    ]);
  });

  it("a range the operator denied counts too", () => {
    const patch = { turn: { allowedPeers: ["10.0.0.0/16", "198.51.0.0/16"], deniedPeers: ["198.51.7.0/24", ...defaultDenied()] } };
    expect(at("kubernetes", patch, "lkstack:turn.allowedPeers[1]")).toEqual([
      `198.51.0.0/16 covers the whole denied range 198.51.7.0/24, re-opening it to every TURN client | list only the SFU node addresses or their subnet (e.g. 10.20.0.0/24), ${OVERRIDE}`,
    ]);
  });

  it("the deny list may not be emptied or lose a default range", () => {
    expect(at("kubernetes", { turn: { deniedPeers: [] } }, "lkstack:turn.deniedPeers")).toEqual([
      "the deny list is empty: TURN clients could relay to loopback, RFC 1918, CGNAT and link-local (cloud metadata) addresses | " +
        `remove lkstack:turn.deniedPeers to keep the defaults, ${OVERRIDE}`,
    ]);
    const withoutTwo = defaultDenied().filter((d) => d !== "169.254.0.0/16" && d !== "fe80::/10");
    expect(at("kubernetes", { turn: { deniedPeers: withoutTwo } }, "lkstack:turn.deniedPeers")).toEqual([
      "the deny list drops default range(s) 169.254.0.0/16, fe80::/10 | " +
        `keep every default range (add your own after them) and open single hosts with allowedPeers, ${OVERRIDE}`,
    ]);
    // A wider range in place of a default one still covers it.
    const widened = defaultDenied().map((d) => (d === "10.0.0.0/8" ? "10.0.0.0/7" : d));
    expect(at("kubernetes", { turn: { deniedPeers: widened } }, "lkstack:turn.deniedPeers")).toEqual([]);
  });

  it("the override, or TURN off, lifts every peer-filter check", () => {
    const wide = { allowedPeers: ["0.0.0.0/0", "10.0.0.0/8"], deniedPeers: [] };
    expect(problemsOf("kubernetes", { turn: { ...wide, dangerouslyAllowDeniedPeers: true } })).toEqual([]);
    expect(problemsOf("kubernetes", { turn: { ...wide, enabled: false } })).toEqual([]);
  });
});

function defaultDenied(): string[] {
  return [...parseStackConfig(minimal("kubernetes")).turn.deniedPeers];
}

describe("node CIDRs for the NetworkPolicies", () => {
  it("listed, derived from a static SFU address (a host prefix per family), or from TURN's allowed peers", () => {
    const cidrs = (target: Target, patch: Patch): string[] =>
      parseStackConfig(minimal(target, patch as Partial<StackConfigInput>)).kubernetes.nodeCidrs;
    expect(cidrs("kubernetes", { kubernetes: { nodeCidrs: ["10.9.0.0/16"] } })).toEqual(["10.9.0.0/16"]);
    expect(cidrs("kubernetes", {})).toEqual(["10.0.0.0/16"]);
    const at4 = { sfu: { nodeIp: { strategy: "static", address: "10.0.0.7" } } };
    expect(cidrs("kubernetes", at4)).toEqual(["10.0.0.7/32"]);
    const at6 = { sfu: { nodeIp: { strategy: "static", address: "2a00:1450::7" } } };
    expect(cidrs("kubernetes", at6)).toEqual(["2a00:1450::7/128"]);
  });

  it("Kubernetes with nothing to derive them from is refused; Docker needs none", () => {
    expect(at("kubernetes", { turn: { enabled: false, allowedPeers: [] } }, "lkstack:kubernetes.nodeCidrs")).toEqual([
      "the SFU runs on the host network, so its traffic to Valkey comes from node addresses the NetworkPolicies must admit | " +
        "list the nodes' CIDR(s) in lkstack:kubernetes.nodeCidrs (or in lkstack:turn.allowedPeers)",
    ]);
    expect(problemsOf("docker", { turn: { enabled: false, allowedPeers: [] } })).toEqual([]);
    // Nor Swarm, whose SFU address comes from STUN: nothing to derive them from, and no NetworkPolicy.
    expect(at("docker", { docker: { mode: "swarm" }, turn: { allowedPeers: [] } }, "lkstack:kubernetes.nodeCidrs")).toEqual([]);
  });
});

describe("Valkey", () => {
  it("maxmemory keeps a fifth of the container limit free; the fix names the most that fits", () => {
    const valkey = (maxmemory: string): Patch => ({ valkey: { maxmemory, resources: limits("1Gi") } });
    expect(at("kubernetes", valkey("900mb"), "lkstack:valkey.maxmemory")).toEqual([
      "maxmemory 900mb leaves under 20% of the 1Gi container limit for buffers and AOF rewrites | lower it to at most 819mb or raise the memory limit",
    ]);
    expect(at("kubernetes", valkey("819mb"), "lkstack:valkey.maxmemory")).toEqual([]);
    expect(at("kubernetes", valkey("820mb"), "lkstack:valkey.maxmemory")).toHaveLength(1);
    // Exactly four fifths is allowed (Valkey's "mb" is MiB): 800mb of a 1000Mi limit.
    expect(at("kubernetes", { valkey: { maxmemory: "800mb", resources: limits("1000Mi") } }, "lkstack:valkey.maxmemory")).toEqual([]);
  });

  it("maxmemory must be a size Valkey reads", () => {
    expect(at("kubernetes", { valkey: { maxmemory: "lots" } }, "lkstack:valkey.maxmemory")).toEqual([
      'not a Valkey memory size | use e.g. "768mb" or "2gb"',
    ]);
  });

  it("Sentinel: Kubernetes only, a quorum the sentinels can reach, and persistence", () => {
    expect(at("docker", { valkey: { mode: "sentinel" } }, "lkstack:valkey.mode")).toEqual([
      'Sentinel is deployed only on the kubernetes target | use mode "standalone" on Docker',
    ]);
    const sentinel = (extra: Patch): Patch => ({ valkey: { mode: "sentinel", ...extra } });
    expect(at("kubernetes", sentinel({ sentinel: { replicas: 3, quorum: 4 } }), "lkstack:valkey.sentinel.quorum")).toEqual([
      "quorum 4 exceeds 3 sentinels | use a majority, e.g. 2 of 3",
    ]);
    expect(at("kubernetes", sentinel({ sentinel: { replicas: 3, quorum: 3 } }), "lkstack:valkey.sentinel.quorum")).toEqual([]);
    expect(at("kubernetes", sentinel({ persistence: false }), "lkstack:valkey.persistence")).toEqual([
      "replication without persistence lets a restarted empty primary wipe its replicas | keep persistence on with Sentinel",
    ]);
    expect(problemsOf("kubernetes", { valkey: { persistence: false, sentinel: { quorum: 9 } } })).toEqual([]);
    expect(problemsOf("kubernetes", sentinel({}))).toEqual([]);
  });
});

describe("cameras", () => {
  it("ids are unique regardless of case; the second use names the first", () => {
    const id = "0000000a-0000-4000-8000-000000000001";
    const twice = { cameras: [camera(1, { id }), camera(2), camera(3, { id: id.toUpperCase() })] };
    expect(at("kubernetes", twice, "lkstack:cameras[2].id")).toEqual([
      "duplicate camera id (also lkstack:cameras[0]) | give every camera its own UUID",
    ]);
    expect(problemsOf("kubernetes", { cameras: cameras(3) })).toEqual([]);
  });

  it("cameras need MediaMTX; transcoded cameras need the Ingress, and are counted", () => {
    expect(at("kubernetes", { cameras: cameras(1), mediamtx: { enabled: false } }, "lkstack:mediamtx.enabled")).toEqual([
      "cameras are listed but MediaMTX is disabled; Ingress cannot pull rtsp:// itself | enable MediaMTX",
    ]);
    expect(problemsOf("kubernetes", { mediamtx: { enabled: false } })).toEqual([]);
    expect(at("kubernetes", { cameras: cameras(2), ingress: { enabled: false } }, "lkstack:ingress.enabled")).toEqual([
      "2 camera(s) use ingest: transcode, which needs the Ingress, and the Ingress is disabled | " +
        "enable Ingress, or give those cameras a low stream (passthrough)",
    ]);
    const stream = (path: string, width: number, height: number): Patch => ({ path, width, height, bitrateKbps: 500 });
    const passthrough = camera(1, {
      rtsp: "rtsp://10.1.1.1:554",
      streams: { high: stream("/h", 1920, 1080), low: stream("/l", 640, 360) },
    });
    expect(at("kubernetes", { cameras: [passthrough], ingress: { enabled: false } }, "lkstack:ingress.enabled")).toEqual([]);
  });
});

describe("simulcast layers and rotation", () => {
  const layer = (name: string, width: number, height: number): Patch => ({ name, width, height, bitrateKbps: 500, fps: 15 });
  it("each layer name once, from the largest picture to the smallest", () => {
    expect(
      at("kubernetes", { simulcast: { layers: [layer("high", 1280, 720), layer("high", 640, 360)] } }, "lkstack:simulcast.layers"),
    ).toEqual(["layer names repeat | use each of high, medium, low at most once"]);
    const order = "layers must go from the largest resolution to the smallest | order them high, medium, low";
    expect(
      at("kubernetes", { simulcast: { layers: [layer("high", 640, 360), layer("low", 1280, 720)] } }, "lkstack:simulcast.layers"),
    ).toEqual([order]);
    // The same area is not smaller.
    expect(
      at("kubernetes", { simulcast: { layers: [layer("high", 640, 360), layer("low", 360, 640)] } }, "lkstack:simulcast.layers"),
    ).toEqual([order]);
    expect(
      at("kubernetes", { simulcast: { layers: [layer("high", 1280, 720), layer("low", 640, 360)] } }, "lkstack:simulcast.layers"),
    ).toEqual([]);
  });

  it("a previous secret can be kept only once there is one", () => {
    expect(at("kubernetes", { rotation: { retainPrevious: ["turnSecret"] } }, "lkstack:rotation.retainPrevious")).toEqual([
      'turnSecret is at generation 1, so there is no previous value to keep | bump lkstack:rotation.turnSecret first, or drop "turnSecret" from retainPrevious',
    ]);
    expect(problemsOf("kubernetes", { rotation: { turnSecret: 2, retainPrevious: ["turnSecret"] } })).toEqual([]);
  });
});
