import { ConfigError, DEFAULT_PORTS, VERSIONS, parseStackConfig, structuredConfigFrom, type StackConfig } from "../../schema";
import { minimal, parse, stackFromFile } from "../helpers/fixtures";

function problemsOf(input: unknown): string {
  try {
    parseStackConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("stack files in the repo", () => {
  it("dev parses: docker target, the seed's defaults, static node IP on the bridge gateway", () => {
    const dev = stackFromFile("dev");
    expect(dev.target).toBe("docker");
    expect(dev.sfu.ports).toEqual({ http: 7880, rtcTcp: 7881, metrics: 7882, udp: { start: 50000, end: 50500 }, udpMode: "range" });
    expect(dev.rooms.emptyTimeoutSeconds).toBe(60);
    expect(dev.sfu.nodeIp).toEqual({ strategy: "static", address: "172.30.42.1" });
    expect(dev.versions).toEqual(VERSIONS);
  });

  it("prod parses: kubernetes target, hostIP node IP, sentinel, TURN TLS", () => {
    const prod = stackFromFile("prod");
    expect(prod.target).toBe("kubernetes");
    expect(prod.sfu.replicas).toBe(3);
    expect(prod.sfu.nodeIp).toEqual({ strategy: "hostIP" });
    expect(prod.valkey.mode).toBe("sentinel");
    expect(prod.turn.tls).toEqual({ enabled: true, certificate: { secretName: "turn-rta-ae-tls" } });
    expect(prod.turn.realm).toBe("turn.rta.ae");
  });
});

describe("defaults come from the seed", () => {
  // Parsed inside each test, so per-test coverage credits the test that asserts the default.
  const defaults = (): StackConfig => parse(minimal("kubernetes"));
  it.each<[string, (c: StackConfig) => number, number]>([
    ["SFU ports", (c) => c.sfu.ports.http, DEFAULT_PORTS.sfu.http],
    ["metrics", (c) => c.sfu.ports.metrics, 7882],
    ["turn", (c) => c.turn.ports.listening, 3478],
    ["turn tls", (c) => c.turn.ports.tls, 5349],
    ["ingress health", (c) => c.ingress.ports.health, 8086],
    ["ingress metrics", (c) => c.ingress.ports.metrics, 8087],
    ["empty timeout", (c) => c.rooms.emptyTimeoutSeconds, 60],
  ])("%s", (_name, read, expected) => expect(read(defaults())).toBe(expected));

  it("has the three simulcast layers of the seed's table", () => {
    const c = defaults();
    expect(c.simulcast.layers.map((l) => [l.name, l.width, l.height, l.bitrateKbps, l.fps])).toEqual([
      ["high", 1920, 1080, 3000, 25],
      ["medium", 1280, 720, 1500, 25],
      ["low", 640, 360, 500, 15],
    ]);
  });

  it("keeps the TURN relay range disjoint from the SFU range and denies private peers", () => {
    const c = defaults();
    expect(c.turn.ports.relay.end).toBeLessThan(c.sfu.ports.udp.start);
    expect(c.turn.deniedPeers).toEqual(expect.arrayContaining(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]));
    expect(c.valkey.mode).toBe("standalone");
  });
});

describe("invalid config names the path and the fix", () => {
  it.each([
    [
      "unknown key with a suggestion",
      minimal("docker", { sfu: { replica: 2 } as never }),
      /lkstack:sfu\.replica: unknown key "replica"\n\s+fix: did you mean "replicas"\?/,
    ],
    [
      "wrong type",
      minimal("docker", { sfu: { replicas: "3" } as never }),
      /lkstack:sfu\.replicas: .*expected number.*\n\s+fix: set it to a value of type number/,
    ],
    ["missing target", { turn: { domain: "t.example" } }, /lkstack:target: .*\n\s+fix: use one of: "kubernetes", "docker"/],
    [
      "TURN relay overlapping the SFU range",
      minimal("kubernetes", {
        turn: { domain: "t.example", allowedPeers: ["10.0.0.0/16"], ports: { relay: { start: 50200, end: 60000 } } },
      }),
      /lkstack:turn\.ports\.relay: TURN relay range 50200-60000 overlaps the SFU UDP range 50000-50500.*\n\s+fix: make them disjoint/,
    ],
    [
      "colliding ports",
      minimal("kubernetes", { ingress: { ports: { health: 7880 } } }),
      /lkstack:ingress\.ports\.health: port 7880 \(Ingress health\) collides with SFU HTTP\/WebSocket/,
    ],
    [
      "a single port inside the media range",
      minimal("kubernetes", { valkey: { port: 50100 } }),
      /lkstack:valkey\.port: port 50100 \(Valkey\) lies inside the SFU UDP range 50000-50500/,
    ],
    [
      "UDP range too small for the planned participants",
      minimal("kubernetes", { capacity: { concurrentViewers: 600 }, sfu: { replicas: 2 } }),
      /lkstack:sfu\.ports\.udp: 0 cameras \+ 600 viewers on 2 SFU node\(s\) is 300 participants per node, needing 600 UDP ports.*\n\s+fix: raise lkstack:sfu\.replicas to 3, or widen the range to at least 600 ports/,
    ],
    [
      "TLS without a certificate",
      minimal("kubernetes", { turn: { domain: "t.example", allowedPeers: ["10.0.0.0/16"], tls: { enabled: true } } }),
      /lkstack:turn\.tls\.certificate: TURN TLS is enabled without a certificate\n\s+fix: set certificate: \{secretName:/,
    ],
    [
      "hostIP on Docker",
      minimal("docker", { sfu: { nodeIp: { strategy: "hostIP" } } }),
      /lkstack:sfu\.nodeIp\.strategy: hostIP reads the Kubernetes downward API/,
    ],
    [
      "SFU address that TURN would refuse to relay to",
      minimal("docker", { sfu: { nodeIp: { strategy: "static", address: "192.168.1.20" } }, turn: { domain: "t.example" } }),
      /lkstack:turn\.allowedPeers: the SFU node address 192\.168\.1\.20 lies in a denied peer range.*\n\s+fix: add "192\.168\.1\.20\/32"/,
    ],
    [
      "hostIP with no allowed peers",
      { target: "kubernetes", turn: { domain: "t.example" } },
      /lkstack:turn\.allowedPeers: with nodeIp strategy hostIP the SFU addresses are not known here/,
    ],
    [
      "bps-capacity without max-bps",
      minimal("kubernetes", { turn: { domain: "t.example", allowedPeers: ["10.0.0.0/16"], quotas: { bpsCapacity: 1000000 } } }),
      /lkstack:turn\.quotas\.bpsCapacity: coturn refuses to start with bps-capacity but no max-bps/,
    ],
    [
      "peer given as a plain range",
      minimal("kubernetes", { turn: { domain: "t.example", allowedPeers: ["10.0.0.1-10.0.0.9"] } }),
      /lkstack:turn\.allowedPeers\[0\]: not a CIDR/,
    ],
    [
      "duplicate camera",
      minimal("kubernetes", {
        cameras: [
          { id: "550e8400-e29b-41d4-a716-446655440000", rtsp: "rtsp://10.1.1.1/a" },
          { id: "550E8400-E29B-41D4-A716-446655440000", rtsp: "rtsp://10.1.1.2/a" },
        ],
      }),
      /lkstack:cameras\[1\]\.id: duplicate camera id \(also lkstack:cameras\[0\]\)/,
    ],
    [
      "credentials inside the RTSP URL",
      minimal("kubernetes", { cameras: [{ id: "550e8400-e29b-41d4-a716-446655440000", rtsp: "rtsp://admin:hunter2@10.1.1.1/a" }] }),
      /lkstack:cameras\[0\]\.rtsp: the URL embeds credentials.*\n\s+fix: remove them from the URL and set credentials: <name>/,
    ],
    [
      "non-RTSP camera URL",
      minimal("kubernetes", { cameras: [{ id: "550e8400-e29b-41d4-a716-446655440000", rtsp: "http://10.1.1.1/a" }] }),
      /lkstack:cameras\[0\]\.rtsp: not an rtsp:\/\/ or rtsps:\/\/ URL/,
    ],
    [
      "camera id not a UUID",
      minimal("kubernetes", { cameras: [{ id: "cam-1", rtsp: "rtsp://10.1.1.1/a" }] }),
      /lkstack:cameras\[0\]\.id: not a UUID/,
    ],
    [
      "maxmemory too close to the limit",
      minimal("kubernetes", { valkey: { maxmemory: "1gb" } }),
      /lkstack:valkey\.maxmemory: maxmemory 1gb leaves under 20% of the 1Gi container limit.*\n\s+fix: lower it to at most 819mb/,
    ],
    [
      "sentinel on docker",
      minimal("docker", { valkey: { mode: "sentinel" } }),
      /lkstack:valkey\.mode: Sentinel is deployed only on the kubernetes target/,
    ],
    [
      "unsupported LiveKit version",
      minimal("kubernetes", { versions: { livekitServer: "v1.14.0" } }),
      /lkstack:versions\.livekitServer: version v1\.14\.0 has no key allow-list/,
    ],
    [
      "coturn below the CVE floor",
      minimal("kubernetes", { versions: { coturn: "4.6.2" } }),
      /lkstack:versions\.coturn: version 4\.6\.2 has no key allow-list.*>=4\.13\.1/,
    ],
    [
      "SFU replicas on one Docker host",
      minimal("docker", { sfu: { replicas: 2 } }),
      /lkstack:sfu\.replicas: a standalone Docker host runs one SFU/,
    ],
    [
      "request above limit",
      minimal("kubernetes", { sfu: { resources: { requests: { cpu: "8", memory: "2Gi" }, limits: { cpu: "4", memory: "4Gi" } } } }),
      /lkstack:sfu\.resources\.requests\.cpu: CPU request 8 exceeds the limit 4/,
    ],
    [
      "SFU memory limit below the per-room model",
      minimal("kubernetes", {
        sfu: { resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2", memory: "1Gi" } } },
        cameras: Array.from({ length: 30 }, (_, i) => ({
          id: `550e8400-e29b-41d4-a716-4466554400${String(i).padStart(2, "0")}`,
          rtsp: "rtsp://10.1.1.1/a",
        })),
      }),
      /lkstack:sfu\.resources\.limits\.memory: 30 camera rooms per node need about 1\.3 GiB/,
    ],
    [
      "range that ends before it starts",
      minimal("kubernetes", { sfu: { ports: { udp: { start: 50500, end: 50000 } } } }),
      /lkstack:sfu\.ports\.udp\.end: range ends \(50000\) before it starts \(50500\)/,
    ],
  ])("%s", (_name, input, pattern) => {
    expect(problemsOf(input)).toMatch(pattern);
  });

  it("reports every problem at once, not just the first", () => {
    const msg = problemsOf(minimal("docker", { sfu: { replicas: 2, nodeIp: { strategy: "hostIP" } }, valkey: { mode: "sentinel" } }));
    expect(msg).toMatch(/\(3 problems\)/);
  });
});

describe("stack file keys", () => {
  it("rejects an unknown lkstack: key and a plaintext secret key", () => {
    expect(() => structuredConfigFrom({ "lkstack:target": "docker", "lkstack:sfuu": {} })).toThrow(
      /lkstack:sfuu: unknown stack config key/,
    );
    expect(() => structuredConfigFrom({ "lkstack:cameraCredentials": { lab: { username: "u", password: "p" } } })).toThrow(
      /lkstack:cameraCredentials: holds plaintext at cameraCredentials\.lab\.password\n\s+fix: store it with pulumi config set --secret --path 'cameraCredentials\.lab\.password'/,
    );
    expect(() =>
      structuredConfigFrom({
        "lkstack:apiKeys": [{ key: "APIabc", secret: "plain" }],
        "lkstack:turnSecrets": [{ secure: "v1:x" }, "old-plain"],
      }),
    ).toThrow(/apiKeys\[0\]\.secret[\s\S]*turnSecrets\[1\]/);
  });

  it("accepts given secrets with plaintext identifiers (the API key id, a camera user name)", () => {
    const out = structuredConfigFrom({
      "lkstack:target": "docker",
      "lkstack:apiKeys": [{ key: "APIabc", secret: { secure: "v1:s" } }],
      "lkstack:turnSecrets": [{ secure: "v1:t" }],
      "lkstack:valkeyPassword": { secure: "v1:v" },
      "lkstack:cameraCredentials": { lab: { username: "viewer", password: { secure: "v1:p" } } },
    });
    expect(out).toEqual({ target: "docker" });
  });

  it("accepts secure values for secret keys and ignores other namespaces", () => {
    const out = structuredConfigFrom({
      "lkstack:target": "docker",
      "lkstack:cameraCredentials": { lab: { username: { secure: "v1:abc" }, password: { secure: "v1:def" } } },
      "kubernetes:context": "prod",
    });
    expect(out).toEqual({ target: "docker" });
  });

  it("refuses a secure value inside a structured key", () => {
    expect(() => structuredConfigFrom({ "lkstack:turn": { domain: { secure: "v1:x" } } })).toThrow(
      /lkstack:turn: a secret value inside a structured setting/,
    );
  });
});
