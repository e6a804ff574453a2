import { z } from "zod";
import { ConfigError, type ConfigProblem } from "./errors";
import { forbiddenChar } from "./text";
import { SECRET_ENV } from "./secretEnv";

/**
 * Every secret of a stack. None of these is ever part of a public rendered file; they reach
 * servers through secret files, a Secret-held config body, or env from a Secret.
 * Lists hold the current value first, then the ones still accepted during a rotation.
 */
export interface StackSecrets {
  apiKeys: { key: string; secret: string }[];
  turnSecrets: string[];
  valkeyPassword: string;
  mediamtxApiPassword: string;
  /** The passthrough publisher's read-only MediaMTX account (user lkstack-publisher). */
  mediamtxReadPassword: string;
  /** Basic auth on the SFU's Prometheus port (user METRICS_USERNAME): livekit-server, Prometheus, doctor. */
  metricsPassword: string;
  cameraCredentials: Record<string, { username: string; password: string }>;
}

export { SECRET_ENV };

/**
 * The user of the SFU's metrics basic auth (`prometheus.username` in livekit.yaml). Public: only
 * the password is secret. livekit-server v1.13.5 checks both only when both are set.
 */
export const METRICS_USERNAME = "lkstack-metrics";

/** Env vars the servers themselves read secrets from. */
export const SERVER_SECRET_ENV = {
  livekitRedisPassword: "LIVEKIT_REDIS_PASSWORD",
  livekitSentinelPassword: "LIVEKIT_REDIS_SENTINEL_PASSWORD",
  ingressApiKey: "LIVEKIT_API_KEY",
  ingressApiSecret: "LIVEKIT_API_SECRET",
  valkeyCliAuth: "REDISCLI_AUTH",
  /** `prometheus.password`, from the config key by livekit-server's generated env overrides. */
  livekitPrometheusPassword: "LIVEKIT_PROMETHEUS_PASSWORD",
  /** Not a secret itself, but it must name a key of the key file, so it travels with the keys. */
  livekitWebhookApiKey: "LIVEKIT_WEBHOOK_API_KEY",
} as const;

export const PLACEHOLDER_PREFIX = "PLACEHOLDER";

export function placeholder(envName: string): string {
  return `${PLACEHOLDER_PREFIX}_set_${envName}`;
}

const PLACEHOLDER_PATTERN = new RegExp(`^${PLACEHOLDER_PREFIX}_[A-Za-z_]+$`);

/** lkstack's own stand-ins (env placeholders, preview's secret stand-in): never an operator's value to check. */
export function isPlaceholder(value: unknown): boolean {
  return typeof value === "string" && PLACEHOLDER_PATTERN.test(value);
}

const cameraCredentialsSchema = z.record(z.string(), z.object({ username: z.string(), password: z.string() }).strict());

/**
 * What a secret may be, wherever it comes from (env, secret config, generated). Every secret lands
 * in a line-based file (coturn, Valkey, env files) or a YAML key file, so: letters, digits and
 * `. _ ~ + / = -` (base64 and URL-safe tokens fit), starting with a letter or digit (coturn's reader
 * drops a leading '=' or '"'), at most 256 characters (coturn's AUTH_SECRET_SIZE). LiveKit refuses
 * API secrets under 32 characters; TURN secrets are held to the same floor.
 */
const LEADING = ", starting with a letter or digit";

export const SECRET_RULES = {
  apiKey: { min: 3, max: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/, what: `letters, digits, '_' and '-'${LEADING}` },
  apiSecret: { min: 32, max: 256, pattern: /^[A-Za-z0-9][A-Za-z0-9._~+/=-]*$/, what: `letters, digits and . _ ~ + / = -${LEADING}` },
  turnSecret: { min: 32, max: 256, pattern: /^[A-Za-z0-9][A-Za-z0-9._~+/=-]*$/, what: `letters, digits and . _ ~ + / = -${LEADING}` },
  password: { min: 16, max: 256, pattern: /^[A-Za-z0-9][A-Za-z0-9._~+/=-]*$/, what: `letters, digits and . _ ~ + / = -${LEADING}` },
  /** A camera's own account: whatever the camera has, except what cannot travel on one line. */
  cameraCredential: { min: 1, max: 255, pattern: /^[^]*$/, what: "any characters but control characters" },
  cameraCredentialName: { min: 1, max: 63, pattern: /^[A-Za-z0-9_-]+$/, what: "letters, digits, '_' and '-'" },
} as const;

export type SecretKind = keyof typeof SECRET_RULES;

/** Why `value` is not a usable secret of `kind`, or undefined. Never quotes the value. */
export function secretProblem(kind: SecretKind, value: unknown): string | undefined {
  const r = SECRET_RULES[kind];
  if (typeof value !== "string") return "is not a string";
  const ch = forbiddenChar(value);
  if (ch) return `contains the control character ${ch}`;
  if (value.length < r.min) return `is ${value.length} characters; at least ${r.min} are needed`;
  if (value.length > r.max) return `is ${value.length} characters; at most ${r.max} are read`;
  if (!r.pattern.test(value)) return `may hold only ${r.what}`;
  return undefined;
}

/** Where a secret came from: an env var, or a `lkstack:` secret config path. */
export type SecretOrigin = { env: string } | { path: PropertyKey[]; setWith: string };

/** Problems of every secret in `s` (placeholders are lkstack's own and pass). */
export function secretsProblems(s: StackSecrets, origin: (field: string, path: PropertyKey[]) => SecretOrigin): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const check = (kind: SecretKind, value: unknown, field: string, path: PropertyKey[]) => {
    if (isPlaceholder(value)) return;
    const why = secretProblem(kind, value);
    if (!why) return;
    const o = origin(field, path);
    const rule = SECRET_RULES[kind];
    const want = `${rule.min}-${rule.max} characters: ${rule.what}`;
    out.push(
      "env" in o
        ? { path: [], source: `env ${o.env}`, problem: `the value ${why}`, fix: `export ${o.env} with ${want}` }
        : { path: o.path, problem: `the secret ${why}`, fix: `set ${want} with ${o.setWith}` },
    );
  };
  s.apiKeys.forEach((k, i) => {
    check("apiKey", k.key, "apiKey", ["apiKeys", i, "key"]);
    check("apiSecret", k.secret, "apiSecret", ["apiKeys", i, "secret"]);
  });
  s.turnSecrets.forEach((t, i) => check("turnSecret", t, "turnSecret", ["turnSecrets", i]));
  check("password", s.valkeyPassword, "valkeyPassword", ["valkeyPassword"]);
  check("password", s.mediamtxApiPassword, "mediamtxApiPassword", ["mediamtxApiPassword"]);
  check("password", s.mediamtxReadPassword, "mediamtxReadPassword", ["mediamtxReadPassword"]);
  check("password", s.metricsPassword, "metricsPassword", ["metricsPassword"]);
  for (const [name, cred] of Object.entries(s.cameraCredentials)) {
    check("cameraCredentialName", name, "cameraCredentials", ["cameraCredentials", name]);
    check("cameraCredential", cred.username, "cameraCredentials", ["cameraCredentials", name, "username"]);
    check("cameraCredential", cred.password, "cameraCredentials", ["cameraCredentials", name, "password"]);
  }
  return out;
}

/** Throws a ConfigError naming each secret given in secret config that is not usable. */
export function assertUsableSecrets(s: StackSecrets, provided: ReadonlySet<string>): void {
  const problems = secretsProblems(s, (field, path) => ({
    path,
    setWith: `pulumi config set --secret --path '${path.map((p, i) => (typeof p === "number" ? `[${p}]` : i > 0 ? `.${String(p)}` : String(p))).join("")}' …`,
  })).filter((p) => provided.has(String(p.path[0])));
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * Secrets from env, each missing one replaced by a marked placeholder (so `render` still writes a
 * complete, reviewable tree). Returns which ones are placeholders.
 */
export function secretsFromEnv(
  env: Record<string, string | undefined>,
  cfg?: { cameras: readonly { credentials?: string }[] },
): { secrets: StackSecrets; placeholders: string[] } {
  const placeholders: string[] = [];
  const get = (name: string): string => {
    const v = env[name];
    if (v !== undefined && v !== "") return v;
    placeholders.push(name);
    return placeholder(name);
  };
  const creds = env[SECRET_ENV.cameraCredentials];
  let cameraCredentials: StackSecrets["cameraCredentials"] = {};
  let cameraPlaceholders = false;
  if (creds) {
    let json: unknown;
    try {
      json = JSON.parse(creds);
    } catch {
      json = undefined;
    }
    const parsed = cameraCredentialsSchema.safeParse(json);
    if (!parsed.success)
      throw new ConfigError([
        {
          path: [],
          source: `env ${SECRET_ENV.cameraCredentials}`,
          problem: "is not JSON of the form {name: {username, password}}",
          fix: `export ${SECRET_ENV.cameraCredentials}='{"lab": {"username": "viewer", "password": "…"}}'`,
        },
      ]);
    cameraCredentials = parsed.data;
  } else {
    // Unset altogether: like every other secret, each named credential becomes a marked placeholder.
    const names = cameraCredentialNames(cfg);
    cameraPlaceholders = names.length > 0;
    const p = placeholder(SECRET_ENV.cameraCredentials);
    cameraCredentials = Object.fromEntries(names.map((n) => [n, { username: p, password: p }]));
  }
  const envOf: Record<string, string> = {
    apiKey: SECRET_ENV.apiKey,
    apiSecret: SECRET_ENV.apiSecret,
    turnSecret: SECRET_ENV.turnSecret,
    valkeyPassword: SECRET_ENV.valkeyPassword,
    mediamtxApiPassword: SECRET_ENV.mediamtxApiPassword,
    mediamtxReadPassword: SECRET_ENV.mediamtxReadPassword,
    metricsPassword: SECRET_ENV.metricsPassword,
    cameraCredentials: SECRET_ENV.cameraCredentials,
  };
  const secrets: StackSecrets = {
    apiKeys: [{ key: get(SECRET_ENV.apiKey), secret: get(SECRET_ENV.apiSecret) }],
    turnSecrets: [get(SECRET_ENV.turnSecret)],
    valkeyPassword: get(SECRET_ENV.valkeyPassword),
    mediamtxApiPassword: get(SECRET_ENV.mediamtxApiPassword),
    mediamtxReadPassword: get(SECRET_ENV.mediamtxReadPassword),
    metricsPassword: get(SECRET_ENV.metricsPassword),
    cameraCredentials,
  };
  if (cameraPlaceholders) placeholders.push(SECRET_ENV.cameraCredentials);
  const problems = secretsProblems(secrets, (field, path) =>
    field === "cameraCredentials" ? { env: `${envOf[field]} (${path.slice(1).join(".")})` } : { env: envOf[field] },
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return { secrets, placeholders };
}

/** All secret values, to assert that none leaks into a public file or a log line. */
export function secretValues(s: StackSecrets): string[] {
  return [
    ...s.apiKeys.map((k) => k.secret),
    ...s.turnSecrets,
    s.valkeyPassword,
    s.mediamtxApiPassword,
    s.mediamtxReadPassword,
    s.metricsPassword,
    ...Object.values(s.cameraCredentials).map((c) => c.password),
  ];
}

/** The credential names the cameras use (repeats included: the caller keys a record by them). */
function cameraCredentialNames(cfg: { cameras: readonly { credentials?: string }[] } | undefined): string[] {
  return cfg ? cfg.cameras.flatMap((c) => (c.credentials ? [c.credentials] : [])) : [];
}

/**
 * Every camera that names a credential must find it: a missing entry would otherwise render the
 * camera's URL without credentials (a camera pulled unauthenticated, or silently failing).
 */
export function missingCameraCredentials(
  cfg: { cameras: readonly { credentials?: string }[] },
  creds: StackSecrets["cameraCredentials"],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  cfg.cameras.forEach((cam, i) => {
    const name = cam.credentials;
    if (name !== undefined && !Object.prototype.hasOwnProperty.call(creds, name))
      problems.push({
        path: ["cameras", i, "credentials"],
        problem: `names "${name}", which the secret object lkstack:cameraCredentials does not hold`,
        fix: `pulumi config set --secret --path 'cameraCredentials.${name}.username' … and '…${name}.password' (for lkstack render: add "${name}" to ${SECRET_ENV.cameraCredentials}), or drop credentials from the camera`,
      });
  });
  return problems;
}
