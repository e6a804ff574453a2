import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseStackConfig, structuredConfigFrom, type StackConfig } from "../schema";

/** Reads `Pulumi.<stack>.yaml` without the Pulumi engine (no CLI, no backend, no passphrase). */
export function readStackFile(stack: string, projectDir: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new Error(`invalid stack name "${stack}"`);
  const file = join(projectDir, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) throw new Error(`no stack file ${file}; create it or pass --project DIR`);
  const doc: unknown = parse(readFileSync(file, "utf8"));
  if (doc === null || typeof doc !== "object") return {};
  const config = (doc as { config?: unknown }).config;
  return config !== null && typeof config === "object" ? (config as Record<string, unknown>) : {};
}

export function loadStackConfig(stack: string, projectDir: string): StackConfig {
  return parseStackConfig(structuredConfigFrom(readStackFile(stack, projectDir)));
}
