import { execFileSync } from "node:child_process";
import type { ApiCredentials } from "../reconciler/reconcile";
import { SECRET_ENV } from "../schema/secretEnv";

// Defined by the reconciler (it calls LiveKit's API too); the CLI's commands import it from here.
export type { ApiCredentials };

export class CredentialsError extends Error {}

/** The stack's outputs (secrets in clear) through the Pulumi CLI, or why they cannot be read. */
function stackOutputs(
  stack: string,
  env: Record<string, string | undefined>,
  cwd: string,
): { outputs?: Record<string, unknown>; why?: string } {
  try {
    const out = execFileSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env } as NodeJS.ProcessEnv,
    });
    return { outputs: JSON.parse(out) as Record<string, unknown> };
  } catch (e) {
    // Duck-typed: errors from child_process may come from another realm (e.g. under jest).
    const missing = typeof e === "object" && e !== null && "code" in e && e.code === "ENOENT";
    return { why: missing ? "the Pulumi CLI is not installed" : "pulumi stack output failed" };
  }
}

/**
 * Secret values for the operator tools: each from its env var, else from the stack output of the
 * given name through the Pulumi CLI. Never printed. Throws naming every missing one and the fix.
 */
export function secretsFor(
  stack: string,
  wanted: { env: string; output: string }[],
  env: Record<string, string | undefined>,
  cwd: string,
): { values: Record<string, string>; source: string } {
  const fromEnv = Object.fromEntries(wanted.filter((w) => env[w.env]).map((w) => [w.env, env[w.env] ?? ""]));
  if (Object.keys(fromEnv).length === wanted.length) return { values: fromEnv, source: "env" };
  const { outputs, why } = stackOutputs(stack, env, cwd);
  const values: Record<string, string> = { ...fromEnv };
  for (const w of wanted) {
    const v = outputs?.[w.output];
    if (values[w.env] === undefined && typeof v === "string") values[w.env] = v;
  }
  const missing = wanted.filter((w) => values[w.env] === undefined);
  if (missing.length > 0)
    throw new CredentialsError(
      `${missing.map((w) => w.env).join("/")} ${missing.length > 1 ? "are" : "is"} not set and ${why ?? `stack ${stack} has no ${missing.map((w) => w.output).join("/")} output`}; fix: export ${missing.length > 1 ? "them" : "it"}, or run where \`pulumi stack output --stack ${stack}\` works (after pulumi up)`,
    );
  return { values, source: Object.keys(fromEnv).length > 0 && !outputs ? "env" : `env and stack ${stack} outputs` };
}

/** API key and secret: env LIVEKIT_API_KEY / LIVEKIT_API_SECRET, else the outputs apiKey / apiSecret. */
export function apiCredentials(stack: string, env: Record<string, string | undefined>, cwd: string): ApiCredentials {
  const { values, source } = secretsFor(
    stack,
    [
      { env: SECRET_ENV.apiKey, output: "apiKey" },
      { env: SECRET_ENV.apiSecret, output: "apiSecret" },
    ],
    env,
    cwd,
  );
  return { apiKey: values[SECRET_ENV.apiKey], apiSecret: values[SECRET_ENV.apiSecret], source };
}
