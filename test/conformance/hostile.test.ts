import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { RoomServiceClient } from "livekit-server-sdk";
import { ConfigError, parseStackConfig, secretProblem, type SecretKind, type StackConfig, type StackSecrets } from "../../schema";
import { turnserverStartScript } from "../../templates";
import { respCommand } from "../helpers/resp";
import { turnAllocate, turnRestCredentials } from "../../cli/probes/turn";
import { freePorts, requireBinaries, startDaemon, tempDir, waitForTcp, type Daemon } from "../helpers/servers";
import { TEST_SECRETS, minimal } from "../helpers/fixtures";
import { materialize } from "../helpers/realStack";
import { startLivekit, startRedis } from "../helpers/livekitStack";
import { hostileFor } from "../helpers/hostile";
import { directives } from "../helpers/keyPaths";

/**
 * The real parsers read back exactly what a hostile but accepted value was: coturn (realm, TURN
 * secrets), redis-server (the Valkey password) and livekit-server (API keys and secrets, the Redis
 * password from env). Hostile candidates come from the same generator as the unit property test
 * (test/unit/hostile.test.ts); those the schema or the secret rules refuse are proven refused there.
 * Bounded: a fixed seed, a few server starts, many values batched into each start.
 */
const SEED = 1515;

/** Up to `n` distinct values from the hostile generator around `base` that `accepts` lets through. */
function acceptedHostile(base: string, n: number, accepts: (v: string) => boolean): string[] {
  const out = new Set<string>();
  for (const v of fc.sample(hostileFor(base), { numRuns: 4000, seed: SEED })) {
    if (v !== base && accepts(v)) out.add(v);
    if (out.size >= n) break;
  }
  return [...out];
}

const secretOk = (kind: SecretKind) => (v: string) => secretProblem(kind, v) === undefined;

/** A STUN Allocate without credentials: coturn answers 401 with the REALM it read from its config. */
async function realmOf(port: number): Promise<string> {
  const sock = createSocket("udp4");
  const head = Buffer.alloc(20);
  head.writeUInt16BE(0x0003, 0);
  head.writeUInt16BE(8, 2);
  head.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(head, 8);
  const transport = Buffer.from([0x00, 0x19, 0x00, 0x04, 17, 0, 0, 0]);
  try {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no answer from coturn")), 3000);
      sock.once("message", (b) => {
        clearTimeout(timer);
        resolve(b);
      });
      sock.send(Buffer.concat([head, transport]), port, "127.0.0.1");
    });
    for (let off = 20; off + 4 <= reply.length;) {
      const type = reply.readUInt16BE(off);
      const len = reply.readUInt16BE(off + 2);
      if (type === 0x0014) return reply.subarray(off + 4, off + 4 + len).toString("utf8");
      off += 4 + len + ((4 - (len % 4)) % 4);
    }
    throw new Error("no REALM attribute in coturn's answer");
  } finally {
    sock.close();
  }
}

function withSecrets(over: Partial<StackSecrets>): StackSecrets {
  return { ...TEST_SECRETS, ...over };
}

const turnBins = requireBinaries(["turnserver", "redisServer"]);
const turnSuite = turnBins.available ? describe : describe.skip;

turnSuite("hostile but accepted values read back unchanged by coturn and redis-server", () => {
  it("coturn: each accepted realm is the REALM coturn answers with; every accepted TURN secret authenticates", async () => {
    const realms = acceptedHostile("turn.example.org", 4, (realm) => {
      try {
        parseStackConfig(minimal("docker", { turn: { domain: "turn.example.org", allowedPeers: ["172.30.42.0/24"], realm } }));
        return true;
      } catch (e) {
        if (e instanceof ConfigError) return false;
        throw e;
      }
    });
    // The generator reaches accepted values with '#', '=' and other punctuation coturn treats specially elsewhere.
    expect(realms.length).toBeGreaterThanOrEqual(3);
    const turnSecrets = acceptedHostile("sEcReT-turn-0123456789abcdef0123456789", 12, secretOk("turnSecret"));
    expect(turnSecrets.length).toBeGreaterThanOrEqual(8);
    for (const realm of [...realms, "a#b=c%d;", "x=y"]) {
      const [listening, metrics] = await freePorts(2);
      const cfg: StackConfig = parseStackConfig(
        minimal("docker", {
          turn: {
            domain: "turn.example.org",
            realm,
            allowedPeers: ["172.30.42.0/24"],
            listeningIps: ["127.0.0.1"],
            relayIps: ["127.0.0.1"],
            ports: { listening, metrics, relay: { start: 45400, end: 45500 } },
          },
        }),
      );
      const { layout } = materialize(cfg, withSecrets({ turnSecrets }), tempDir("hostile-coturn"), "turn");
      const coturn: Daemon = startDaemon("sh", ["-c", turnserverStartScript(layout)]);
      try {
        for (let i = 0; i < 50 && !/Total General servers|relay.*initialized|IO method/i.test(coturn.output()); i++)
          await new Promise((r) => setTimeout(r, 100));
        expect(await realmOf(listening)).toBe(realm);
        // One start per realm; the secrets are checked once, against the first.
        if (realm === realms[0])
          for (const secret of turnSecrets) {
            const { username, password } = turnRestCredentials(secret, "hostile");
            expect([secret, (await turnAllocate("127.0.0.1", listening, username, password)).ok]).toEqual([secret, true]);
          }
        // The Debian build (4.6.1) does not know some options of the pinned 4.17.1 (prometheus, cpus):
        // those whole directives are all it may complain about; a split line would show a fragment.
        const rendered = new Set(directives(readFileSync(layout.turn.config, "utf8"), /[=\s]/));
        const bad = [...coturn.output().matchAll(/Bad configuration format: (\S*)/g)].map((m) => m[1]);
        expect(bad.filter((b) => !rendered.has(b))).toEqual([]);
      } finally {
        await coturn.stop();
      }
    }
  }, 60000);

  it("redis-server: AUTH takes exactly each accepted password as requirepass", async () => {
    const passwords = acceptedHostile("sEcReT-valkey-0123456789", 4, secretOk("password"));
    expect(passwords.length).toBeGreaterThanOrEqual(3);
    const cfg = parseStackConfig(minimal("docker"));
    for (const valkeyPassword of passwords) {
      const redis = await startRedis(cfg, withSecrets({ valkeyPassword }));
      try {
        // AUTH succeeds only with exactly the bytes redis read; one character more is refused.
        const [auth, wrong] = await respCommand(redis.port, ["AUTH", valkeyPassword], ["AUTH", `${valkeyPassword}x`]);
        expect([valkeyPassword, auth, wrong.split(" ")[0]]).toEqual([valkeyPassword, "+OK", "-WRONGPASS"]);
      } finally {
        await redis.daemon.stop();
      }
    }
  }, 60000);
});

const lkBins = requireBinaries(["livekitServer", "redisServer"]);
const lkSuite = lkBins.available ? describe : describe.skip;

lkSuite("hostile but accepted secrets read back unchanged by livekit-server", () => {
  it("every accepted API key/secret pair in one key file authorizes the API; the Redis password from env connects", async () => {
    const keys = acceptedHostile("APIhostileKey01", 6, secretOk("apiKey"));
    const secrets = acceptedHostile("sEcReT-api-0123456789abcdefghijklmnop", keys.length, secretOk("apiSecret"));
    const pairs = keys.slice(0, secrets.length).map((key, i) => ({ key, secret: secrets[i] }));
    expect(pairs.length).toBeGreaterThanOrEqual(4);
    const [valkeyPassword] = acceptedHostile("sEcReT-valkey-for-livekit-0123", 1, secretOk("password"));
    const [http, rtcTcp, metrics] = await freePorts(3);
    const cfg = parseStackConfig(
      minimal("docker", {
        sfu: { nodeIp: { strategy: "static", address: "127.0.0.1" }, ports: { http, rtcTcp, metrics, udp: { start: 52500, end: 52600 } } },
        turn: { domain: "turn.example.test", allowedPeers: ["127.0.0.1/32"] },
      }),
    );
    const s = withSecrets({ apiKeys: pairs, valkeyPassword });
    const redis = await startRedis(cfg, s);
    const lk = startLivekit(cfg, redis.port, {}, s).daemon;
    try {
      await waitForTcp(http, lk);
      for (const p of pairs) {
        const rooms = await new RoomServiceClient(`http://127.0.0.1:${http}`, p.key, p.secret).listRooms();
        expect([p.key, Array.isArray(rooms)]).toEqual([p.key, true]);
      }
      // A secret that differs by one character is refused: the server compares what it read.
      await expect(new RoomServiceClient(`http://127.0.0.1:${http}`, pairs[0].key, `${pairs[0].secret}x`).listRooms()).rejects.toThrow();
    } finally {
      await lk.stop();
      await redis.daemon.stop();
    }
  }, 60000);
});
