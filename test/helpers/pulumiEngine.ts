import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { buildSync } from "esbuild";
import { parse } from "yaml";
import type { EngineOp, EngineRequest, EngineResult } from "./engineRunner";
import { BINARIES, run, tempDir } from "./servers";

export const REPO = resolve(__dirname, "..", "..");

/**
 * The real Pulumi engine with no Pulumi Cloud: a file backend in a temp dir, a passphrase secrets
 * provider, the CLI and the kubernetes provider from the cache on PATH (the engine takes a
 * `pulumi-resource-<name>` on PATH whatever version the SDK asks for), plugin downloads off.
 */
export interface Engine {
  /** The file backend's directory (its state files are what `pulumi login file://…` writes). */
  backend: string;
  run: (op: EngineOp, stack: string, config: ConfigMap, opts?: EngineRunOptions) => Promise<EngineResult>;
  /** `pulumi stack export` (secrets stay encrypted). */
  exportState: (stack: string) => Promise<StateResource[]>;
}

export type EngineRunOptions = Partial<Pick<EngineRequest, "skipAwait" | "policyPacks" | "dropLimitsOf">>;

export interface StateResource {
  urn: string;
  type: string;
  outputs?: Record<string, unknown>;
}

const OP_TIMEOUT_MS = 10 * 60_000;

export function prepareEngine(env: Record<string, string>): Engine {
  const dir = tempDir("engine");
  const backend = join(dir, "backend");
  const bin = join(dir, "root", "bin");
  for (const d of [backend, bin, join(dir, "home"), join(dir, "work")]) mkdirSync(d, { recursive: true });
  symlinkSync(BINARIES.pulumi, join(bin, "pulumi"));
  symlinkSync(BINARIES.pulumiKubernetes, join(bin, "pulumi-resource-kubernetes"));
  const runner = join(dir, "runner.js");
  buildSync({
    entryPoints: [join(__dirname, "engineRunner.ts")],
    outfile: runner,
    platform: "node",
    format: "cjs",
    target: "node20",
    logLevel: "error",
  });
  const cliEnv: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    PULUMI_HOME: join(dir, "home"),
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: randomBytes(18).toString("hex"),
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    ...env,
  };
  let seq = 0;
  return {
    backend,
    run: async (op, stack, config, opts = {}) => {
      seq += 1;
      const request: EngineRequest = {
        op,
        repo: REPO,
        workDir: join(dir, "work"),
        pulumiRoot: join(dir, "root"),
        stack,
        config,
        env: cliEnv,
        skipAwait: opts.skipAwait ?? true,
        policyPacks: opts.policyPacks,
        dropLimitsOf: opts.dropLimitsOf,
      };
      const reqPath = join(dir, `request-${seq}.json`);
      const resPath = join(dir, `result-${seq}.json`);
      writeFileSync(reqPath, JSON.stringify(request), { mode: 0o600 });
      const r = await run(process.execPath, [runner, reqPath, resPath], OP_TIMEOUT_MS, {
        env: { ...process.env, ...cliEnv, NODE_PATH: join(REPO, "node_modules") },
      });
      try {
        return JSON.parse(readFileSync(resPath, "utf8")) as EngineResult;
      } catch {
        throw new Error(`pulumi ${op} wrote no result (exit ${r.code}):\n${r.output.slice(-4000)}`);
      }
    },
    exportState: async (stack) => {
      seq += 1;
      const file = join(dir, `state-${seq}.json`);
      const r = await run(BINARIES.pulumi, ["stack", "export", "--stack", stack, "--file", file], 60_000, {
        cwd: join(dir, "work"),
        env: { ...process.env, ...cliEnv },
      });
      if (r.code !== 0) throw new Error(`pulumi stack export failed:\n${r.output}`);
      const doc = JSON.parse(readFileSync(file, "utf8")) as { deployment: { resources?: StateResource[] } };
      return doc.deployment.resources ?? [];
    },
  };
}

/** A stack file's `config:` as Automation API config: structured values as JSON strings. */
export function stackFileConfig(stack: string): ConfigMap {
  const doc = parse(readFileSync(join(REPO, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(doc.config).map(([k, v]) => [k, { value: typeof v === "string" ? v : JSON.stringify(v), secret: false }]),
  );
}

/**
 * The policy pack (policy/) as an analyzer executable. The engine launches a `--policy-pack` path
 * that is an executable file directly, as it launches a provider, so no Node.js language host is
 * needed (none can be had here): the script starts the bundled pack, whose `PolicyPack` serves the
 * analyzer and prints its port. The pack reads its version from the package.json of its cwd.
 */
export function policyPackExecutable(): string {
  const dir = tempDir("policy-pack");
  buildSync({
    entryPoints: [join(REPO, "policy", "index.ts")],
    outfile: join(dir, "pack.js"),
    bundle: true,
    packages: "external",
    platform: "node",
    format: "cjs",
    target: "node20",
    logLevel: "error",
  });
  copyFileSync(join(REPO, "policy", "package.json"), join(dir, "package.json"));
  copyFileSync(join(REPO, "policy", "PulumiPolicy.yaml"), join(dir, "PulumiPolicy.yaml"));
  const exe = join(dir, "lkstack-policy");
  const script = `#!/bin/sh\ncd "$(dirname "$0")" && NODE_PATH='${join(REPO, "node_modules")}' exec '${process.execPath}' pack.js "$@"\n`;
  writeFileSync(exe, script, { mode: 0o755 });
  return exe;
}
