import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  CONFIG_NAMESPACE,
  ConfigError,
  STACK_KEYS,
  assertUsableSecrets,
  parseStackConfig,
  problemsFromZod,
  structuredConfigFrom,
  type StackConfig,
  type StackSecrets,
} from "../schema";
import type { ProvidedSecrets } from "./secrets";

/**
 * Reads the `lkstack:*` stack config through the Pulumi engine and validates it with the same
 * schema `lkstack render` uses. Structured keys are plain objects (Pulumi.yaml config types cannot
 * describe objects), so zod does the typing; a bad value fails here, before any resource exists.
 */
export function readStackConfig(read: ConfigReader = engineConfig()): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const key of STACK_KEYS) {
    const value = read(key);
    // A value that is not JSON goes to the schema as text, which names its lkstack: path and type.
    if (value !== undefined) raw[`${CONFIG_NAMESPACE}:${key}`] = key === "target" ? value : jsonOrText(value);
  }
  return parseStackConfig(structuredConfigFrom(raw));
}

/** One `lkstack:` key's value as the engine holds it (text; structured keys as JSON). */
export type ConfigReader = (key: string) => string | undefined;

/**
 * The engine's `lkstack:` config, read once: each `pulumi.Config` read parses the whole stack config
 * again, and a city's camera list makes that about a millisecond per key (bench/cli).
 */
export function engineConfig(): ConfigReader {
  const all = pulumi.runtime.allConfig();
  return (key) => all[`${CONFIG_NAMESPACE}:${key}`];
}

function jsonOrText(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** Secret config keys holding one string (the others hold JSON). */
const PLAIN_STRING_KEYS = new Set(["valkeyPassword", "mediamtxApiPassword", "mediamtxReadPassword", "metricsPassword"]);

const givenShape = z
  .object({
    apiKeys: z.array(z.object({ key: z.string(), secret: z.string() }).strict()).min(1),
    turnSecrets: z.array(z.string()).min(1),
    valkeyPassword: z.string(),
    mediamtxApiPassword: z.string(),
    mediamtxReadPassword: z.string(),
    metricsPassword: z.string(),
    cameraCredentials: z.record(z.string(), z.object({ username: z.string(), password: z.string() }).strict()),
  })
  .partial();

/**
 * Checks the secret config with the rules `lkstack render` applies to env (schema/secrets.ts), from
 * the plaintext the engine hands the program, so a bad value stops the run before any resource.
 */
export function checkProvidedSecrets(read: ConfigReader = engineConfig()): void {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(givenShape.shape)) {
    const v = read(key);
    if (v !== undefined) raw[key] = PLAIN_STRING_KEYS.has(key) ? v : jsonOrText(v);
  }
  const shaped = givenShape.safeParse(raw);
  if (!shaped.success) throw new ConfigError(problemsFromZod(shaped.error, () => Object.keys(givenShape.shape)));
  const g = shaped.data;
  const stand = "PLACEHOLDER_generated";
  assertUsableSecrets(
    {
      apiKeys: g.apiKeys ?? [],
      turnSecrets: g.turnSecrets ?? [],
      valkeyPassword: g.valkeyPassword ?? stand,
      mediamtxApiPassword: g.mediamtxApiPassword ?? stand,
      mediamtxReadPassword: g.mediamtxReadPassword ?? stand,
      metricsPassword: g.metricsPassword ?? stand,
      cameraCredentials: g.cameraCredentials ?? {},
    },
    new Set(Object.keys(g)),
  );
}

/** Secrets given with `pulumi config set --secret` (each optional; the stack generates the rest). */
export function readProvidedSecrets(read: ConfigReader = engineConfig()): ProvidedSecrets & {
  cameraCredentials: pulumi.Output<StackSecrets["cameraCredentials"]>;
} {
  checkProvidedSecrets(read);
  // Checked above, so each JSON value parses; each is marked secret as pulumi.Config#getSecret* would.
  const text = (key: string) => {
    const v = read(key);
    return v === undefined ? undefined : pulumi.secret(v);
  };
  const json = <T>(key: string) => {
    const v = read(key);
    return v === undefined ? undefined : pulumi.secret(JSON.parse(v) as T);
  };
  return {
    apiKeys: json<StackSecrets["apiKeys"]>("apiKeys"),
    turnSecrets: json<string[]>("turnSecrets"),
    valkeyPassword: text("valkeyPassword"),
    mediamtxApiPassword: text("mediamtxApiPassword"),
    mediamtxReadPassword: text("mediamtxReadPassword"),
    metricsPassword: text("metricsPassword"),
    cameraCredentials: json<StackSecrets["cameraCredentials"]>("cameraCredentials") ?? pulumi.secret<StackSecrets["cameraCredentials"]>({}),
  };
}
