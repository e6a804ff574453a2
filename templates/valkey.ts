import { topology, type FileLayout, type StackConfig, type StackSecrets } from "../schema";
import { banner } from "./common";
import { valkeyLines } from "./lines";

/** valkey.conf; the password arrives through `include` of a Secret-mounted file. */
export function renderValkeyConf(cfg: StackConfig, layout: FileLayout): string {
  const v = cfg.valkey;
  const lines: string[][] = [
    ["bind", "*", "-::*"],
    ["port", String(v.port)],
    // The official image compiles protected-mode off; auth is enforced by requirepass anyway.
    ["protected-mode", "yes"],
    ["daemonize", "no"],
    ["dir", layout.valkey.dataDir],
    ["maxmemory", v.maxmemory],
    // LiveKit keeps room, node and Ingress state without TTLs: evicting any of it corrupts state.
    ["maxmemory-policy", "noeviction"],
    ["appendonly", v.persistence ? "yes" : "no"],
    ["appendfsync", "everysec"],
    ["save", ""],
    ["tcp-keepalive", "60"],
    ["include", layout.valkey.authInclude],
  ];
  return valkeyLines(
    lines,
    "valkey.conf",
    banner("#", "valkey", cfg.versions.valkey, `Secrets: requirepass/masterauth come from ${layout.valkey.authInclude}.`),
  );
}

export function renderValkeyAuth(secrets: StackSecrets): string {
  return valkeyLines(
    [
      ["requirepass", secrets.valkeyPassword],
      // Replicas authenticate to the primary with the same password after a failover.
      ["masterauth", secrets.valkeyPassword],
    ],
    "valkey-auth.conf",
  );
}

/**
 * sentinel.conf for sentinel mode. Sentinel rewrites its file, so the pod copies this and the
 * secret fragment into a writable volume at every start.
 */
export function renderSentinelConf(cfg: StackConfig, layout: FileLayout): string | undefined {
  const v = cfg.valkey;
  if (v.mode !== "sentinel") return undefined;
  const name = v.sentinel.masterName;
  const primary = topology(cfg).valkeyInitialPrimary;
  const lines: string[][] = [
    ["port", String(v.sentinel.port)],
    ["daemonize", "no"],
    ["dir", layout.valkey.dataDir],
    ["sentinel", "resolve-hostnames", "yes"],
    ["sentinel", "announce-hostnames", "yes"],
    ["sentinel", "monitor", name, primary, String(v.port), String(v.sentinel.quorum)],
    ["sentinel", "down-after-milliseconds", name, "5000"],
    ["sentinel", "failover-timeout", name, "60000"],
    ["sentinel", "parallel-syncs", name, "1"],
  ];
  return valkeyLines(
    lines,
    "sentinel.conf",
    banner("#", "valkey sentinel", cfg.versions.valkey, `Secrets: appended from ${layout.valkey.sentinelAuth} at start.`),
  );
}

export function renderSentinelAuth(cfg: StackConfig, secrets: StackSecrets): string | undefined {
  if (cfg.valkey.mode !== "sentinel") return undefined;
  return valkeyLines(
    [
      ["sentinel", "auth-pass", cfg.valkey.sentinel.masterName, secrets.valkeyPassword],
      ["requirepass", secrets.valkeyPassword],
    ],
    "sentinel-auth.conf",
  );
}
