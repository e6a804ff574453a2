/**
 * turnserver.conf options of the coturn >= 4.7 dialect (long_options[] of mainrelay.c), limited
 * to what this package emits, with the release that introduced each one. coturn only warns on
 * an unknown line ("Bad configuration format"), so the renderer must not rely on the server.
 */
export const COTURN_OPTIONS: ReadonlyMap<string, string> = new Map([
  ["listening-port", "4.0.0"],
  ["tls-listening-port", "4.0.0"],
  ["listening-ip", "4.0.0"],
  ["relay-ip", "4.0.0"],
  ["external-ip", "4.0.0"],
  ["min-port", "4.0.0"],
  ["max-port", "4.0.0"],
  ["realm", "4.0.0"],
  ["server-name", "4.0.0"],
  ["use-auth-secret", "4.0.0"],
  ["static-auth-secret", "4.0.0"],
  ["fingerprint", "4.0.0"],
  ["cert", "4.0.0"],
  ["pkey", "4.0.0"],
  ["cipher-list", "4.0.0"],
  ["no-tls", "4.0.0"],
  ["no-dtls", "4.0.0"],
  ["no-tcp-relay", "4.0.0"],
  ["no-multicast-peers", "4.0.0"],
  ["denied-peer-ip", "4.0.0"],
  ["allowed-peer-ip", "4.0.0"],
  ["user-quota", "4.0.0"],
  ["total-quota", "4.0.0"],
  ["max-bps", "4.0.0"],
  ["bps-capacity", "4.0.0"],
  ["stale-nonce", "4.0.0"],
  ["log-file", "4.0.0"],
  ["simple-log", "4.0.0"],
  ["pidfile", "4.0.0"],
  ["no-auth-pings", "4.5.0"],
  ["no-dynamic-ip-list", "4.5.0"],
  ["no-dynamic-realms", "4.5.0"],
  ["prometheus", "4.5.2"],
  ["prometheus-port", "4.5.2"],
  ["prometheus-address", "4.6.3"],
  ["prometheus-path", "4.7.0"],
  ["cpus", "4.8.0"],
  ["unauthorized-ratelimit", "4.14.0"],
]);

/**
 * Options that exist only when coturn is built with an optional library. The official image has
 * Prometheus (libmicrohttpd); Debian's 4.6.1 package, the test stand-in, does not, and warns
 * "Bad configuration format" for these lines.
 */
export const COTURN_BUILD_FEATURES = {
  prometheus: ["prometheus", "prometheus-port", "prometheus-address", "prometheus-path"],
} as const satisfies Record<string, readonly string[]>;

/**
 * Options this package never renders, and why. The renderer test asserts none appears.
 * Removed in 4.7.0: no-tlsv1, no-tlsv1_1, no-sslv2, no-sslv3, no-stun-backward-compatibility, prod.
 * Long gone: no-loopback-peers (4.5.1). No-op since 4.10: no-cli. Dangerous: allow-loopback-peers,
 * server-relay, no-auth, cli, web-admin.
 */
export const COTURN_FORBIDDEN: readonly string[] = [
  "no-tlsv1",
  "no-tlsv1_1",
  "no-sslv2",
  "no-sslv3",
  "no-stun-backward-compatibility",
  "prod",
  "no-loopback-peers",
  "no-cli",
  "allow-loopback-peers",
  "server-relay",
  "no-auth",
  "cli",
  "web-admin",
  "lt-cred-mech",
  "user",
];
