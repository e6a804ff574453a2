import { BINARIES, freePorts, startDaemon, tempDir, waitForTcp, type Daemon } from "./servers";
import { TEST_SECRETS } from "./fixtures";
import { materialize } from "./realStack";
import type { StackConfig, StackSecrets } from "../../schema";

/** redis-server (the Valkey stand-in) from the rendered valkey.conf and its auth include. */
export async function startRedis(cfg: StackConfig, secrets: StackSecrets = TEST_SECRETS): Promise<{ daemon: Daemon; port: number }> {
  const dir = tempDir("lk-redis");
  const { layout } = materialize(cfg, secrets, dir, "valkey");
  const [port] = await freePorts(1);
  const daemon = startDaemon(BINARIES.redisServer, [layout.valkey.config, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir]);
  await waitForTcp(port, daemon);
  return { daemon, port };
}

/**
 * Starts livekit-server with the rendered livekit.yaml, key file and TURN secret file. The only
 * test-only override is REDIS_HOST: the rendered address is the Docker bridge IP of Valkey.
 */
export function startLivekit(
  cfg: StackConfig,
  redisPort: number,
  env: Record<string, string> = {},
  secrets: StackSecrets = TEST_SECRETS,
): { daemon: Daemon; config: string } {
  const dir = tempDir("livekit");
  const { layout, env: secretEnv } = materialize(cfg, secrets, dir, "livekit");
  const daemon = startDaemon(BINARIES.livekitServer, ["--config", layout.livekit.config], {
    env: { PATH: process.env.PATH, HOME: dir, ...secretEnv, REDIS_HOST: `127.0.0.1:${redisPort}`, ...env },
  });
  return { daemon, config: layout.livekit.config };
}

/**
 * livekit-server v1.13.5 prints a start-up error and exits with status 0, so a refusal is "the
 * process ended on its own with this message", not a non-zero status.
 */
export async function expectRefusal(daemon: Daemon, message: RegExp): Promise<void> {
  const timer = setTimeout(() => daemon.proc.kill("SIGKILL"), 20000);
  await daemon.exited;
  clearTimeout(timer);
  expect(daemon.proc.signalCode).toBeNull();
  expect(daemon.output()).toMatch(message);
}
