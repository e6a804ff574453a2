import { execFileSync } from "node:child_process";
import { SECRET_ENV } from "../schema";

export interface ApiCredentials {
  apiKey: string;
  apiSecret: string;
  source: string;
}

export class CredentialsError extends Error {}

/**
 * API key and secret for the operator tools: env LIVEKIT_API_KEY / LIVEKIT_API_SECRET, else the
 * stack's secret outputs `apiKey` / `apiSecret` through the Pulumi CLI. Never printed.
 */
export function apiCredentials(stack: string, env: Record<string, string | undefined>, cwd: string): ApiCredentials {
  const key = env[SECRET_ENV.apiKey];
  const secret = env[SECRET_ENV.apiSecret];
  if (key && secret) return { apiKey: key, apiSecret: secret, source: "env" };
  let out: string;
  try {
    out = execFileSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env } as NodeJS.ProcessEnv,
    });
  } catch (e) {
    // Duck-typed: errors from child_process may come from another realm (e.g. under jest).
    const missing = typeof e === "object" && e !== null && "code" in e && e.code === "ENOENT";
    const why = missing ? "the Pulumi CLI is not installed" : "pulumi stack output failed";
    throw new CredentialsError(
      `no API credentials: ${SECRET_ENV.apiKey}/${SECRET_ENV.apiSecret} are not set and ${why}; fix: export both, or run where \`pulumi stack output --stack ${stack}\` works`,
    );
  }
  const outputs = JSON.parse(out) as { apiKey?: unknown; apiSecret?: unknown };
  if (typeof outputs.apiKey !== "string" || typeof outputs.apiSecret !== "string")
    throw new CredentialsError(
      `stack ${stack} has no apiKey/apiSecret outputs; fix: run pulumi up first, or export ${SECRET_ENV.apiKey}/${SECRET_ENV.apiSecret}`,
    );
  return { apiKey: outputs.apiKey, apiSecret: outputs.apiSecret, source: `stack ${stack} outputs` };
}
