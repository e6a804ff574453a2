import type { StackConfig, Topology } from "../schema";

/**
 * The `redis:` block LiveKit server and Ingress share (protocol/redis). Passwords are not part of
 * it: the server takes them from env, Ingress from its Secret-held body.
 */
export function redisBlock(cfg: StackConfig, topo: Topology): Record<string, unknown> {
  if (cfg.valkey.mode === "sentinel")
    return {
      sentinel_master_name: cfg.valkey.sentinel.masterName,
      sentinel_addresses: topo.sentinelHosts.map((h) => `${h}:${cfg.valkey.sentinel.port}`),
    };
  return { address: `${topo.valkeyHost}:${cfg.valkey.port}` };
}
