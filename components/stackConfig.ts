import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, STACK_KEYS, parseStackConfig, structuredConfigFrom, type StackConfig, type StackSecrets } from "../schema";
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

/** Secrets given with `pulumi config set --secret` (each optional; the stack generates the rest). */
export function readProvidedSecrets(config: pulumi.Config = new pulumi.Config(CONFIG_NAMESPACE)): ProvidedSecrets & {
  cameraCredentials: pulumi.Output<StackSecrets["cameraCredentials"]>;
} {
  return {
    apiKeys: config.getSecretObject<StackSecrets["apiKeys"]>("apiKeys"),
    turnSecrets: config.getSecretObject<string[]>("turnSecrets"),
    valkeyPassword: config.getSecret("valkeyPassword"),
    mediamtxReaderPassword: config.getSecret("mediamtxReaderPassword"),
    cameraCredentials:
      config.getSecretObject<StackSecrets["cameraCredentials"]>("cameraCredentials") ??
      pulumi.secret<StackSecrets["cameraCredentials"]>({}),
  };
}
