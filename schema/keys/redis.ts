/** The `redis:` block of livekit/protocol (redis/redis.go), shared by livekit-server and Ingress. */
export const REDIS_KEYS = [
  "address",
  "username",
  "password",
  "db",
  "tls.enabled",
  "tls.insecure",
  "tls.server_name",
  "tls.ca_cert_file",
  "sentinel_master_name",
  "sentinel_username",
  "sentinel_password",
  "sentinel_addresses",
  "dial_timeout",
  "read_timeout",
  "write_timeout",
  "pool_size",
].map((k) => `redis.${k}`);
