import { cidrToRange, parseCpu, type FileLayout, type StackConfig, type StackSecrets } from "../schema";
import { banner } from "./common";
import { coturnLines, type CoturnEntry } from "./lines";
import { certWatchScript } from "./certWatch";

type Line = CoturnEntry;

/** turnserver.conf without `static-auth-secret` (that line lives in the secret fragment). */
export function renderTurnserverConf(cfg: StackConfig, layout: FileLayout): string {
  const t = cfg.turn;
  const lines: Line[] = [
    ["listening-port", t.ports.listening],
    ...t.listeningIps.map((ip): Line => ["listening-ip", ip]),
    ...t.relayIps.map((ip): Line => ["relay-ip", ip]),
    // Always explicit: the image's default command would look the address up on public DNS.
    ...(t.externalIp ? [["external-ip", t.privateIp ? `${t.externalIp}/${t.privateIp}` : t.externalIp] as Line] : []),
    ["min-port", t.ports.relay.start],
    ["max-port", t.ports.relay.end],
    ["realm", t.realm],
    // TURN REST API: LiveKit mints `<expiry>:<participant>` usernames signed with the shared secret.
    ["use-auth-secret", true],
    ["fingerprint", true],
    ["no-multicast-peers", true],
    // WebRTC never asks for RFC 6062 TCP allocations.
    ["no-tcp-relay", true],
    ["stale-nonce", 600],
    ["user-quota", t.quotas.userQuota],
    ...(t.quotas.totalQuota > 0 ? [["total-quota", t.quotas.totalQuota] as Line] : []),
    ...(t.quotas.maxBps > 0 ? [["max-bps", t.quotas.maxBps] as Line] : []),
    ...(t.quotas.bpsCapacity > 0 ? [["bps-capacity", t.quotas.bpsCapacity] as Line] : []),
    // coturn takes only IP or IP-IP here (CIDR aborts 4.11+); allow wins over deny.
    ...t.deniedPeers.map((c): Line => ["denied-peer-ip", cidrToRange(c)]),
    ...t.allowedPeers.map((c): Line => ["allowed-peer-ip", cidrToRange(c)]),
    ...(t.tls.enabled
      ? ([
          ["tls-listening-port", t.ports.tls],
          ["cert", layout.turn.tlsCert],
          ["pkey", layout.turn.tlsKey],
        ] as Line[])
      : ([
          ["no-tls", true],
          ["no-dtls", true],
        ] as Line[])),
    ["prometheus", true],
    ["prometheus-port", t.ports.metrics],
    ["cpus", Math.max(1, Math.ceil(parseCpu(t.resources.limits.cpu) ?? 1))],
    ["log-file", "stdout"],
    ["pidfile", layout.turn.pidFile],
    // No user database is configured; stop coturn polling the default SQLite one.
    ["no-auth-pings", true],
    ["no-dynamic-ip-list", true],
    ["no-dynamic-realms", true],
  ];
  const header = banner(
    "#",
    "coturn",
    cfg.versions.coturn,
    `Secrets: static-auth-secret lines are appended from ${layout.turn.authFragment} at start.`,
  );
  return coturnLines(lines, "turnserver.conf", header);
}

/** Every listed secret is accepted, the current one first: rotation adds, then removes. */
export function renderTurnserverAuth(secrets: StackSecrets): string {
  return coturnLines(
    secrets.turnSecrets.map((s): Line => ["static-auth-secret", s]),
    "turnserver-auth.conf",
  );
}

/**
 * coturn has no include directive and its image's entrypoint evals arguments, so secrets never go
 * on the command line: the container joins the public file and the secret fragment on a private
 * tmpfs path and starts from that. With TLS on, a watcher sends SIGUSR2 when the mounted
 * certificate changes: coturn (4.6.1 and later, checked by test/conformance/edge.test.ts) reloads
 * its certificate on SIGUSR2 without dropping allocations, so a renewal needs no restart.
 */
export function turnserverStartScript(layout: FileLayout, tls: { watchSeconds?: number } | false = false): string {
  const c = layout.turn;
  const join = `umask 077 && cat ${c.config} ${c.authFragment} > ${c.runtimeConfig}`;
  if (!tls) return `${join} && exec turnserver -c ${c.runtimeConfig}`;
  const reload = `echo "lkstack: TLS certificate changed, coturn reloads it (SIGUSR2)" >&2; kill -USR2 $$`;
  return `${join} || exit 1; ${certWatchScript({ cert: c.tlsCert, key: c.tlsKey }, reload, tls.watchSeconds)} exec turnserver -c ${c.runtimeConfig}`;
}
