import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
// Before the SDK: it would load the TypeScript compiler and the Automation API, which a preview never uses.
import "./deferSdkModules";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, SECRET_CONFIG_KEYS } from "../schema";
import { toYaml } from "../templates";
import { masked, RecordingEngine, type Recorded } from "./engine";
import { readStackFile } from "./stackFile";

/** Stands in for every `secure:` value: the ciphertext cannot be read without the passphrase. */
export const SECRET_STAND_IN = "PLACEHOLDER_secret_config";

function standIns(v: unknown): unknown {
  if (typeof v === "object" && v !== null && "secure" in v) return SECRET_STAND_IN;
  if (Array.isArray(v)) return v.map(standIns);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, standIns(x)]));
  return v;
}

/**
 * Offline, a stack file without `lkstack:cameraCredentials` (set on the deploying machine only)
 * stands in one secret entry per credential name its cameras use, as `render` does with a
 * placeholder; `pulumi up` itself refuses a camera whose credential is missing.
 */
function cameraCredentialStandIns(file: Record<string, unknown>): Record<string, unknown> {
  const key = `${CONFIG_NAMESPACE}:cameraCredentials`;
  const cameras = file[`${CONFIG_NAMESPACE}:cameras`];
  if (key in file || !Array.isArray(cameras)) return {};
  const names = cameras.flatMap((c: unknown) =>
    typeof c === "object" && c !== null && "credentials" in c && typeof c.credentials === "string" ? [c.credentials] : [],
  );
  if (names.length === 0) return {};
  const secure = { secure: SECRET_STAND_IN };
  return { [key]: Object.fromEntries(names.map((n) => [n, { username: secure, password: secure }])) };
}

/** The stack file's config as the engine hands it to the program; secret keys stay marked secret. */
export function engineConfig(
  stack: string,
  projectDir: string,
  secretOverrides: Record<string, unknown> = {},
): { config: Record<string, string>; secretKeys: string[] } {
  const overrides = Object.fromEntries(Object.entries(secretOverrides).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, v]));
  const file = readStackFile(stack, projectDir);
  const raw = { ...cameraCredentialStandIns(file), ...file, ...overrides };
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    config[k] = typeof v === "string" ? v : JSON.stringify(standIns(v));
    const [ns, key] = k.split(":", 2);
    if (k in overrides) config[k] = typeof v === "string" ? v : JSON.stringify(v);
    if (ns === CONFIG_NAMESPACE && (SECRET_CONFIG_KEYS as readonly string[]).includes(key)) secretKeys.push(k);
  }
  return { config, secretKeys };
}

/**
 * Runs the real Pulumi program (index.ts) with the engine mocked: no CLI, backend, passphrase or
 * cluster. Returns every resource it would register, with the inputs it would send.
 */
export async function previewProgram(
  stack: string,
  projectDir: string,
  programPath: string,
  /** Secret config values to use instead of the stack file's (tests; the file's are ciphertext). */
  secretOverrides: Record<string, unknown> = {},
): Promise<Recorded[]> {
  return (await previewRun(stack, projectDir, programPath, secretOverrides)).resources;
}

/** previewProgram, with what the program exported (its stack outputs). */
export async function previewRun(
  stack: string,
  projectDir: string,
  programPath: string,
  secretOverrides: Record<string, unknown> = {},
): Promise<{ resources: Recorded[]; outputs: Record<string, unknown> }> {
  const engine = new RecordingEngine();
  await engine.install(stack);
  const { config, secretKeys } = engineConfig(stack, projectDir, secretOverrides);
  pulumi.runtime.setAllConfig(config, secretKeys);
  // The program's own error (a ConfigError from its validation) is kept out of the engine, whose
  // stack would otherwise reject unobserved, and thrown here once the engine has settled.
  let failure: { error: unknown } | undefined;
  const resources = await engine.run(() =>
    import(programPath).catch((error: unknown) => {
      failure = { error };
      return {};
    }),
  );
  if (failure) throw failure.error;
  return { resources, outputs: engine.programExports };
}

/** What a reviewer wants to see of each resource, one line. Secret values are never included. */
export function summary(r: Recorded): string {
  const i = masked(r);
  const get = (path: string): unknown =>
    path.split(".").reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined), i);
  const parts: string[] = [];
  const add = (label: string, v: unknown) => {
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
      parts.push(`${label}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  };
  add("name", get("metadata.name") ?? get("name"));
  add("replicas", get("spec.replicas") ?? get("mode.replicated.replicas"));
  const containers = (get("spec.template.spec.containers") ?? []) as { image?: string; resources?: { limits?: unknown } }[];
  add("image", containers.map((c) => c.image).join(",") || get("image") || get("taskSpec.containerSpec.image"));
  add("limits", containers.map((c) => c.resources?.limits)[0]);
  if (get("memory") !== undefined) add("limits", { memory: `${String(get("memory"))}Mi`, cpus: get("cpus") });
  add("hostNetwork", get("spec.template.spec.hostNetwork") ?? (get("networkMode") === "host" ? true : undefined));
  add("type", get("spec.type"));
  const ports = get("spec.ports") as { port: number; protocol?: string }[] | undefined;
  add(
    "ports",
    ports?.map((p) => `${p.port}/${p.protocol ?? "TCP"}`),
  );
  const data = get("data") ?? get("stringData");
  if (typeof data === "object" && data !== null) add("keys", Object.keys(data));
  if (data === "[secret]") add("data", "[secret]");
  return `${r.type} ${r.name}${parts.length > 0 ? "  " + parts.join(" ") : ""}`;
}

/** Resources as an indented tree under their parents, in registration order. */
export function tree(resources: Recorded[]): string[] {
  const children = new Map<string | undefined, Recorded[]>();
  for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      lines.push(`${"  ".repeat(depth)}${summary(r)}`);
      if (!r.custom) walk(r.name, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}

/** Writes every planned resource (secrets masked) as a YAML stream. */
export function writePreview(resources: Recorded[], dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "resources.yaml");
  writeFileSync(file, resources.map((r) => "---\n" + toYaml({ type: r.type, name: r.name, parent: r.parent, inputs: masked(r) })).join(""));
  return file;
}
