import { SignalResponse, type ICEServer } from "@livekit/protocol";
import { AccessToken } from "livekit-server-sdk";
import { WebSocket } from "undici";
import { turnAllocate, turnRestCredentials } from "../../cli/probes/turn";
import type { StackConfig, StackSecrets } from "../../schema";
import { turnserverStartScript } from "../../templates";
import { TEST_SECRETS } from "../helpers/fixtures";
import { loopbackTurnConfig, startLivekit, startRedis } from "../helpers/livekitStack";
import { materialize } from "../helpers/realStack";
import { requireBinaries, startDaemon, tempDir, waitForTcp, type Daemon } from "../helpers/servers";

const bins = requireBinaries(["livekitServer", "redisServer", "turnserver"]);
const suite = bins.available ? describe : describe.skip;

const ROOM = "camera_550e8400-e29b-41d4-a716-446655440000";
const [NEW_TURN, OLD_TURN] = TEST_SECRETS.turnSecrets;
/** Step 1 of a TURN secret rotation: the new secret first, the previous one kept. */
const STEP_1: StackSecrets = TEST_SECRETS;
/** The last step: the previous secret dropped. */
const FINAL: StackSecrets = { ...TEST_SECRETS, turnSecrets: [NEW_TURN] };

/**
 * Joins as a viewer over LiveKit's signalling WebSocket and returns the ICE servers the server
 * puts in its join response: the TURN credentials livekit-server itself mints for that viewer.
 */
async function iceServersOnJoin(http: number, identity: string): Promise<ICEServer[]> {
  const k = TEST_SECRETS.apiKeys[0];
  const at = new AccessToken(k.key, k.secret, { identity, ttl: 600 });
  at.addGrant({ roomJoin: true, room: ROOM, canPublish: false, canSubscribe: true });
  const jwt = await at.toJwt();
  const ws = new WebSocket(`ws://127.0.0.1:${http}/rtc?access_token=${jwt}&protocol=15&auto_subscribe=1&sdk=js&version=2.0.0`);
  ws.binaryType = "arraybuffer";
  try {
    return await new Promise<ICEServer[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no join response within 10 s")), 10000);
      ws.addEventListener("error", () => reject(new Error("signalling WebSocket failed")));
      ws.addEventListener("message", (ev) => {
        const msg = SignalResponse.fromBinary(new Uint8Array(ev.data as ArrayBuffer));
        if (msg.message.case !== "join") return;
        clearTimeout(timer);
        resolve(msg.message.value.iceServers);
      });
    });
  } finally {
    ws.close();
  }
}

/** The TURN (not TURNS) entries livekit-server handed out: username and credential for coturn. */
function turnCredentials(servers: ICEServer[]): { username: string; credential: string }[] {
  return servers.filter((s) => s.urls.some((u) => u.startsWith("turn:"))).map((s) => ({ username: s.username, credential: s.credential }));
}

suite("TURN secret rotation end to end: real livekit-server mints, real coturn accepts", () => {
  let cfg: StackConfig;
  let redis: { daemon: Daemon; port: number };
  let coturn: Daemon;
  let http = 0;
  let turnPort = 0;

  async function livekitWith(secrets: StackSecrets, identity: string): Promise<ICEServer[]> {
    const lk = startLivekit(cfg, redis.port, {}, secrets).daemon;
    try {
      await waitForTcp(http, lk);
      return await iceServersOnJoin(http, identity);
    } finally {
      await lk.stop();
    }
  }

  beforeAll(async () => {
    ({ cfg, http, turnPort } = await loopbackTurnConfig({ udp: { start: 51900, end: 52000 }, relay: { start: 45400, end: 45500 } }));
    redis = await startRedis(cfg);
    // coturn as it runs after the last step: only the new secret.
    const { layout } = materialize(cfg, FINAL, tempDir("rotation-coturn"), "turn");
    coturn = startDaemon("sh", ["-c", turnserverStartScript(layout)]);
    for (let i = 0; i < 50 && !/Total General servers|relay.*initialized|IO method/i.test(coturn.output()); i++)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
  }, 60000);

  afterAll(async () => {
    await coturn?.stop();
    await redis?.daemon.stop();
  });

  const allocate = (c: { username: string; credential: string }) => turnAllocate("127.0.0.1", turnPort, c.username, c.credential, 3000);

  it("control: coturn after the last step refuses credentials signed with the dropped secret", async () => {
    const stale = turnRestCredentials(OLD_TURN, "viewer-stale");
    const r = await allocate({ username: stale.username, credential: stale.password });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/401/);
    const fresh = turnRestCredentials(NEW_TURN, "viewer-fresh");
    expect(await allocate({ username: fresh.username, credential: fresh.password })).toEqual(expect.objectContaining({ ok: true }));
  });

  // A pod still running step 1's config while coturn already has the last step's (a rolling update)
  // must have signed with the new secret, or its viewers lose their relay when the step lands.
  it.each([
    ["step 1 (new + previous secret)", STEP_1],
    ["the last step (new secret only)", FINAL],
  ])(
    "credentials livekit-server minted at %s are accepted by coturn after the last step",
    async (_step, secrets) => {
      const servers = await livekitWith(secrets, `viewer-${secrets.turnSecrets.length}`);
      const creds = turnCredentials(servers);
      // UDP and TCP on the listening port (TLS is off in this config).
      expect(servers.flatMap((s) => s.urls).filter((u) => u.startsWith("turn:"))).toEqual(
        expect.arrayContaining([`turn:turn.example.test:${turnPort}?transport=udp`, `turn:turn.example.test:${turnPort}?transport=tcp`]),
      );
      expect(creds.length).toBeGreaterThan(0);
      for (const c of creds) {
        expect(c.username).toMatch(/^\d+:/);
        const r = await allocate(c);
        expect({ username: c.username, ...r }).toEqual(expect.objectContaining({ username: c.username, ok: true }));
      }
    },
    60000,
  );
});
