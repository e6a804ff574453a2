import {
  CONTAINER_LAYOUT,
  SECRET_CONFIG_KEYS,
  SERVICE_NAMES,
  STACK_KEYS,
  DOCKER_HOST_NUMBERS,
  cameraOrigin,
  cameraStreamUrl,
  controlCharProblems,
  isLabelKey,
  layoutUnder,
  memoryToMiB,
  imageRef,
  parseCpu,
  parseMemory,
  parseStackConfig,
  parseValkeyMemory,
  topology,
  structuredConfigFrom,
} from "../../schema";
import { configProblemsOf, minimal, parse } from "../helpers/fixtures";

// Details of schema/ that the stack tests reach only in passing.

describe("the file layout rooted elsewhere (conformance tests and `lkstack render` use it)", () => {
  it("every path of every service moves under the directory, a trailing slash or not", () => {
    for (const dir of ["/tmp/lk", "/tmp/lk/"]) {
      const moved = layoutUnder(dir);
      expect(Object.keys(moved).sort()).toEqual(Object.keys(CONTAINER_LAYOUT).sort());
      for (const [service, paths] of Object.entries(CONTAINER_LAYOUT))
        expect(moved[service as keyof typeof CONTAINER_LAYOUT]).toEqual(
          Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, `/tmp/lk${String(p)}`])),
        );
    }
  });
});

describe("a camera's address and its streams' URLs", () => {
  it("the address is the scheme, host and port, without path, query or fragment", () => {
    expect(cameraOrigin("rtsp://10.0.0.1:554")).toBe("rtsp://10.0.0.1:554");
    expect(cameraOrigin("rtsp://10.0.0.1:554/Streaming/Channels/101")).toBe("rtsp://10.0.0.1:554");
    expect(cameraOrigin("rtsp://cam.example.org?profile=1")).toBe("rtsp://cam.example.org");
    expect(cameraOrigin("rtsps://[2001:db8::7]:322/a")).toBe("rtsps://[2001:db8::7]:322");
    // A path right after the scheme (no host; the schema refuses such a URL) leaves the scheme alone.
    expect(cameraOrigin("rtsp:///stream")).toBe("rtsp://");
  });

  it("a stream's URL is the camera's address with the stream's own path", () => {
    expect(cameraStreamUrl("rtsp://10.0.0.1:554/main", "/Streaming/Channels/102")).toBe("rtsp://10.0.0.1:554/Streaming/Channels/102");
  });
});

describe("a stack file's config map, split before validation", () => {
  /** The one problem structuredConfigFrom refuses `config` with, as "path: problem / fix". */
  /** The problems structuredConfigFrom refuses `config` with, as path, problem and fix. */
  const refused = (config: Record<string, unknown>) =>
    configProblemsOf(() => structuredConfigFrom(config)).map((p) => ({ path: p.path.join("."), problem: p.problem, fix: p.fix }));

  it("a secret key holding plaintext is refused, naming each plaintext path; names, empty values and secure values pass", () => {
    expect(
      refused({
        "lkstack:cameraCredentials": {
          lab: { username: "u", password: "p" },
          gate: { username: "u", password: "" },
          hall: null,
          door: { username: "u", password: undefined },
          yard: { username: "u", password: "q" },
        },
        "lkstack:apiKeys": [
          { key: "APIid", secret: { secure: "AAAA" } },
          { key: "APIother", secret: "plain" },
        ],
      }),
    ).toEqual([
      {
        path: "cameraCredentials",
        problem: "holds plaintext at cameraCredentials.lab.password, cameraCredentials.yard.password",
        fix: "store it with pulumi config set --secret --path 'cameraCredentials.lab.password' …",
      },
      {
        path: "apiKeys",
        problem: "holds plaintext at apiKeys[1].secret",
        fix: "store it with pulumi config set --secret --path 'apiKeys[1].secret' …",
      },
    ]);
    // A name is only a name when it is text.
    expect(refused({ "lkstack:cameraCredentials": { lab: { username: { hidden: "x" }, password: { secure: "AAAA" } } } })).toEqual([
      expect.objectContaining({ problem: "holds plaintext at cameraCredentials.lab.username.hidden" }),
    ]);
  });

  it("an unknown lkstack: key lists the keys there are; a secure value in a plain setting is refused", () => {
    expect(refused({ "lkstack:sfuu": {} })).toEqual([
      { path: "sfuu", problem: "unknown stack config key", fix: `use one of ${[...STACK_KEYS, ...SECRET_CONFIG_KEYS].join(", ")}` },
    ]);
    expect(refused({ "lkstack:sfu": { replicas: { secure: "AAAA" } } })).toEqual([
      {
        path: "sfu",
        problem: "a secret value inside a structured setting",
        fix: "secrets belong in lkstack:cameraCredentials or generated secrets, never in this key",
      },
    ]);
    expect(structuredConfigFrom({ "kubernetes:context": "prod", "lkstack:target": "docker" })).toEqual({ target: "docker" });
    // A key without a namespace is no lkstack: key (Pulumi always writes one).
    expect(structuredConfigFrom({ lkstack: "x", "lkstack:target": "docker" })).toEqual({ target: "docker" });
  });

  it("a secure value is found at any depth and position of a list or an object; an empty value is no secret", () => {
    const cameras = [
      { id: "a", rtsp: "rtsp://10.0.0.1/1" },
      { id: "b", rtsp: { secure: "AAAA" } },
    ];
    expect(refused({ "lkstack:cameras": cameras }).map((p) => p.problem)).toEqual(["a secret value inside a structured setting"]);
    expect(refused({ "lkstack:sfu": { replicas: 2, resources: { secure: "AAAA" } } }).map((p) => p.problem)).toEqual([
      "a secret value inside a structured setting",
    ]);
    expect(structuredConfigFrom({ "lkstack:sfu": { nodeIp: null } })).toEqual({ sfu: { nodeIp: null } });
  });
});

describe("quantities", () => {
  it("CPU as a number or a Kubernetes quantity, positive only", () => {
    expect([parseCpu(2), parseCpu(0.5), parseCpu(0), parseCpu(-1)]).toEqual([2, 0.5, undefined, undefined]);
    expect([parseCpu("250m"), parseCpu("1.5"), parseCpu("0m"), parseCpu("1 core")]).toEqual([0.25, 1.5, undefined, undefined]);
    expect([parseCpu("0.125"), parseCpu("1."), parseCpu(".5")]).toEqual([0.125, undefined, undefined]);
  });

  it("memory as a Kubernetes quantity, decimals in any number of digits", () => {
    expect([parseMemory("1.25Gi"), parseMemory("512Mi"), parseMemory("2k"), parseMemory("1.Gi"), parseMemory("0")]).toEqual([
      1.25 * 1024 ** 3,
      512 * 1024 ** 2,
      2000,
      undefined,
      undefined,
    ]);
  });

  it("Docker's memory in MiB, rounded up; a bad quantity is an error naming it", () => {
    expect([memoryToMiB("512Mi"), memoryToMiB("1Gi"), memoryToMiB("1M"), memoryToMiB("1")]).toEqual([512, 1024, 1, 1]);
    expect(() => memoryToMiB("lots")).toThrow("invalid memory quantity lots");
  });
});

describe("Valkey sizes, image references, requests against limits", () => {
  it("Valkey reads a bare number as bytes and its units case-insensitively", () => {
    expect([parseValkeyMemory("1024"), parseValkeyMemory("2KB"), parseValkeyMemory("1k"), parseValkeyMemory("0")]).toEqual([
      1024,
      2048,
      1000,
      undefined,
    ]);
  });

  it("an image reference is repository:tag, a variant only when asked for, and the digest when pinned", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(imageRef("mediamtx", "v1.20.1")).toBe("bluenviron/mediamtx:1.20.1");
    expect(imageRef("mediamtx", "v1.20.1", "-ffmpeg")).toBe("bluenviron/mediamtx:1.20.1-ffmpeg");
    expect(imageRef("livekitServer", `v1.13.5@${digest}`)).toBe(`livekit/livekit-server:v1.13.5@${digest}`);
  });

  it("a request above its limit is refused, for CPU and for memory, naming both", () => {
    const sfu = (requests: Record<string, string>, limits: Record<string, string>) =>
      configProblemsOf(() => parseStackConfig(minimal("kubernetes", { sfu: { resources: { requests, limits } } } as never))).map(
        (p) => `${p.path.join(".")}: ${p.problem} | ${p.fix}`,
      );
    expect(sfu({ cpu: "2", memory: "5Gi" }, { cpu: "4", memory: "4Gi" })).toEqual([
      "sfu.resources.requests.memory: memory request 5Gi exceeds the limit 4Gi | lower the request or raise the limit",
    ]);
    expect(sfu({ cpu: "5", memory: "4Gi" }, { cpu: "4", memory: "4Gi" })).toEqual([
      "sfu.resources.requests.cpu: CPU request 5 exceeds the limit 4 | lower the request or raise the limit",
    ]);
    expect(sfu({ cpu: "4", memory: "4Gi" }, { cpu: "4", memory: "4Gi" })).toEqual([]);
  });
});

describe("single-value formats: a STUN server, a TURN realm, a port range", () => {
  const at = (input: Record<string, unknown>, path: string) =>
    configProblemsOf(() => parseStackConfig(minimal("kubernetes", input as never)))
      .filter((p) => p.path.join(".") === path)
      .map((p) => `${p.problem} | ${p.fix}`);
  const stun = (server: string) => at({ sfu: { nodeIp: { strategy: "stun", stunServers: [server] } } }, "sfu.nodeIp.stunServers.0");

  it("a STUN server is a host name or address, a colon and a port of 1-65535, nothing after it", () => {
    const refused = ['not host:port | write it as "stun.example.org:3478"'];
    for (const ok of ["stun.example.org:1", "10.0.0.5:65535", "stun.example.org:3478"]) expect(stun(ok)).toEqual([]);
    for (const bad of ["stun.example.org:0", "stun.example.org:65536", "stun.example.org:3478x", "stun_host!:3478", "stun.example.org"])
      expect(stun(bad)).toEqual(refused);
  });

  it("a TURN realm starts with a letter or digit, holds no blank anywhere, and takes 127 bytes at most", () => {
    const realm = (r: string) => at({ turn: { realm: r } }, "turn.realm");
    const charset =
      "not a TURN realm (printable ASCII starting with a letter or digit, no blanks, quotes or backslashes) | use the TURN domain, e.g. turn.example.org (the default)";
    expect(realm("-realm")).toEqual([charset]);
    expect(realm("realm x")).toEqual([charset]);
    expect(realm("r".repeat(127))).toEqual([]);
    expect(realm("r".repeat(128))).toEqual(["longer than coturn's 127-byte realm | use a shorter realm"]);
  });

  it("a range may not end before it starts", () => {
    expect(at({ turn: { ports: { relay: { start: 40010, end: 40000 } } } }, "turn.ports.relay.end")).toEqual([
      "range ends (40000) before it starts (40010) | set end >= start",
    ]);
  });
});

describe("the Docker bridge subnet", () => {
  const problems = (subnet: string) =>
    configProblemsOf(() => parseStackConfig(minimal("docker", { docker: { subnet } } as never)))
      .filter((p) => p.path.join(".") === "docker.subnet")
      .map((p) => `${p.problem} | ${p.fix}`);
  const FIX = 'use a private IPv4 /27 or wider, e.g. "172.30.42.0/24" (the default)';

  it("must be IPv4 with every container's host number below the broadcast address: /27 holds them, /28 does not", () => {
    expect(problems("fd00::/64")).toEqual([`the Docker bridge subnet must be IPv4 (the containers get fixed IPv4 addresses) | ${FIX}`]);
    expect(problems("172.30.42.0/28")).toEqual([
      `172.30.42.0/28 is too small: the containers take host numbers up to 15, below the broadcast address | ${FIX}`,
    ]);
    expect(problems("172.30.42.0/27")).toEqual([]);
  });

  it("each container sits at its host number; the gateway (the host, and the SFU) at 1", () => {
    const t = topology(parse(minimal("docker", { docker: { subnet: "172.30.42.32/27" } } as never)));
    expect(t.gatewayIp).toBe("172.30.42.33");
    expect(t.dockerAddresses).toEqual({
      valkey: "172.30.42.42",
      ingress: "172.30.42.43",
      mediamtx: "172.30.42.44",
      cameras: "172.30.42.45",
      edge: "172.30.42.46",
      publisher: "172.30.42.47",
    });
    expect(Math.max(...Object.values(DOCKER_HOST_NUMBERS))).toBe(15);
    // Swarm: every service on the overlay network, found by its service name; no Sentinel.
    expect(topology(parse(minimal("docker", { docker: { mode: "swarm" } } as never)))).toEqual({
      valkeyHost: SERVICE_NAMES.valkey,
      valkeyInitialPrimary: SERVICE_NAMES.valkey,
      sentinelHosts: [],
      sfuWsUrl: `ws://${SERVICE_NAMES.sfu}:7880`,
      mediamtxHost: SERVICE_NAMES.mediamtx,
      ingressHost: SERVICE_NAMES.ingress,
    });
    // Past the schema (a hand-built config), an IPv6 subnet is still refused by name.
    const ipv6 = { ...parse(minimal("docker")), docker: { mode: "standalone" as const, subnet: "fd00::/64" } };
    expect(() => topology(ipv6)).toThrow("docker subnet must be IPv4: fd00::/64");
  });
});

describe("raw input checks", () => {
  it("every string and key with a control character is named by its path; __proto__ is refused", () => {
    const raw = JSON.parse('{"a": ["ok", "b\\u0007c"], "d": {"e\\nf": 1, "__proto__": {"x": 1}, "g": null}, "h": 3}') as unknown;
    const fix = "remove control characters, line breaks and U+2028/U+2029 from the value (every value renders on one line)";
    expect(controlCharProblems(raw)).toEqual([
      { path: ["a", 1], problem: "the value contains the control character U+0007", fix },
      { path: ["d", JSON.stringify("e\nf")], problem: "the key contains the control character U+000A", fix },
      { path: ["d", "__proto__"], problem: "the key __proto__ cannot be used", fix: "rename or remove the key" },
    ]);
    expect(controlCharProblems({ a: [null, 1, "x"], b: { c: "d" } })).toEqual([]);
  });

  it("a label value may be empty, as Kubernetes allows; otherwise it starts with an alphanumeric", () => {
    const labels = (value: string) =>
      configProblemsOf(() => parseStackConfig(minimal("kubernetes", { kubernetes: { nodeSelector: { pool: value } } } as never)));
    expect(labels("")).toEqual([]);
    expect(labels("-x")).toHaveLength(1);
  });

  it("a label key: an optional DNS-subdomain prefix of at most 253, then a name of 1-63", () => {
    const prefix = `${"a".repeat(61)}.${"b".repeat(61)}.${"c".repeat(61)}.${"d".repeat(61)}.xxxxx`;
    expect(prefix).toHaveLength(253);
    expect(isLabelKey(`${prefix}/zone`)).toBe(true);
    expect(isLabelKey(`${prefix}y/zone`)).toBe(false);
    expect(isLabelKey("topology.kubernetes.io/zone")).toBe(true);
    expect(isLabelKey("Topology.io/zone")).toBe(false);
    expect(isLabelKey("/zone")).toBe(false);
    expect(isLabelKey("zone")).toBe(true);
    expect(isLabelKey("Zone_1")).toBe(true);
    expect(isLabelKey("example.org/")).toBe(false);
  });
});
