import { z } from "zod";

/**
 * Every secret of a stack. None of these is ever part of a public rendered file; they reach
 * servers through secret files, a Secret-held config body, or env from a Secret.
 * Lists hold the current value first, then the ones still accepted during a rotation.
 */
export interface StackSecrets {
  apiKeys: { key: string; secret: string }[];
  turnSecrets: string[];
  valkeyPassword: string;
  mediamtxReaderPassword: string;
  cameraCredentials: Record<string, { username: string; password: string }>;
}

/** Environment variables `lkstack render` reads secrets from (the seed's names where it has one). */
export const SECRET_ENV = {
  apiKey: "LIVEKIT_API_KEY",
  apiSecret: "LIVEKIT_API_SECRET",
  turnSecret: "TURN_SECRET",
  valkeyPassword: "VALKEY_PASSWORD",
  mediamtxReaderPassword: "MEDIAMTX_READER_PASSWORD",
  cameraCredentials: "LKSTACK_CAMERA_CREDENTIALS",
} as const;

/** Env vars the servers themselves read secrets from. */
export const SERVER_SECRET_ENV = {
  livekitRedisPassword: "LIVEKIT_REDIS_PASSWORD",
  livekitSentinelPassword: "LIVEKIT_REDIS_SENTINEL_PASSWORD",
  ingressApiKey: "LIVEKIT_API_KEY",
  ingressApiSecret: "LIVEKIT_API_SECRET",
  valkeyCliAuth: "REDISCLI_AUTH",
  /** Not a secret itself, but it must name a key of the key file, so it travels with the keys. */
  livekitWebhookApiKey: "LIVEKIT_WEBHOOK_API_KEY",
} as const;

export const PLACEHOLDER_PREFIX = "PLACEHOLDER";

export function placeholder(envName: string): string {
  return `${PLACEHOLDER_PREFIX}_set_${envName}`;
}

export function isPlaceholder(value: string): boolean {
  return value.startsWith(`${PLACEHOLDER_PREFIX}_`);
}

const cameraCredentialsSchema = z.record(z.string(), z.object({ username: z.string().min(1), password: z.string().min(1) }).strict());

/**
 * Secrets from env, each missing one replaced by a marked placeholder (so `render` still writes a
 * complete, reviewable tree). Returns which ones are placeholders.
 */
export function secretsFromEnv(env: Record<string, string | undefined>): { secrets: StackSecrets; placeholders: string[] } {
  const placeholders: string[] = [];
  const get = (name: string): string => {
    const v = env[name];
    if (v !== undefined && v !== "") return v;
    placeholders.push(name);
    return placeholder(name);
  };
  const creds = env[SECRET_ENV.cameraCredentials];
  let cameraCredentials: StackSecrets["cameraCredentials"] = {};
  if (creds) {
    const parsed = cameraCredentialsSchema.safeParse(JSON.parse(creds));
    if (!parsed.success) throw new Error(`${SECRET_ENV.cameraCredentials} must be JSON {name: {username, password}}`);
    cameraCredentials = parsed.data;
  }
  return {
    secrets: {
      apiKeys: [{ key: get(SECRET_ENV.apiKey), secret: get(SECRET_ENV.apiSecret) }],
      turnSecrets: [get(SECRET_ENV.turnSecret)],
      valkeyPassword: get(SECRET_ENV.valkeyPassword),
      mediamtxReaderPassword: get(SECRET_ENV.mediamtxReaderPassword),
      cameraCredentials,
    },
    placeholders,
  };
}

/** All secret values, to assert that none leaks into a public file or a log line. */
export function secretValues(s: StackSecrets): string[] {
  return [
    ...s.apiKeys.map((k) => k.secret),
    ...s.turnSecrets,
    s.valkeyPassword,
    s.mediamtxReaderPassword,
    ...Object.values(s.cameraCredentials).map((c) => c.password),
  ];
}
