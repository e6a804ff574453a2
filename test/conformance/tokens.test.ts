import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { dispose, LocalVideoTrack, Room, TrackPublishOptions, TrackSource, VideoSource } from "@livekit/rtc-node";
import { RoomServiceClient, ServerError, WebhookReceiver } from "livekit-server-sdk";
import { main, type Io } from "../../cli/main";
import { PROJECT_DIR, TEST_SECRETS } from "../helpers/fixtures";
import { startLocalStack, type LocalStack } from "../helpers/livekitStack";
import { freePorts, requireBinaries } from "../helpers/servers";

const bins = requireBinaries(["livekitServer", "redisServer"]);
const suite = bins.available ? describe : describe.skip;

const ROOM_A = "camera_550e8400-e29b-41d4-a716-446655440000";
const ROOM_B = "camera_7c9e6679-7425-40de-944b-e07fc1f90ae7";

/** `lkstack token …` exactly as an operator runs it, with the key pair in env. */
async function cliToken(key: { key: string; secret: string }, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    env: { LIVEKIT_API_KEY: key.key, LIVEKIT_API_SECRET: key.secret },
    cwd: PROJECT_DIR,
  };
  const code = await main(["token", "--stack", "dev", ...args], io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** HS256 as LiveKit signs tokens, to back-date one. */
function signed(key: { key: string; secret: string }, claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const body = `${enc({ alg: "HS256", typ: "JWT" })}.${enc(claims)}`;
  return `${body}.${createHmac("sha256", key.secret).update(body).digest("base64url")}`;
}

async function token(key: { key: string; secret: string }, args: string[]): Promise<string> {
  const r = await cliToken(key, args);
  if (r.code !== 0) throw new Error(`lkstack token failed: ${r.err}`);
  return r.out.trim();
}

suite("lkstack token against the real livekit-server (rendered config, two keys, webhook)", () => {
  let stack: LocalStack;
  let wsUrl: string;
  let httpUrl: string;
  let hookServer: Server;
  const hooks: { auth: string | undefined; body: string }[] = [];
  const rooms: Room[] = [];

  beforeAll(async () => {
    const [hookPort] = await freePorts(1);
    hookServer = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        hooks.push({ auth: req.headers.authorization, body });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => hookServer.listen(hookPort, "127.0.0.1", r));
    stack = await startLocalStack({ start: 51500, end: 51600 }, { webhook: { urls: [`http://127.0.0.1:${hookPort}/hook`] } });
    ({ url: httpUrl, wsUrl } = stack);
  }, 60000);

  afterAll(async () => {
    for (const r of rooms) await r.disconnect().catch(() => undefined);
    await dispose();
    await stack?.stop();
    await new Promise((r) => hookServer?.close(r));
  });

  async function join(jwt: string): Promise<Room> {
    const room = new Room();
    rooms.push(room);
    await room.connect(wsUrl, jwt, { autoSubscribe: true, dynacast: false });
    return room;
  }

  async function participantsOf(room: string): Promise<string[]> {
    const k = TEST_SECRETS.apiKeys[0];
    const svc = new RoomServiceClient(httpUrl, k.key, k.secret);
    try {
      return (await svc.listParticipants(room)).map((p) => p.identity);
    } catch (e) {
      // A room nobody joined does not exist: that, and only that, means "no participants".
      if (e instanceof ServerError && e.code === "not_found") return [];
      throw e;
    }
  }

  async function permissionOf(room: string, identity: string) {
    const k = TEST_SECRETS.apiKeys[0];
    return (await new RoomServiceClient(httpUrl, k.key, k.secret).getParticipant(room, identity)).permission;
  }

  it.each(TEST_SECRETS.apiKeys.map((k, i) => [i === 0 ? "current" : "previous", k] as const))(
    "a viewer token signed with the %s key joins its camera room",
    async (_which, key) => {
      const identity = `viewer-${key.key}`;
      const room = await join(await token(key, ["--room", ROOM_A, "--identity", identity]));
      expect(room.isConnected).toBe(true);
      expect(room.name).toBe(ROOM_A);
      expect(await participantsOf(ROOM_A)).toContain(identity);
    },
  );

  it("a viewer token cannot publish; a publisher token can", async () => {
    const key = TEST_SECRETS.apiKeys[0];
    const publish = async (room: Room) => {
      const source = new VideoSource(64, 64);
      const track = LocalVideoTrack.createVideoTrack("camera", source);
      const opts = new TrackPublishOptions();
      opts.source = TrackSource.SOURCE_CAMERA;
      return room.localParticipant?.publishTrack(track, opts);
    };
    const viewer = await join(await token(key, ["--room", ROOM_A, "--identity", "viewer-no-publish"]));
    expect((await permissionOf(ROOM_A, "viewer-no-publish"))?.canPublish).toBe(false);
    await expect(publish(viewer)).rejects.toThrow();
    const camera = await join(await token(key, ["--room", ROOM_A, "--identity", "camera-feed", "--publish"]));
    const pub = await publish(camera);
    expect(pub?.sid).toMatch(/^TR_/);
    expect(await permissionOf(ROOM_A, "camera-feed")).toEqual(expect.objectContaining({ canPublish: true, canSubscribe: false }));
  });

  it("a token for room A lands in room A only", async () => {
    const key = TEST_SECRETS.apiKeys[0];
    const room = await join(await token(key, ["--room", ROOM_A, "--identity", "scoped-viewer"]));
    expect(room.name).toBe(ROOM_A);
    expect(await participantsOf(ROOM_A)).toContain("scoped-viewer");
    expect(await participantsOf(ROOM_B)).not.toContain("scoped-viewer");
  });

  it("an expired token is refused (beyond the server's one-minute clock leeway)", async () => {
    const key = TEST_SECRETS.apiKeys[0];
    const jwt = await token(key, ["--room", ROOM_B, "--identity", "late-viewer", "--ttl", "1s"]);
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString()) as { exp: number; nbf: number };
    // exp is read from the clock before nbf: across a second boundary the difference is 0, not 1.
    expect([0, 1]).toContain(claims.exp - claims.nbf);
    // livekit-server validates exp with go-jose's default leeway of one minute: a token 2 s past
    // its expiry still passes, one 2 minutes past it does not. Same claims, re-signed in the past.
    expect((await fetch(`${httpUrl}/rtc/validate?access_token=${jwt}`)).status).toBe(200);
    // Control: our re-signing is sound, so a 401 below is about time only.
    const same = signed(key, JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString()) as Record<string, unknown>);
    expect((await fetch(`${httpUrl}/rtc/validate?access_token=${same}`)).status).toBe(200);
    const past = signed(key, {
      ...JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString()),
      nbf: claims.nbf - 300,
      exp: claims.exp - 180,
    });
    expect((await fetch(`${httpUrl}/rtc/validate?access_token=${past}`)).status).toBe(401);
    await expect(join(past)).rejects.toThrow();
  });

  it("refuses room names outside camera_<uuid> unless --any-room, and bad TTLs", async () => {
    const key = TEST_SECRETS.apiKeys[0];
    const bad = await cliToken(key, ["--room", "lobby", "--identity", "x"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/does not follow camera_<uuid>.*--any-room/);
    expect((await cliToken(key, ["--room", "lobby", "--identity", "x", "--any-room"])).code).toBe(0);
    expect((await cliToken(key, ["--room", ROOM_A, "--identity", "x", "--ttl", "3d"])).err).toMatch(/--ttl/);
  });

  it("signs webhooks with the current key (webhook.api_key is always a configured key)", async () => {
    for (let i = 0; i < 50 && hooks.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(hooks.length).toBeGreaterThan(0);
    const current = TEST_SECRETS.apiKeys[0];
    const event = await new WebhookReceiver(current.key, current.secret).receive(hooks[0].body, hooks[0].auth);
    expect(event.event).toMatch(/room_started|participant_joined|track_published/);
    const previous = TEST_SECRETS.apiKeys[1];
    await expect(new WebhookReceiver(previous.key, previous.secret).receive(hooks[0].body, hooks[0].auth)).rejects.toThrow();
  });
});
