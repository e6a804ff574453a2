import { BINARIES, freePorts, startDaemon, tempDir, waitForTcp, type Daemon } from "./servers";
import { TEST_SECRETS, minimal } from "./fixtures";
import { materialize } from "./realStack";
import { parseStackConfig, type StackConfig, type StackConfigInput, type StackSecrets } from "../../schema";

/**
 * redis-server (the Valkey stand-in) from the rendered valkey.conf and its auth include. Pass a
 * previous run's `restart` to start it again on the same port and data directory (a restart).
 */
export async function startRedis(
  cfg: StackConfig,
  secrets: StackSecrets = TEST_SECRETS,
  restart?: { port: number; dir: string },
): Promise<{ daemon: Daemon; port: number; dir: string }> {
  const dir = restart?.dir ?? tempDir("lk-redis");
  const { layout } = materialize(cfg, secrets, dir, "valkey");
  const port = restart?.port ?? (await freePorts(1))[0];
  const daemon = startDaemon(BINARIES.redisServer, [layout.valkey.config, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir]);
  await waitForTcp(port, daemon);
  return { daemon, port, dir };
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
  const { layout, env: secretEnv } = materialize(cfg, secrets, dir, "sfu");
  const daemon = startDaemon(BINARIES.livekitServer, ["--config", layout.sfu.config], {
    env: { PATH: process.env.PATH, HOME: dir, ...secretEnv, REDIS_HOST: `127.0.0.1:${redisPort}`, ...env },
  });
  return { daemon, config: layout.sfu.config };
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

/** A running loopback stack: redis and livekit-server from the rendered files of `cfg`. */
export interface LocalStack {
  cfg: StackConfig;
  redis: { daemon: Daemon; port: number };
  livekit: Daemon;
  http: number;
  metrics: number;
  /** http://127.0.0.1:<port> (the server API); `wsUrl` is the same for clients. */
  url: string;
  wsUrl: string;
  stop: () => Promise<void>;
}

/**
 * Renders a docker-target stack for loopback (static node IP 127.0.0.1, free ports, the given UDP
 * range so suites never share one) and starts redis and livekit-server from it.
 */
export async function startLocalStack(udp: { start: number; end: number }, extra: Partial<StackConfigInput> = {}): Promise<LocalStack> {
  const [http, rtcTcp, metrics] = await freePorts(3);
  const cfg = parseStackConfig(
    minimal("docker", {
      ...extra,
      sfu: {
        ...extra.sfu,
        nodeIp: { strategy: "static", address: "127.0.0.1" },
        ports: { ...extra.sfu?.ports, http, rtcTcp, metrics, udp },
      },
      turn: { domain: "turn.example.test", allowedPeers: ["127.0.0.1/32"], ...extra.turn },
    }),
  );
  const redis = await startRedis(cfg);
  const livekit = startLivekit(cfg, redis.port).daemon;
  await waitForTcp(http, livekit);
  return {
    cfg,
    redis,
    livekit,
    http,
    metrics,
    url: `http://127.0.0.1:${http}`,
    wsUrl: `ws://127.0.0.1:${http}`,
    stop: async () => {
      await livekit.stop();
      await redis.daemon.stop();
    },
  };
}

/**
 * A Docker-target stack with the SFU and coturn on loopback (ports from the OS, ranges given so
 * suites running one after another never share one): what the TURN suites start.
 */
export async function loopbackTurnConfig(ranges: {
  udp: { start: number; end: number };
  relay: { start: number; end: number };
}): Promise<{ cfg: StackConfig; http: number; turnPort: number }> {
  const [http, rtcTcp, metrics, listening, turnMetrics] = await freePorts(5);
  const cfg = parseStackConfig(
    minimal("docker", {
      sfu: { nodeIp: { strategy: "static", address: "127.0.0.1" }, ports: { http, rtcTcp, metrics, udp: ranges.udp } },
      ingress: { enabled: false },
      turn: {
        domain: "turn.example.test",
        allowedPeers: ["127.0.0.1/32"],
        listeningIps: ["127.0.0.1"],
        relayIps: ["127.0.0.1"],
        ports: { listening, metrics: turnMetrics, relay: ranges.relay },
      },
    }),
  );
  return { cfg, http, turnPort: listening };
}
