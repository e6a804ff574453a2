import { INGRESS_MIN_IDLE_RATIO, topology, type StackConfig, type StackSecrets } from "../schema";
import { banner, toYaml } from "./common";
import { redisBlock } from "./redis";

function ingressDoc(cfg: StackConfig, redisSecrets: Record<string, string>): Record<string, unknown> {
  return {
    redis: { ...redisBlock(cfg, topology(cfg)), ...redisSecrets },
    ws_url: topology(cfg).sfuWsUrl,
    health_port: cfg.ingress.ports.health,
    prometheus_port: cfg.ingress.ports.metrics,
    http_relay_port: cfg.ingress.ports.httpRelay,
    // MediaMTX forwards each camera here over RTMP (in-cluster only); no WHIP listener.
    rtmp_port: cfg.ingress.ports.rtmp,
    whip_port: -1,
    logging: { level: cfg.ingress.logLevel, json: true },
    enable_stream_latency_reduction: cfg.ingress.latencyReduction,
    cpu_cost: { rtmp_cpu_cost: cfg.ingress.rtmpCpuCost, min_idle_ratio: INGRESS_MIN_IDLE_RATIO },
  };
}

const NOTE = "API key and secret come from env LIVEKIT_API_KEY/LIVEKIT_API_SECRET; the Redis password only in the Secret-held copy.";

/** livekit-ingress.yaml without the Redis password (for review and backups). */
export function renderIngressConfig(cfg: StackConfig): string {
  return banner("#", "livekit-ingress", cfg.versions.livekitIngress, NOTE) + toYaml(ingressDoc(cfg, {}));
}

/**
 * The body the Ingress actually runs with (INGRESS_CONFIG_BODY from a Secret): Ingress has no env
 * override for the Redis password (livekit/ingress#298), so the whole body is secret.
 */
export function renderIngressSecretBody(cfg: StackConfig, secrets: StackSecrets): string {
  const pw: Record<string, string> = { password: secrets.valkeyPassword };
  if (cfg.valkey.mode === "sentinel") pw.sentinel_password = secrets.valkeyPassword;
  return banner("#", "livekit-ingress", cfg.versions.livekitIngress, NOTE) + toYaml(ingressDoc(cfg, pw));
}
