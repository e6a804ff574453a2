import { parse as parseYaml } from "yaml";
import { CONTAINER_LAYOUT, INGRESS_MIN_IDLE_RATIO, secretsFromEnv } from "../../schema";
import { FILE_NAMES, publicFilesOf, renderPublicFiles, renderStack, renderWithoutSecrets, turnserverStartScript } from "../../templates";
import { TEST_SECRETS, minimal, parse, stackFromFile } from "../helpers/fixtures";
import { assertNoSecretInPublicFiles, assertWithinAllowLists } from "../helpers/invariants";

describe.each(["dev", "prod"] as const)("the %s stack", (stack) => {
  const cfg = stackFromFile(stack);
  let r: ReturnType<typeof renderStack>;
  // Per test: per-test coverage (npm run mutate) credits only what runs inside a test.
  beforeEach(() => (r = renderStack(cfg, TEST_SECRETS)));

  it("matches the reviewed snapshots (public files)", () => {
    for (const service of Object.values(r))
      if (service) for (const [name, body] of Object.entries(service.publicFiles)) expect(body).toMatchSnapshot(name);
  });

  it("emits only keys each pinned server version accepts", () => assertWithinAllowLists(cfg));

  it("keeps every secret out of the public files and puts each where its server reads it", () => {
    assertNoSecretInPublicFiles(cfg);
    expect(parseYaml(r.sfu?.secretFiles[FILE_NAMES.livekitKeys] ?? "")).toEqual({
      APIcurrentKey01: TEST_SECRETS.apiKeys[0].secret,
      APIpreviousKey0: TEST_SECRETS.apiKeys[1].secret,
    });
    expect(r.sfu?.secretEnv.LIVEKIT_REDIS_PASSWORD).toBe(TEST_SECRETS.valkeyPassword);
    expect(r.turn?.secretFiles[FILE_NAMES.turnAuth]).toBe(
      `static-auth-secret=${TEST_SECRETS.turnSecrets[0]}\nstatic-auth-secret=${TEST_SECRETS.turnSecrets[1]}\n`,
    );
    expect(r.valkey?.secretFiles[FILE_NAMES.valkeyAuth]).toContain(`requirepass ${TEST_SECRETS.valkeyPassword}`);
    expect((parseYaml(r.ingress?.secretFiles[FILE_NAMES.ingress] ?? "") as { redis: { password: string } }).redis.password).toBe(
      TEST_SECRETS.valkeyPassword,
    );
  });
});

describe("livekit.yaml meaning", () => {
  // Rendered per test, so mutation testing credits each test with the render it asserts on.
  const livekitOf = (stack: "dev" | "prod") =>
    parseYaml(renderStack(stackFromFile(stack), TEST_SECRETS).sfu?.publicFiles[FILE_NAMES.livekit] ?? "") as ReturnType<typeof parseYaml>;
  let dev: ReturnType<typeof parseYaml>;
  let prod: ReturnType<typeof parseYaml>;
  beforeEach(() => {
    dev = livekitOf("dev");
    prod = livekitOf("prod");
  });

  it("sets the seed's ports and a port range, never udp_port alongside it", () => {
    expect(dev).toMatchObject({
      port: 7880,
      prometheus: { port: 7882 },
      rtc: { tcp_port: 7881, port_range_start: 50000, port_range_end: 50500 },
    });
    expect(dev.rtc.udp_port).toBeUndefined();
  });

  it("never asks public STUN unless told to", () => {
    expect(dev.rtc).toMatchObject({ use_external_ip: false, node_ip: "172.30.42.1" });
    expect(prod.rtc.use_external_ip).toBe(false);
    expect(prod.rtc.node_ip).toBeUndefined();
    const stun = parseYaml(
      renderStack(
        parse(minimal("kubernetes", { sfu: { nodeIp: { strategy: "stun", stunServers: ["stun.example.org:3478"] } } })),
        TEST_SECRETS,
      ).sfu?.publicFiles[FILE_NAMES.livekit] ?? "",
    );
    expect(stun.rtc).toMatchObject({ use_external_ip: true, stun_servers: ["stun.example.org:3478"] });
  });

  it("points LiveKit at coturn with the shared-secret file, and TLS only when enabled", () => {
    const secret_file = CONTAINER_LAYOUT.sfu.turnSecretFile;
    expect(dev.rtc.turn_servers).toEqual([
      { host: "turn.dev.lkstack.internal", port: 3478, protocol: "udp", secret_file },
      { host: "turn.dev.lkstack.internal", port: 3478, protocol: "tcp", secret_file },
    ]);
    expect(prod.rtc.turn_servers).toContainEqual({ host: "turn.rta.ae", port: 5349, protocol: "tls", secret_file });
    expect(dev.turn).toEqual({ enabled: false });
  });

  it("uses the seed's room lifecycle and the right Redis mode", () => {
    expect(dev.room).toEqual({ auto_create: true, empty_timeout: 60, departure_timeout: 20 });
    expect(dev.redis).toEqual({ address: "172.30.42.10:6379" });
    expect(prod.redis).toEqual({
      sentinel_master_name: "lkstack",
      sentinel_addresses: [0, 1, 2].map((i) => `lkstack-valkey-sentinel-${i}.lkstack-valkey-sentinel.lkstack.svc.cluster.local:26379`),
    });
    expect(dev.key_file).toBe(CONTAINER_LAYOUT.sfu.keyFile);
  });
});

describe("turnserver.conf meaning", () => {
  const turnserverConf = () => renderStack(stackFromFile("prod"), TEST_SECRETS).turn?.publicFiles[FILE_NAMES.turn] ?? "";
  let body: string;
  let lines: string[];
  // Per test: per-test coverage (npm run mutate) credits only what runs inside a test.
  beforeEach(() => {
    body = turnserverConf();
    lines = body.split("\n");
  });

  it("uses REST-API auth, disjoint relay ports and explicit peer filtering as IP ranges", () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        "use-auth-secret",
        "realm=turn.rta.ae",
        "min-port=40000",
        "max-port=49999",
        "fingerprint",
        "no-multicast-peers",
      ]),
    );
    expect(lines).toContain("denied-peer-ip=10.0.0.0-10.255.255.255");
    expect(lines).toContain("denied-peer-ip=100.64.0.0-100.127.255.255");
    expect(lines).toContain("allowed-peer-ip=10.20.0.0-10.20.255.255");
    expect(lines.filter((l) => l.includes("peer-ip=")).every((l) => !l.includes("/"))).toBe(true);
    expect(lines).not.toContain("denied-peer-ip=::");
  });

  it("enables TLS with the mounted certificate, the seed's quotas and Prometheus", () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        "tls-listening-port=5349",
        `cert=${CONTAINER_LAYOUT.turn.tlsCert}`,
        `pkey=${CONTAINER_LAYOUT.turn.tlsKey}`,
        "user-quota=12",
        "prometheus",
        "prometheus-port=9641",
      ]),
    );
    expect(lines).not.toContain("no-tls");
  });

  it("writes the total quota and the bandwidth caps only when set (0, the default, is coturn's own 'unlimited')", () => {
    expect(lines.filter((l) => /^(total-quota|max-bps|bps-capacity)=/.test(l))).toEqual([]);
    const capped = parse(
      minimal("docker", {
        turn: {
          domain: "t.example",
          allowedPeers: ["172.30.42.0/24"],
          quotas: { totalQuota: 300, maxBps: 2500000, bpsCapacity: 900000000 },
        },
      }),
    );
    const conf = (renderStack(capped, TEST_SECRETS).turn?.publicFiles[FILE_NAMES.turn] ?? "").split("\n");
    expect(conf.filter((l) => /^(total-quota|max-bps|bps-capacity)=/.test(l))).toEqual([
      "total-quota=300",
      "max-bps=2500000",
      "bps-capacity=900000000",
    ]);
  });

  it("starts from a private joined file, never with the secret on the command line", () => {
    const script = turnserverStartScript(CONTAINER_LAYOUT);
    expect(script).toBe(
      "umask 077 && cat /etc/coturn/turnserver.conf /etc/coturn/secret/auth.conf > /var/tmp/turnserver.conf && exec turnserver -c /var/tmp/turnserver.conf",
    );
  });
});

describe("valkey.conf, sentinel.conf and mediamtx.yml meaning", () => {
  let prod: ReturnType<typeof renderStack>;
  // Per test: per-test coverage (npm run mutate) credits only what runs inside a test.
  beforeEach(() => (prod = renderStack(stackFromFile("prod"), TEST_SECRETS)));
  let dev: ReturnType<typeof renderStack>;
  // Per test: per-test coverage (npm run mutate) credits only what runs inside a test.
  beforeEach(() => (dev = renderStack(stackFromFile("dev"), TEST_SECRETS)));

  it("valkey never evicts and keeps an AOF", () => {
    const lines = (dev.valkey?.publicFiles[FILE_NAMES.valkey] ?? "").split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "maxmemory-policy noeviction",
        "maxmemory 768mb",
        "appendonly yes",
        `include ${CONTAINER_LAYOUT.valkey.authInclude}`,
      ]),
    );
    expect(dev.valkey?.publicFiles[FILE_NAMES.sentinel]).toBeUndefined();
  });

  it("sentinel monitors the first Valkey pod with the configured quorum", () => {
    expect(prod.valkey?.publicFiles[FILE_NAMES.sentinel]).toContain(
      "sentinel monitor lkstack lkstack-valkey-0.lkstack-valkey.lkstack.svc.cluster.local 6379 2\n",
    );
    expect(prod.valkey?.secretFiles[FILE_NAMES.sentinelAuth]).toBe(
      `sentinel auth-pass lkstack ${TEST_SECRETS.valkeyPassword}\nrequirepass ${TEST_SECRETS.valkeyPassword}\n`,
    );
  });

  it("mediamtx has one path per camera, no anonymous publish, and credentials only in the secret body", () => {
    const pub = parseYaml(dev.mediamtx?.publicFiles[FILE_NAMES.mediamtx] ?? "");
    const sec = parseYaml(dev.mediamtx?.secretFiles[FILE_NAMES.mediamtx] ?? "");
    // The passthrough camera's sub stream has a path of its own.
    expect(Object.keys(pub.paths)).toEqual([
      "camera_550e8400-e29b-41d4-a716-446655440000",
      "camera_7c9e6679-7425-40de-944b-e07fc1f90ae7",
      "camera_7c9e6679-7425-40de-944b-e07fc1f90ae7_low",
    ]);
    expect(pub.paths["camera_550e8400-e29b-41d4-a716-446655440000"].source).toBe("rtsp://192.168.50.21:554/Streaming/Channels/101");
    expect(sec.paths["camera_550e8400-e29b-41d4-a716-446655440000"].source).toBe(
      "rtsp://viewer:sEcReT-camera-0123@192.168.50.21:554/Streaming/Channels/101",
    );
    // Forwarding is not a reader: an on-demand path would never be pulled, so never forwarded.
    for (const path of Object.values(pub.paths as Record<string, { sourceOnDemand: boolean }>)) expect(path.sourceOnDemand).toBe(false);
    const users = pub.authInternalUsers as { user: string; ips: string[]; permissions: { action: string }[] }[];
    const actions = users.flatMap((u) => u.permissions.map((p) => `${u.user}:${p.action}`));
    // Nobody publishes; only the passthrough publisher's account reads; the reconciler's may only use the API.
    expect(actions.filter((a) => /:(read|publish|playback)$/.test(a))).toEqual(["lkstack-publisher:read"]);
    expect(actions.filter((a) => a.startsWith("lkstack-reconciler:"))).toEqual(["lkstack-reconciler:api"]);
    expect(users.find((u) => u.user === "any")?.ips).toEqual(["127.0.0.1", "::1"]);
    expect(sec.authInternalUsers.find((u: { user: string }) => u.user === "lkstack-reconciler").pass).toBe(
      TEST_SECRETS.mediamtxApiPassword,
    );
    expect(pub.srt).toBe(false);
    expect(pub.rtspTransports).toEqual(["tcp"]);
    expect([pub.rtmp, pub.hls, pub.webrtc, pub.moq]).toEqual([false, false, false, false]);
  });

  it("ingress takes RTMP (MediaMTX's forward) and no WHIP, and counts each camera in admission with the schema's idle ratio", () => {
    const ing = parseYaml(dev.ingress?.publicFiles[FILE_NAMES.ingress] ?? "");
    expect(ing).toMatchObject({
      rtmp_port: 1935,
      whip_port: -1,
      health_port: 8086,
      prometheus_port: 8087,
      cpu_cost: { rtmp_cpu_cost: 2, min_idle_ratio: INGRESS_MIN_IDLE_RATIO },
      ws_url: "ws://172.30.42.1:7880",
    });
    expect(ing.redis.password).toBeUndefined();
  });
});

describe("renderWithoutSecrets: the render that public files and plans come from", () => {
  it("holds placeholders, never a secret of the stack, and the same public files as a render with real secrets", () => {
    const cfg = parse(minimal("kubernetes"));
    const withoutSecrets = renderWithoutSecrets(cfg);
    const text = JSON.stringify(withoutSecrets);
    for (const secret of [TEST_SECRETS.apiKeys[0].secret, TEST_SECRETS.valkeyPassword, TEST_SECRETS.turnSecrets[0]])
      expect(text).not.toContain(secret);
    expect(withoutSecrets).toEqual(renderStack(cfg, secretsFromEnv({}, cfg).secrets));
    expect(publicFilesOf(withoutSecrets)).toEqual(publicFilesOf(renderStack(cfg, TEST_SECRETS)));
  });

  it("publicFilesOf: every service's public files, together", () => {
    const cfg = parse(minimal("kubernetes"));
    const files = publicFilesOf(renderWithoutSecrets(cfg));
    expect(Object.keys(files).sort()).toEqual(
      [FILE_NAMES.ingress, FILE_NAMES.livekit, FILE_NAMES.mediamtx, FILE_NAMES.turn, FILE_NAMES.valkey].sort(),
    );
    expect(files).toEqual(renderPublicFiles(cfg));
  });
});
