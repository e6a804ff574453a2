import { REDIS_KEYS } from "./redis";

/**
 * Keys livekit/ingress reads (pkg/config/config.go, v1.4.x and v1.5.0). Ingress parses YAML
 * non-strictly and ignores unknown keys, so this list is the only thing that catches a typo.
 */
const COMMON = [
  ...REDIS_KEYS,
  "api_key",
  "api_secret",
  "ws_url",
  "health_port",
  "debug_handler_port",
  "prometheus_port",
  "rtmp_port",
  "whip_port",
  "http_relay_port",
  "logging.level",
  "logging.json",
  "development",
  "cpu_cost.rtmp_cpu_cost",
  "cpu_cost.whip_cpu_cost",
  "cpu_cost.whip_bypass_transcoding_cpu_cost",
  "cpu_cost.url_cpu_cost",
  "cpu_cost.min_idle_ratio",
];

export const INGRESS_KEYS: Record<"1.4" | "1.5", ReadonlySet<string>> = {
  "1.4": new Set<string>(COMMON),
  "1.5": new Set<string>([...COMMON, "whip_proxy_enabled", "enable_stream_latency_reduction"]),
};
