import { appendFileSync } from "node:fs";
import { BINARIES, freePort, requireBinaries, startDaemon, tempDir, waitForTcp, type Daemon } from "../helpers/servers";
import { respCommand } from "../helpers/resp";
import { minimal, parse, TEST_SECRETS } from "../helpers/fixtures";
import { materialize } from "../helpers/realStack";

const bins = requireBinaries(["redisServer"]);
const suite = bins.available ? describe : describe.skip;

/** Test-only overrides move the server to a free loopback port; the rendered body is untouched. */
function startValkey(conf: string, port: number, dir: string): Daemon {
  return startDaemon(BINARIES.redisServer, [conf, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir]);
}

suite("rendered valkey.conf on a real redis-server (Valkey stand-in)", () => {
  const dir = tempDir("valkey");
  const cfg = parse(minimal("docker", { valkey: { maxmemory: "256mb" } }));
  const { layout } = materialize(cfg, TEST_SECRETS, dir, "valkey");
  let port = 0;
  let daemon: Daemon;

  beforeAll(async () => {
    port = await freePort();
    daemon = startValkey(layout.valkey.config, port, layout.valkey.dataDir);
    await waitForTcp(port, daemon);
  });
  afterAll(async () => daemon.stop());

  it("refuses commands without the password", async () => {
    const [reply] = await respCommand(port, ["PING"]);
    expect(reply).toMatch(/^-NOAUTH/);
  });

  it("refuses a wrong password and accepts the rendered one", async () => {
    expect((await respCommand(port, ["AUTH", "wrong-password"]))[0]).toMatch(/^-(WRONGPASS|ERR)/);
    expect(await respCommand(port, ["AUTH", TEST_SECRETS.valkeyPassword], ["PING"])).toEqual(["+OK", "+PONG"]);
  });

  it("runs with noeviction, the rendered maxmemory and AOF on", async () => {
    const [, memory, persistence] = await respCommand(
      port,
      ["AUTH", TEST_SECRETS.valkeyPassword],
      ["INFO", "memory"],
      ["INFO", "persistence"],
    );
    expect(memory).toMatch(/maxmemory_policy:noeviction/);
    expect(memory).toMatch(new RegExp(`maxmemory:${256 * 1024 * 1024}\\b`));
    expect(persistence).toMatch(/aof_enabled:1/);
  });

  it("a directive outside the allow-list makes the real server refuse to start", async () => {
    const bad = tempDir("valkey-bad");
    const m = materialize(cfg, TEST_SECRETS, bad, "valkey");
    appendFileSync(m.layout.valkey.config, "maxmemory-polcy noeviction\n");
    const d = startValkey(m.layout.valkey.config, await freePort(), m.layout.valkey.dataDir);
    expect(await d.exited).not.toBe(0);
    expect(d.output()).toMatch(/Bad directive or wrong number of arguments/);
  });
});
