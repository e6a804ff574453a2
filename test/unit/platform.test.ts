import { formatConfigPath, parseStackConfig, type StackConfigInput } from "../../schema";
import { configProblemsOf, minimal as base } from "../helpers/fixtures";

/** minimal() with loosely typed extras: `turn` is merged over the fixture's own domain. */
const minimal = (target: "docker" | "kubernetes", extra: Record<string, unknown>) => base(target, extra as Partial<StackConfigInput>);

describe("what Kubernetes or the runtime would refuse is refused before anything is created", () => {
  it.each([
    [
      { sfu: { ports: { http: 443 } } },
      /lkstack:sfu\.ports\.http: port 443 \(SFU HTTP\/WebSocket\) is below 1024: the server runs as a non-root user/,
    ],
    [{ turn: { ports: { listening: 478 } } }, /lkstack:turn\.ports\.listening: port 478 .* below 1024/],
    [{ valkey: { port: 637 } }, /lkstack:valkey\.port: port 637 \(Valkey\) is below 1024/],
  ])("privileged ports for non-root servers: %j", (extra, message) => {
    expect(() => parseStackConfig(minimal("kubernetes", extra))).toThrow(message);
    expect(() => parseStackConfig(minimal("kubernetes", extra))).toThrow(/fix: use a port from 1024 up/);
  });

  it.each([
    [
      { sfu: { ports: { metrics: 10250 } } },
      /lkstack:sfu\.ports\.metrics: port 10250 \(SFU metrics\) includes 10250, which the kubelet API holds on every node/,
    ],
    [{ turn: { ports: { metrics: 10256 } } }, /lkstack:turn\.ports\.metrics: .*kube-proxy healthz/],
    [
      { turn: { ports: { relay: { start: 10000, end: 20000 } } } },
      /lkstack:turn\.ports\.relay: 10000-20000 \(the TURN relay range\) includes 10248/,
    ],
    [
      { sfu: { ports: { udp: { start: 30000, end: 30500 } } } },
      /lkstack:sfu\.ports\.udp: 30000-30500 \(the SFU UDP range\) overlaps the NodePort range 30000-32767/,
    ],
  ])("host-network collisions with node services on Kubernetes: %j", (extra, message) => {
    expect(() => parseStackConfig(minimal("kubernetes", extra))).toThrow(message);
  });

  it("the fixes: another port, or a range clear of every node port; a range outside the NodePorts", () => {
    const fixAt = (extra: Record<string, unknown>, path: string): string[] =>
      configProblemsOf(() => parseStackConfig(minimal("kubernetes", extra)))
        .filter((p) => formatConfigPath(p.path) === path)
        .map((p) => p.fix);
    const nodePorts = "2379, 2380, 6443, 10248, 10249, 10250, 10255, 10256, 10257, 10259";
    expect(fixAt({ sfu: { ports: { metrics: 10250 } } }, "lkstack:sfu.ports.metrics")).toEqual([
      `choose another port clear of the node's own ports (${nodePorts})`,
    ]);
    expect(fixAt({ turn: { ports: { relay: { start: 10250, end: 10251 } } } }, "lkstack:turn.ports.relay")).toEqual([
      `choose a range clear of the node's own ports (${nodePorts})`,
    ]);
    expect(fixAt({ sfu: { ports: { udp: { start: 30000, end: 30500 } } } }, "lkstack:sfu.ports.udp")).toEqual([
      "move it outside 30000-32767 (the defaults 7880-7882, 50000-50500, 3478/5349 and 40000-49999 are)",
    ]);
  });

  // Each listener on the host network, with the port of a node service put on it.
  it.each<[string, Record<string, unknown>, string]>([
    ["sfu.ports.http", { sfu: { ports: { http: 10250 } } }, "port 10250 (SFU HTTP/WebSocket)"],
    ["sfu.ports.rtcTcp", { sfu: { ports: { rtcTcp: 10250 } } }, "port 10250 (SFU ICE/TCP)"],
    ["sfu.ports.metrics", { sfu: { ports: { metrics: 10250 } } }, "port 10250 (SFU metrics)"],
    ["sfu.ports.udp", { sfu: { ports: { udp: { start: 10250, end: 10251 } } } }, "10250-10251 (the SFU UDP range)"],
    ["turn.ports.listening", { turn: { ports: { listening: 10250 } } }, "port 10250 (TURN listening)"],
    ["turn.ports.metrics", { turn: { ports: { metrics: 10250 } } }, "port 10250 (TURN metrics)"],
    ["turn.ports.relay", { turn: { ports: { relay: { start: 10250, end: 10251 } } } }, "10250-10251 (the TURN relay range)"],
    [
      "turn.ports.tls",
      { turn: { ports: { tls: 10250 }, tls: { enabled: true, certificate: { secretName: "turn-tls" } } } },
      "port 10250 (TURN TLS)",
    ],
  ])("%s is on the host network", (path, extra, what) => {
    const problems = configProblemsOf(() => parseStackConfig(minimal("kubernetes", extra))).filter(
      (p) => formatConfigPath(p.path) === `lkstack:${path}`,
    );
    expect(problems.map((p) => p.problem)).toEqual([
      `${what} includes 10250, which the kubelet API holds on every node (this pod uses the host network)`,
    ]);
  });

  it.each<[string, Record<string, unknown>]>([
    ["valkey.port", { valkey: { port: 10250 } }],
    ["valkey.sentinel.port", { valkey: { mode: "sentinel", sentinel: { port: 10250 } } }],
    ["ingress.ports.health", { ingress: { ports: { health: 10250 } } }],
    ["ingress.ports.metrics", { ingress: { ports: { metrics: 10250 } } }],
    ["ingress.ports.httpRelay", { ingress: { ports: { httpRelay: 10250 } } }],
    ["ingress.ports.rtmp", { ingress: { ports: { rtmp: 10250 } } }],
    ["mediamtx.ports.rtsp", { mediamtx: { ports: { rtsp: 10250 } } }],
    ["mediamtx.ports.api", { mediamtx: { ports: { api: 10250 } } }],
    ["mediamtx.ports.metrics", { mediamtx: { ports: { metrics: 10250 } } }],
  ])("%s is in a pod network, clear of the node's ports", (_path, extra) => {
    expect(configProblemsOf(() => parseStackConfig(minimal("kubernetes", extra)))).toEqual([]);
  });

  it("1024 is the first port a non-root server may bind", () => {
    expect(configProblemsOf(() => parseStackConfig(minimal("kubernetes", { valkey: { port: 1024 } })))).toEqual([]);
    expect(configProblemsOf(() => parseStackConfig(minimal("kubernetes", { valkey: { port: 1023 } })))).toHaveLength(1);
  });

  it("the node-service rules apply to host-network pods on Kubernetes only", () => {
    expect(() => parseStackConfig(minimal("kubernetes", { valkey: { port: 10250 } }))).not.toThrow();
    expect(() => parseStackConfig(minimal("docker", { sfu: { ports: { udp: { start: 30000, end: 30500 } } } }))).not.toThrow();
  });

  it.each(["kube-system", "default", "kube-public", "kube-node-lease"])("refuses the shared namespace %s", (namespace) => {
    expect(() => parseStackConfig(minimal("kubernetes", { kubernetes: { namespace } }))).toThrow(
      new RegExp(
        `lkstack:kubernetes\\.namespace: "${namespace}" belongs to the cluster[^\\n]*\\n\\s+fix: use a namespace of the stack's own`,
      ),
    );
  });
});
