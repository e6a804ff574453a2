import { STACK_KEYS } from "./stack";
import { ConfigError } from "./errors";

/** The project namespace of every stack config key. */
export const CONFIG_NAMESPACE = "lkstack";

/**
 * Keys that may only hold `pulumi config set --secret` values. They never enter the structured
 * config; the program reads them with requireSecretObject.
 */
export const SECRET_CONFIG_KEYS = [
  "cameraCredentials",
  "apiKeys",
  "turnSecrets",
  "valkeyPassword",
  "mediamtxApiPassword",
  "mediamtxReadPassword",
  "metricsPassword",
] as const;

/** Leaves of a secret config value that name something rather than hold a secret. */
const IDENTIFIER_LEAVES = new Set(["key", "username"]);

/** Paths of plaintext values inside a secret config value (identifiers such as an API key id excepted). */
function plaintextLeaves(v: unknown, path: string): string[] {
  if (isSecureValue(v)) return [];
  if (Array.isArray(v)) return v.flatMap((x, i) => plaintextLeaves(x, `${path}[${i}]`));
  if (typeof v === "object" && v !== null)
    return Object.entries(v).flatMap(([k, x]) =>
      IDENTIFIER_LEAVES.has(k) && typeof x === "string" ? [] : plaintextLeaves(x, `${path}.${k}`),
    );
  return v === undefined || v === null || v === "" ? [] : [path];
}

function isSecureValue(v: unknown): boolean {
  return typeof v === "object" && v !== null && "secure" in v;
}

function containsSecure(v: unknown): boolean {
  if (isSecureValue(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecure);
  if (typeof v === "object" && v !== null) return Object.values(v).some(containsSecure);
  return false;
}

/**
 * Splits a stack file's `config:` map into the structured `lkstack:*` object the schema validates.
 * Other namespaces (e.g. `kubernetes:context`) pass through untouched; unknown `lkstack:` keys fail
 * here, before anything is rendered.
 */
export function structuredConfigFrom(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const problems = [];
  for (const [fullKey, value] of Object.entries(config)) {
    const [ns, key] = fullKey.split(":", 2);
    if (ns !== CONFIG_NAMESPACE || key === undefined) continue;
    if ((SECRET_CONFIG_KEYS as readonly string[]).includes(key)) {
      const plain = plaintextLeaves(value, key);
      if (plain.length > 0)
        problems.push({
          path: [key],
          problem: `holds plaintext at ${plain.join(", ")}`,
          fix: `store it with pulumi config set --secret --path '${plain[0]}' …`,
        });
      continue;
    }
    if (!STACK_KEYS.includes(key)) {
      problems.push({
        path: [key],
        problem: `unknown stack config key`,
        fix: `use one of ${[...STACK_KEYS, ...SECRET_CONFIG_KEYS].join(", ")}`,
      });
      continue;
    }
    if (containsSecure(value)) {
      problems.push({
        path: [key],
        problem: "a secret value inside a structured setting",
        fix: "secrets belong in lkstack:cameraCredentials or generated secrets, never in this key",
      });
      continue;
    }
    out[key] = value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}
