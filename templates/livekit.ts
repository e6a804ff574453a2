import { METRICS_USERNAME, topology, type FileLayout, type StackConfig, type StackSecrets } from "../schema";
import { banner, compact, toYaml } from "./common";
import { redisBlock } from "./redis";
import { webhookUrls } from "./publisher";

type TurnServer = { host: string; port: number; protocol: "udp" | "tcp" | "tls"; secret_file: string };

function turnServers(cfg: StackConfig, layout: FileLayout): TurnServer[] | undefined {
  if (!cfg.turn.enabled) return undefined;
  const host = cfg.turn.domain;
  const secret_file = layout.sfu.turnSecretFile;
  const servers: TurnServer[] = [
    { host, port: cfg.turn.ports.listening, protocol: "udp", secret_file },
    { host, port: cfg.turn.ports.listening, protocol: "tcp", secret_file },
  ];
  if (cfg.turn.tls.enabled) servers.push({ host, port: cfg.turn.ports.tls, protocol: "tls", secret_file });
  return servers;
}

function nodeIpKeys(cfg: StackConfig): Record<string, unknown> {
  const ip = cfg.sfu.nodeIp;
  switch (ip.strategy) {
    case "static":
      return { use_external_ip: false, node_ip: ip.address };
    case "hostIP":
      // node_ip comes from env NODE_IP (downward API status.hostIP); never ask public STUN.
      return { use_external_ip: false };
    case "stun":
      return { use_external_ip: true, stun_servers: ip.stunServers.length > 0 ? ip.stunServers : undefined };
  }
}

/** The public livekit.yaml: no key, secret or password in it (see `renderLivekitSecrets`). */
export function renderLivekitConfig(cfg: StackConfig, layout: FileLayout): string {
  const topo = topology(cfg);
  const doc = compact({
    port: cfg.sfu.ports.http,
    // Basic auth on the metrics port: the user is public, the password comes from env
    // LIVEKIT_PROMETHEUS_PASSWORD (livekit-server checks neither unless both are set).
    prometheus: { port: cfg.sfu.ports.metrics, username: METRICS_USERNAME },
    logging: { level: cfg.sfu.logLevel, json: true },
    key_file: layout.sfu.keyFile,
    rtc: compact({
      tcp_port: cfg.sfu.ports.rtcTcp,
      // A range and udp_port together would let the range win silently; only one of them is set.
      ...(cfg.sfu.ports.udpMode === "single"
        ? { udp_port: cfg.sfu.ports.udp.start }
        : { port_range_start: cfg.sfu.ports.udp.start, port_range_end: cfg.sfu.ports.udp.end }),
      ...nodeIpKeys(cfg),
      enable_loopback_candidate: false,
      allow_tcp_fallback: cfg.sfu.tcpFallback,
      congestion_control: { enabled: cfg.sfu.congestionControl },
      turn_servers: turnServers(cfg, layout),
    }),
    redis: redisBlock(cfg, topo),
    room: compact({
      auto_create: cfg.rooms.autoCreate,
      empty_timeout: cfg.rooms.emptyTimeoutSeconds,
      departure_timeout: cfg.rooms.departureTimeoutSeconds,
      max_participants: cfg.rooms.maxParticipants > 0 ? cfg.rooms.maxParticipants : undefined,
    }),
    // coturn is the TURN server; LiveKit's embedded one stays off.
    turn: { enabled: false },
    // webhook.api_key comes from env LIVEKIT_WEBHOOK_API_KEY: always the current key of the key file.
    webhook: webhookUrls(cfg).length > 0 ? { urls: webhookUrls(cfg) } : undefined,
  });
  return (
    banner(
      "#",
      "livekit-server",
      cfg.versions.livekitServer,
      "Secrets: key_file, env LIVEKIT_REDIS_PASSWORD, rtc.turn_servers[].secret_file; webhook.api_key and prometheus.password from env.",
    ) + toYaml(doc)
  );
}

/** `key: secret` map; every listed key is accepted, which is how a key is rotated without downtime. */
export function renderLivekitKeyFile(secrets: StackSecrets): string {
  return toYaml(Object.fromEntries(secrets.apiKeys.map((k) => [k.key, k.secret])));
}

/** LiveKit signs TURN credentials with one secret: the current one. coturn accepts all listed. */
export function renderLivekitTurnSecretFile(secrets: StackSecrets): string {
  return secrets.turnSecrets[0];
}
