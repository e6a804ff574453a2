import { main, type Io } from "../../cli/main";
import { turnserverStartScript } from "../../templates";
import type { StackConfig } from "../../schema";
import { TEST_SECRETS, PROJECT_DIR } from "../helpers/fixtures";
import { loopbackTurnConfig, startLivekit, startRedis } from "../helpers/livekitStack";
import { materialize } from "../helpers/realStack";
import { requireBinaries, startDaemon, tempDir, waitForTcp, type Daemon } from "../helpers/servers";

const bins = requireBinaries(["livekitServer", "redisServer", "turnserver"]);
const suite = bins.available ? describe : describe.skip;

suite("lkstack doctor against a real local stack (livekit-server, redis, coturn)", () => {
  let cfg: StackConfig;
  let redis: { daemon: Daemon; port: number };
  let lk: Daemon;
  let coturn: Daemon;
  let http = 0;
  let turnPort = 0;

  async function startCoturn(): Promise<Daemon> {
    const { layout } = materialize(cfg, TEST_SECRETS, tempDir("doctor-coturn"), "turn");
    const d = startDaemon("sh", ["-c", turnserverStartScript(layout)]);
    for (let i = 0; i < 50 && !/Total General servers|relay.*initialized|IO method/i.test(d.output()); i++)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    return d;
  }

  beforeAll(async () => {
    ({ cfg, http, turnPort } = await loopbackTurnConfig({ udp: { start: 51700, end: 51800 }, relay: { start: 45200, end: 45300 } }));
    redis = await startRedis(cfg);
    lk = startLivekit(cfg, redis.port).daemon;
    await waitForTcp(http, lk);
    coturn = await startCoturn();
  }, 60000);

  afterAll(async () => {
    await coturn?.stop();
    await lk?.stop();
    await redis?.daemon.stop();
  });

  async function doctor(): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const io: Io = {
      out: (s) => out.push(s),
      err: (s) => out.push(s),
      env: {
        TURN_SECRET: TEST_SECRETS.turnSecrets[0],
        VALKEY_PASSWORD: TEST_SECRETS.valkeyPassword,
        LKSTACK_METRICS_PASSWORD: TEST_SECRETS.metricsPassword,
      },
      cwd: PROJECT_DIR,
    };
    // The test stack is not a file: point doctor at the dev stack's layout but this stack's addresses.
    const code = await main(
      [
        "doctor",
        "--stack",
        "dev",
        "--url",
        `http://127.0.0.1:${http}`,
        "--turn",
        `127.0.0.1:${turnPort}`,
        "--valkey",
        `127.0.0.1:${redis.port}`,
      ],
      io,
    );
    return { code, out: out.join("\n") };
  }

  it("prints every check as ✓ on a healthy stack and exits 0", async () => {
    const r = await doctorFor(cfg);
    expect(r.out).not.toMatch(/^✗/m);
    for (const row of [
      /^✓ LiveKit GET \/ .*200 OK/m,
      /^✓ LiveKit metrics .*rooms \d+/m,
      /^✓ NACK rate/m,
      /^✓ ICE over TCP/m,
      /^✓ UDP media range/m,
      /^✓ node IP setting .*static 127\.0\.0\.1/m,
      /^✓ TURN allocation .*relayed address 127\.0\.0\.1:45\d{3}/m,
      /^✓ Valkey PING .*PONG/m,
    ])
      expect(r.out).toMatch(row);
    expect(r.code).toBe(0);
  });

  it("shows ✗, the fix and a non-zero exit when coturn is stopped", async () => {
    await coturn.stop();
    try {
      const r = await doctorFor(cfg);
      expect(r.out).toMatch(/^✗ TURN allocation .*no answer/m);
      expect(r.out).toMatch(/fix: is coturn running and \d+\/udp open\?/);
      expect(r.out).toMatch(/^✓ LiveKit GET \//m);
      expect(r.code).toBe(1);
    } finally {
      coturn = await startCoturn();
    }
  });

  it("tells a wrong TURN secret and a wrong Valkey password apart from an outage", async () => {
    const r = await doctorFor(cfg, { TURN_SECRET: "not-the-secret", VALKEY_PASSWORD: "wrong" });
    expect(r.out).toMatch(/^✗ TURN allocation .*401[\s\S]*fix: the TURN secret does not match/m);
    expect(r.out).toMatch(/^✗ Valkey PING[\s\S]*fix: the password is wrong/m);
    expect(r.code).toBe(1);
  });

  it("scrapes the SFU's metrics with basic auth: a missing or wrong password is a failing row with its fix", async () => {
    const none = await doctorFor(cfg, { LKSTACK_METRICS_PASSWORD: "" });
    expect(none.out).toMatch(/^✗ LiveKit metrics \(\d+\) +HTTP 401: the port asks for basic auth and no password was given$/m);
    expect(none.out).toMatch(/fix: export LKSTACK_METRICS_PASSWORD \(the stack output metricsPassword\)/);
    const wrong = await doctorFor(cfg, { LKSTACK_METRICS_PASSWORD: "not-the-metrics-password-0123" });
    expect(wrong.out).toMatch(/^✗ LiveKit metrics \(\d+\) +HTTP 401: basic auth as lkstack-metrics refused$/m);
    expect(wrong.out).toMatch(/fix: the metrics password does not match the SFU's; export LKSTACK_METRICS_PASSWORD/);
    for (const r of [none, wrong]) {
      expect(r.out).not.toMatch(/NACK rate/);
      expect(r.out).toMatch(/^✓ LiveKit GET \//m);
      expect(r.code).toBe(1);
    }
  });

  /** Runs the checks for the in-memory test stack (same code path as the command). */
  async function doctorFor(c: StackConfig, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
    const { doctorTargets, formatChecks, runDoctor } = await import("../../cli/doctor");
    const targets = doctorTargets(
      c,
      { url: `http://127.0.0.1:${http}`, turn: `127.0.0.1:${turnPort}`, valkey: `127.0.0.1:${redis.port}` },
      {
        TURN_SECRET: TEST_SECRETS.turnSecrets[0],
        VALKEY_PASSWORD: TEST_SECRETS.valkeyPassword,
        LKSTACK_METRICS_PASSWORD: TEST_SECRETS.metricsPassword,
        ...env,
      },
    );
    const checks = await runDoctor(c, { ...targets, timeoutMs: 1500 });
    return { code: checks.every((x) => x.ok) ? 0 : 1, out: formatChecks(checks).join("\n") };
  }

  it("the command itself reads the stack file and exits non-zero when the stack's ports are elsewhere", async () => {
    const r = await doctor();
    // Pulumi.dev.yaml's ports are the defaults (7880/7882/7881), which nothing serves here.
    expect(r.out).toMatch(/^✗ LiveKit metrics \(7882\)/m);
    expect(r.out).toMatch(/^✓ LiveKit GET \//m);
    expect(r.code).toBe(1);
  });
});
