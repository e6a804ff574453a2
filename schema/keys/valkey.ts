/**
 * valkey.conf / sentinel.conf directives this package emits. Each exists in Valkey 7.2-9.x and
 * in Redis 7.0 (the conformance stand-in): `masterauth` rather than Valkey's `primaryauth` alias,
 * so the same file boots on both. Valkey aborts on an unknown directive, which the conformance
 * test relies on.
 */
export const VALKEY_DIRECTIVES: ReadonlySet<string> = new Set([
  "bind",
  "port",
  "protected-mode",
  "daemonize",
  "dir",
  "maxmemory",
  "maxmemory-policy",
  "appendonly",
  "appendfsync",
  "save",
  "include",
  "requirepass",
  "masterauth",
  "replicaof",
  "replica-announce-ip",
  "tcp-keepalive",
  "timeout",
  "loglevel",
  "logfile",
  "rename-command",
]);

export const SENTINEL_DIRECTIVES: ReadonlySet<string> = new Set([
  "port",
  "bind",
  "protected-mode",
  "daemonize",
  "dir",
  "logfile",
  "requirepass",
  "sentinel",
]);
