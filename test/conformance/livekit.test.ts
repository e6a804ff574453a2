import { appendFileSync, chmodSync } from "node:fs";
import { AccessToken, RoomServiceClient } from "livekit-server-sdk";
import { BINARIES, freePorts, requireBinaries, startDaemon, tempDir, waitForTcp, type Daemon } from "../helpers/servers";
import { TEST_SECRETS, minimal, parse } from "../helpers/fixtures";
import { materialize } from "../helpers/realStack";
import { expectRefusal, startLivekit, startLocalStack } from "../helpers/livekitStack";
import { parse as parseYaml } from "yaml";
import { ConfigError, METRICS_USERNAME, parseStackConfig, type StackConfig } from "../../schema";
import { FILE_NAMES, SECRET_FILE_MODE, renderStack } from "../../templates";

const bins = requireBinaries(["livekitServer", "redisServer"]);
const suite = bins.available ? describe : describe.skip;

const ROOM = "camera_550e8400-e29b-41d4-a716-446655440000";

suite("rendered livekit.yaml on the real livekit-server", () => {
  let cfg: StackConfig;
  let redis: { daemon: Daemon; port: number };
  let lk: Daemon;
  let url: string;
  let metricsPort: number;

  beforeAll(async () => {
    const stack = await startLocalStack({ start: 51000, end: 51100 });
    ({ cfg, redis, livekit: lk, url } = stack);
    metricsPort = stack.metrics;
  }, 60000);

  afterAll(async () => {
    await lk?.stop();
    await redis?.daemon.stop();
  });

  it("answers GET / with 200 (the readiness probe)", async () => {
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect((await res.text()).trim()).toBe("OK");
  });

  it("serves the seed's Prometheus metrics on the metrics port, only with the rendered basic-auth credentials", async () => {
    const metrics = `http://127.0.0.1:${metricsPort}/metrics`;
    const basic = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
    });
    // livekit.yaml names the user; the password reached livekit-server only as LIVEKIT_PROMETHEUS_PASSWORD.
    const lk = parseYaml(renderStack(cfg, TEST_SECRETS).sfu?.publicFiles[FILE_NAMES.livekit] ?? "") as {
      prometheus: { username: string; password?: string };
    };
    expect(lk.prometheus.username).toBe(METRICS_USERNAME);
    expect(lk.prometheus.password).toBeUndefined();
    const anonymous = await fetch(metrics);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect(await anonymous.text()).not.toMatch(/^livekit_/m);
    for (const [user, password] of [
      [METRICS_USERNAME, "wrong-password-0123456789"],
      ["admin", TEST_SECRETS.metricsPassword],
    ])
      expect([user, (await fetch(metrics, { headers: basic(user, password) })).status]).toEqual([user, 401]);
    const res = await fetch(metrics, { headers: basic(lk.prometheus.username, TEST_SECRETS.metricsPassword) });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^livekit_/m);
  });

  it("accepts both keys of the key file and applies the seed's room lifecycle", async () => {
    for (const k of TEST_SECRETS.apiKeys) {
      const rooms = new RoomServiceClient(url, k.key, k.secret);
      const room = await rooms.createRoom({ name: ROOM });
      expect(room.emptyTimeout).toBe(60);
      expect((await rooms.listRooms()).map((r) => r.name)).toContain(ROOM);
    }
  });

  it("refuses a token signed with a wrong secret", async () => {
    const rooms = new RoomServiceClient(url, TEST_SECRETS.apiKeys[0].key, "wrong-secret-0123456789abcdefghijklmnop");
    await expect(rooms.listRooms()).rejects.toThrow(/401|unauthorized|invalid/i);
  });

  it("validates a room-scoped join token (1 h) and refuses a forged one", async () => {
    const good = new AccessToken(TEST_SECRETS.apiKeys[0].key, TEST_SECRETS.apiKeys[0].secret, { identity: "viewer-1", ttl: "1h" });
    good.addGrant({ roomJoin: true, room: ROOM, canPublish: false, canSubscribe: true });
    expect((await fetch(`${url}/rtc/validate?access_token=${await good.toJwt()}`)).status).toBe(200);
    const forged = new AccessToken(TEST_SECRETS.apiKeys[0].key, "not-the-secret-0123456789abcdefghijk", { identity: "viewer-1" });
    forged.addGrant({ roomJoin: true, room: ROOM });
    expect((await fetch(`${url}/rtc/validate?access_token=${await forged.toJwt()}`)).status).toBe(401);
  });

  it("uses the Valkey password from env: a wrong one stops the server at start", async () => {
    const { daemon } = startLivekit(cfg, redis.port, { LIVEKIT_REDIS_PASSWORD: "wrong-password" });
    await expectRefusal(daemon, /WRONGPASS|invalid password|NOAUTH/i);
  });

  it("an unknown key is refused by our schema and by the real server", async () => {
    expect(() => parseStackConfig(minimal("docker", { sfu: { emptyTimeout: 60 } as never }))).toThrow(ConfigError);
    const dir = tempDir("livekit-bad");
    const { layout, env } = materialize(cfg, TEST_SECRETS, dir, "sfu");
    appendFileSync(layout.sfu.config, "room_empty_timeout: 60\n");
    const daemon = startDaemon(BINARIES.livekitServer, ["--config", layout.sfu.config], {
      env: { PATH: process.env.PATH, HOME: dir, ...env, REDIS_HOST: `127.0.0.1:${redis.port}` },
    });
    await expectRefusal(daemon, /field room_empty_timeout not found in type config\.Config/);
  });

  /** The file modes the targets mount secrets with: Kubernetes 0440 (+fsGroup), Docker uploads 0400. */
  async function startWithSecretMode(mode: number): Promise<{ daemon: Daemon; http: number }> {
    const [http, rtcTcp, metrics] = await freePorts(3);
    const c = parse(
      minimal("docker", {
        sfu: { nodeIp: { strategy: "static", address: "127.0.0.1" }, ports: { http, rtcTcp, metrics, udp: { start: 51200, end: 51300 } } },
        turn: { domain: "turn.example.test", allowedPeers: ["127.0.0.1/32"] },
      }),
    );
    const dir = tempDir("livekit-mode");
    const { layout, env } = materialize(c, TEST_SECRETS, dir, "sfu");
    chmodSync(layout.sfu.keyFile, mode);
    chmodSync(layout.sfu.turnSecretFile, mode);
    const daemon = startDaemon(BINARIES.livekitServer, ["--config", layout.sfu.config], {
      env: { PATH: process.env.PATH, HOME: dir, ...env, REDIS_HOST: `127.0.0.1:${redis.port}` },
    });
    return { daemon, http };
  }

  it.each([
    ["Kubernetes Secret volume", SECRET_FILE_MODE],
    ["Docker upload", 0o400],
  ])("accepts key and TURN secret files with the %s mode", async (_what, mode) => {
    const { daemon, http } = await startWithSecretMode(mode);
    try {
      await waitForTcp(http, daemon);
      const k = TEST_SECRETS.apiKeys[0];
      // The server read the key file: the key answers, and the same call with a wrong secret is refused.
      const api = (secret: string) => new RoomServiceClient(`http://127.0.0.1:${http}`, k.key, secret);
      await expect(api(k.secret).listRooms()).resolves.toEqual(expect.any(Array));
      await expect(api(`${k.secret}-wrong`).listRooms()).rejects.toThrow();
    } finally {
      await daemon.stop();
    }
  });

  it("refuses a key file readable by others (why the targets never mount 0644)", async () => {
    const { daemon } = await startWithSecretMode(0o644);
    await expectRefusal(daemon, /permission/i);
  });

  it("the Kubernetes rendering (no node_ip; NODE_IP from status.hostIP) advertises the pod's node address", async () => {
    const [http, rtcTcp, metrics] = await freePorts(3);
    const k8s = parse(minimal("kubernetes", { sfu: { ports: { http, rtcTcp, metrics, udp: { start: 51400, end: 51420 } } } }));
    expect(k8s.sfu.nodeIp).toEqual({ strategy: "hostIP" });
    const dir = tempDir("livekit-k8s");
    const { layout, env } = materialize(k8s, TEST_SECRETS, dir, "sfu");
    chmodSync(layout.sfu.keyFile, SECRET_FILE_MODE);
    const daemon = startDaemon(BINARIES.livekitServer, ["--config", layout.sfu.config], {
      // What the Deployment's env gives the pod: NODE_IP from the downward API.
      env: { PATH: process.env.PATH, HOME: dir, ...env, NODE_IP: "127.0.0.9", REDIS_HOST: `127.0.0.1:${redis.port}` },
    });
    try {
      await waitForTcp(http, daemon);
      for (let i = 0; i < 50 && !/"nodeIP"/.test(daemon.output()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(daemon.output()).toMatch(/"nodeIP":\s*"127\.0\.0\.9"/);
    } finally {
      await daemon.stop();
    }
  });
});
