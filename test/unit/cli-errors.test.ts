import { request } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import { main, type Io } from "../../cli/main";
import { startViewer } from "../../cli/viewer";
import { PROJECT_DIR, TEST_SECRETS } from "../helpers/fixtures";

function io(env: Record<string, string> = {}): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (s) => stdout.push(s), err: (s) => stderr.push(s), env, cwd: PROJECT_DIR, stdout, stderr };
}

const KEYS = { LIVEKIT_API_KEY: TEST_SECRETS.apiKeys[0].key, LIVEKIT_API_SECRET: TEST_SECRETS.apiKeys[0].secret };
const ROOM = "camera_550e8400-e29b-41d4-a716-446655440000";
const noStackTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe("every subcommand takes --help", () => {
  it.each(["render", "backup", "token", "preview", "capacity", "doctor", "viewer", "cameras", "rooms"])(
    "lkstack %s --help exits 0 with its usage",
    async (cmd) => {
      const t = io();
      expect(await main([cmd, "--help"], t)).toBe(0);
      expect(t.stdout.join("\n")).toMatch(new RegExp(`^usage: lkstack ${cmd} `));
      expect(t.stdout.join("\n")).not.toMatch(/commands:/);
    },
  );

  it("help TOPIC and -h work too", async () => {
    const t = io();
    expect(await main(["help", "doctor"], t)).toBe(0);
    expect(await main(["token", "-h"], t)).toBe(0);
    expect(t.stdout.join("\n")).toMatch(/usage: lkstack doctor .*\n[\s\S]*usage: lkstack token /);
  });
});

describe("messages name the right flag", () => {
  it("a bad --interval is called --interval, not --ttl", async () => {
    const t = io({ ...KEYS, LIVEKIT_URL: "http://127.0.0.1:1", MEDIAMTX_API_PASSWORD: "x".repeat(32) });
    expect(await main(["cameras", "reconcile", "--stack", "dev", "--interval", "soon"], t)).toBe(1);
    expect(t.stderr.join("\n")).toMatch(/--interval "soon" is not a duration/);
    expect(t.stderr.join("\n")).not.toMatch(/--ttl/);
  });
});

describe("lkstack doctor", () => {
  it("turns unresolvable hosts into failing checks with their flag, not a stack trace", async () => {
    const t = io({ TURN_SECRET: TEST_SECRETS.turnSecrets[0], VALKEY_PASSWORD: TEST_SECRETS.valkeyPassword });
    const code = await main(
      [
        "doctor",
        "--stack",
        "dev",
        "--url",
        "http://sfu.lkstack-test.invalid:7880",
        "--turn",
        "turn.lkstack-test.invalid:3478",
        "--valkey",
        "valkey.lkstack-test.invalid",
      ],
      t,
    );
    expect(code).toBe(1);
    const out = t.stdout.join("\n");
    expect(out).toMatch(/✗ resolve sfu\.lkstack-test\.invalid\s+\S+\n\s+fix: .*--url/);
    expect(out).toMatch(/✗ resolve turn\.lkstack-test\.invalid\s+\S+\n\s+fix: .*--turn host:port/);
    expect(out).toMatch(/✗ resolve valkey\.lkstack-test\.invalid\s+\S+\n\s+fix: .*--valkey host:port/);
    expect(t.stderr).toEqual([]);
    noStackTrace(out);
  }, 30_000);
});

describe("lkstack viewer", () => {
  let busy: Server;
  afterEach(() => busy?.close());

  it("a busy port is a one-line error", async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as { port: number }).port;
    const t = io(KEYS);
    expect(await main(["viewer", "--stack", "dev", "--port", String(port)], t)).toBe(1);
    expect(t.stderr).toEqual([
      `error: port ${port} on 127.0.0.1 is already in use; fix: pass another --port, or --port 0 for any free one`,
    ]);
  });

  it("the token endpoint answers only requests whose Host and Origin are its own", async () => {
    const { server, url } = await startViewer({
      port: 0,
      wsUrl: "ws://127.0.0.1:7880",
      creds: { apiKey: KEYS.LIVEKIT_API_KEY, apiSecret: KEYS.LIVEKIT_API_SECRET, source: "env" },
    });
    const port = Number(new URL(url).port);
    const get = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: `/api/token?room=${ROOM}`, headers }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
      });
    try {
      // The token endpoint holds the API secret: it listens on loopback only, never on every interface.
      expect((server.address() as AddressInfo).address).toBe("127.0.0.1");
      expect(new URL(url).hostname).toBe("127.0.0.1");
      const own = `127.0.0.1:${port}`;
      expect((await get({ host: own })).status).toBe(200);
      expect((await get({ host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
      // DNS rebinding: the attacker's name resolves to 127.0.0.1, the Host header keeps the name.
      expect(await get({ host: `evil.example:${port}` })).toEqual({ status: 403, body: expect.stringMatching(/forbidden/) });
      // Another site in the same browser: right Host, foreign Origin.
      expect((await get({ host: own, origin: "https://evil.example" })).status).toBe(403);
      expect((await get({ host: own, origin: `http://127.0.0.1:${port + 1}` })).status).toBe(403);
    } finally {
      server.close();
    }
  });
});
