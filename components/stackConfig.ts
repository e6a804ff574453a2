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
export function readStackConfig(config: pulumi.Config = new pulumi.Config(CONFIG_NAMESPACE)): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const key of STACK_KEYS) {
    const value = key === "target" ? config.get(key) : config.getObject<unknown>(key);
    if (value !== undefined) raw[`${CONFIG_NAMESPACE}:${key}`] = value;
  }
  return parseStackConfig(structuredConfigFrom(raw));
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
export function checkProvidedSecrets(
  read: (key: string) => string | undefined = (k) => pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:${k}`),
): void {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(givenShape.shape)) {
    const v = read(key);
    if (v === undefined) continue;
    try {
      raw[key] = PLAIN_STRING_KEYS.has(key) ? v : JSON.parse(v);
    } catch {
      raw[key] = v;
    }
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
export function readProvidedSecrets(config: pulumi.Config = new pulumi.Config(CONFIG_NAMESPACE)): ProvidedSecrets & {
  cameraCredentials: pulumi.Output<StackSecrets["cameraCredentials"]>;
} {
  checkProvidedSecrets((k) => pulumi.runtime.getConfig(`${config.name}:${k}`));
  return {
    apiKeys: config.getSecretObject<StackSecrets["apiKeys"]>("apiKeys"),
    turnSecrets: config.getSecretObject<string[]>("turnSecrets"),
    valkeyPassword: config.getSecret("valkeyPassword"),
    mediamtxApiPassword: config.getSecret("mediamtxApiPassword"),
    mediamtxReadPassword: config.getSecret("mediamtxReadPassword"),
    metricsPassword: config.getSecret("metricsPassword"),
    cameraCredentials:
      config.getSecretObject<StackSecrets["cameraCredentials"]>("cameraCredentials") ??
      pulumi.secret<StackSecrets["cameraCredentials"]>({}),
  };
}
