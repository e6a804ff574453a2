import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { secretsFor } from "../../cli/credentials";
import { main, type Io } from "../../cli/main";
import { CAMERA_ROOM, DEFAULT_TTL_SECONDS, grantFor, mintToken, parseTtl, TokenRequestError } from "../../cli/token";
import { TokenVerifier } from "livekit-server-sdk";
import { PROJECT_DIR } from "../helpers/fixtures";

const KEY = { apiKey: "APIunitTestKey01", apiSecret: "unit-test-secret-0123456789abcdefghijkl" };
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString()) as Record<string, unknown>;

describe("lkstack token (pure parts)", () => {
  it("parses durations and refuses nonsense and more than a day", () => {
    expect(parseTtl("1h")).toBe(3600);
    expect(parseTtl("30m")).toBe(1800);
    expect(parseTtl("2h30m")).toBe(9000);
    expect(parseTtl("900s")).toBe(900);
    expect(parseTtl("45")).toBe(45);
    for (const bad of ["", "0", "1d", "25h", "-5m", "abc"]) expect(() => parseTtl(bad)).toThrow(TokenRequestError);
  });

  it("a viewer subscribes only; a publisher publishes only", () => {
    expect(grantFor({ room: "r", publish: false })).toEqual({
      roomJoin: true,
      room: "r",
      canPublish: false,
      canSubscribe: true,
      canPublishData: false,
    });
    expect(grantFor({ room: "r", publish: true })).toEqual({
      roomJoin: true,
      room: "r",
      canPublish: true,
      canSubscribe: false,
      canPublishData: false,
    });
  });

  it("mints room-scoped, one-hour tokens by default", async () => {
    const room = "camera_550e8400-e29b-41d4-a716-446655440000";
    const c = claimsOf(
      await mintToken({ ...KEY, room, identity: "viewer-7", publish: false, ttlSeconds: DEFAULT_TTL_SECONDS, anyRoom: false }),
    );
    expect(c.iss).toBe(KEY.apiKey);
    expect(c.sub).toBe("viewer-7");
    // The SDK reads the clock for exp before nbf: across a second boundary nbf is one second later.
    expect(Number(c.exp) - Number(c.nbf)).toBeGreaterThanOrEqual(3599);
    expect(Number(c.exp) - Number(c.nbf)).toBeLessThanOrEqual(3600);
    expect(c.video).toEqual({ roomJoin: true, room, canPublish: false, canSubscribe: true, canPublishData: false });
  });

  it("accepts exactly camera_<lowercase uuid> room names", () => {
    fc.assert(fc.property(fc.uuid(), (id) => expect(CAMERA_ROOM.test(`camera_${id}`)).toBe(true)));
    for (const bad of [
      "camera_",
      "camera_550E8400-E29B-41D4-A716-446655440000",
      "lobby",
      "camera_550e8400e29b41d4a716446655440000",
      "xcamera_550e8400-e29b-41d4-a716-446655440000",
    ])
      expect(CAMERA_ROOM.test(bad)).toBe(false);
  });
});

describe("lkstack token / rooms (command line)", () => {
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s), env: { PATH: "/nonexistent", ...env }, cwd: PROJECT_DIR };
    return { code: await main(args, io), out: out.join("\n"), err: err.join("\n") };
  };

  it("prints only the JWT, never the secret", async () => {
    const r = await run(["token", "--stack", "dev", "--room", "camera_550e8400-e29b-41d4-a716-446655440000", "--identity", "v"], {
      LIVEKIT_API_KEY: KEY.apiKey,
      LIVEKIT_API_SECRET: KEY.apiSecret,
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(r.out + r.err).not.toContain(KEY.apiSecret);
  });

  it("without credentials says where they come from", async () => {
    const r = await run(["token", "--stack", "dev", "--room", "camera_550e8400-e29b-41d4-a716-446655440000", "--identity", "v"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/LIVEKIT_API_KEY\/LIVEKIT_API_SECRET are not set and the Pulumi CLI is not installed; fix:/);
  });

  it("falls back to the stack's secret outputs through the Pulumi CLI", async () => {
    const bin = mkdtempSync(join(tmpdir(), "lkstack-fake-pulumi-"));
    // A stand-in for the Pulumi CLI: like the real one, secret outputs print as "[secret]" unless
    // --show-secrets is given, and only `stack output --json … --stack dev` answers at all.
    const shown = JSON.stringify({ apiKey: KEY.apiKey, apiSecret: KEY.apiSecret, turnSecret: "turn-from-outputs" });
    const masked = JSON.stringify({ apiKey: KEY.apiKey, apiSecret: "[secret]", turnSecret: "[secret]" });
    writeFileSync(
      join(bin, "pulumi"),
      [
        "#!/bin/sh",
        'case " $* " in *" stack output "*" --stack dev "*|*" stack output "*" --stack dev") ;; *) exit 2 ;; esac',
        'case " $* " in *" --json "*) ;; *) exit 2 ;; esac',
        `case " $* " in *" --show-secrets "*) echo '${shown}' ;; *) echo '${masked}' ;; esac`,
        "",
      ].join("\n"),
    );
    chmodSync(join(bin, "pulumi"), 0o755);
    const r = await run(["token", "--stack", "dev", "--room", "camera_550e8400-e29b-41d4-a716-446655440000", "--identity", "v"], {
      PATH: bin,
    });
    expect(r.code).toBe(0);
    expect(claimsOf(r.out).iss).toBe(KEY.apiKey);
    // Signed with the real secret (a masked "[secret]" would sign a token no server accepts).
    await expect(new TokenVerifier(KEY.apiKey, KEY.apiSecret).verify(r.out.trim())).resolves.toEqual(
      expect.objectContaining({ iss: KEY.apiKey, sub: "v" }),
    );
    const secrets = secretsFor("dev", [{ env: "TURN_SECRET", output: "turnSecret" }], { PATH: bin }, PROJECT_DIR);
    expect(secrets.values).toEqual({ TURN_SECRET: "turn-from-outputs" });
  });

  it("names the missing output when the stack has none", () => {
    const bin = mkdtempSync(join(tmpdir(), "lkstack-fake-pulumi-"));
    writeFileSync(join(bin, "pulumi"), "#!/bin/sh\necho '{}'\n");
    chmodSync(join(bin, "pulumi"), 0o755);
    expect(() => secretsFor("dev", [{ env: "TURN_SECRET", output: "turnSecret" }], { PATH: bin }, PROJECT_DIR)).toThrow(
      /TURN_SECRET is not set and stack dev has no turnSecret output; fix: export it/,
    );
  });

  it("rooms needs a URL and an action", async () => {
    expect((await run(["rooms", "list", "--stack", "dev"])).err).toMatch(/--url \(or env LIVEKIT_URL\) is required/);
    const r = await run(["rooms", "--stack", "dev", "--url", "http://127.0.0.1:9"], { LIVEKIT_API_KEY: "k", LIVEKIT_API_SECRET: "s" });
    expect(r.err).toMatch(/rooms needs "list" or "delete", got nothing/);
  });
});
