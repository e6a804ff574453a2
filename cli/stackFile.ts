import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { parseStackConfig, structuredConfigFrom, type StackConfig } from "../schema";

/**
 * A stack file's YAML. js-yaml reads a city's camera list about five times faster than `yaml`
 * (bench/cli.ts), but it returns an alias as a shared reference, so a file with aliases (or one it
 * refuses) is read by `yaml` instead, which expands aliases under its own count limit (no
 * "billion laughs") and words the syntax errors.
 */
function parseYaml(source: string): unknown {
  try {
    return load(source, { maxAliases: 0 });
  } catch {
    // Loaded only here: most stack files never need it, and every command reads one.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("yaml") as typeof import("yaml")).parse(source);
  }
}

/** `preview` reads the file twice (the summary and the program's config): parse it once. */
const parsed = new Map<string, { source: string; config: Record<string, unknown> }>();

/** Reads `Pulumi.<stack>.yaml` without the Pulumi engine (no CLI, no backend, no passphrase). */
export function readStackFile(stack: string, projectDir: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new Error(`invalid stack name "${stack}"`);
  const file = join(projectDir, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) throw new Error(`no stack file ${file}; create it or pass --project DIR`);
  const source = readFileSync(file, "utf8");
  const cached = parsed.get(file);
  if (cached?.source === source) return cached.config;
  const config = configOf(parseYaml(source));
  parsed.set(file, { source, config });
  return config;
}

function configOf(doc: unknown): Record<string, unknown> {
  if (doc === null || typeof doc !== "object") return {};
  const config = (doc as { config?: unknown }).config;
  return config !== null && typeof config === "object" ? (config as Record<string, unknown>) : {};
}

export function loadStackConfig(stack: string, projectDir: string): StackConfig {
  return parseStackConfig(structuredConfigFrom(readStackFile(stack, projectDir)));
}
