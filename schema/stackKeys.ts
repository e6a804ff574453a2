import { STACK_KEYS } from "./stack";
import { ConfigError } from "./errors";

/** The project namespace of every stack config key. */
export const CONFIG_NAMESPACE = "lkstack";

/**
 * Keys that may only hold `pulumi config set --secret` values. They never enter the structured
 * config; the program reads them with requireSecretObject.
 */
export const SECRET_CONFIG_KEYS = ["cameraCredentials"] as const;

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
      if (!containsSecureOrEmpty(value))
        problems.push({
          path: [key],
          problem: "holds plaintext",
          fix: `store it with pulumi config set --secret --path '${key}.<name>.password' …`,
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

function containsSecureOrEmpty(v: unknown): boolean {
  if (isSecureValue(v)) return true;
  if (typeof v === "object" && v !== null) return Object.values(v).every(containsSecureOrEmpty);
  return false;
}
