// One Pulumi operation through the real engine, run in a child process of its own (see
// test/helpers/pulumiEngine.ts): the inline program `require`s the built dist/index.js, whose top
// level registers the resources, so each run needs a fresh module registry, and jest's is not one.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, type ConfigMap, type EngineEvent } from "@pulumi/pulumi/automation";

export type EngineOp = "preview" | "up" | "destroy";

export interface EngineRequest {
  op: EngineOp;
  /** The repository root (its dist/ is the program). */
  repo: string;
  /** Where the workspace's Pulumi.yaml and Pulumi.<stack>.yaml are written. */
  workDir: string;
  /** A directory holding bin/pulumi. */
  pulumiRoot: string;
  stack: string;
  config: ConfigMap;
  env: Record<string, string>;
  /**
   * Annotate every Kubernetes object `pulumi.com/skipAwait: "true"`: no kubelet runs, so no
   * Deployment would ever become ready and the provider would wait out its timeout.
   */
  skipAwait: boolean;
}

export interface EngineStep {
  op: string;
  urn: string;
  type: string;
  diffs: string[];
}

export interface EngineResult {
  ok: boolean;
  error?: string;
  /** Counts per operation, as the engine reports them. */
  changes: Record<string, number>;
  /** Every resource step (including "same"). */
  steps: EngineStep[];
  /** Warnings and errors the engine, the program and the providers printed. */
  diagnostics: { severity: string; message: string; urn?: string }[];
  outputs: string[];
}

const SKIP_AWAIT = "pulumi.com/skipAwait";

function record(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

async function main(): Promise<void> {
  const [requestPath, resultPath] = process.argv.slice(2);
  const req = JSON.parse(readFileSync(requestPath, "utf8")) as EngineRequest;
  const result: EngineResult = { ok: false, changes: {}, steps: [], diagnostics: [], outputs: [] };
  try {
    const program = async (): Promise<Record<string, unknown>> => {
      if (req.skipAwait)
        pulumi.runtime.registerResourceTransform((args) => {
          if (!args.type.startsWith("kubernetes:")) return undefined;
          // The metadata may hold outputs (computed names); lift it before adding the annotation.
          const metadata = pulumi.output(args.props.metadata).apply((m) => {
            const known = record(m);
            return { ...known, annotations: { ...record(known.annotations), [SKIP_AWAIT]: "true" } };
          });
          return { props: { ...args.props, metadata }, opts: args.opts };
        });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(join(req.repo, "dist", "index.js")) as Record<string, unknown>;
    };
    const pulumiCommand = await PulumiCommand.get({ root: req.pulumiRoot });
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: req.stack, projectName: "lkstack", program },
      { workDir: req.workDir, pulumiCommand, envVars: req.env, secretsProvider: "passphrase" },
    );
    // The stack file keeps what an earlier run set: drop keys this request does not give.
    const stale = Object.keys(await stack.getAllConfig()).filter((k) => !(k in req.config));
    if (stale.length > 0) await stack.removeAllConfig(stale);
    await stack.setAllConfig(req.config);
    const onEvent = (e: EngineEvent) => {
      const m = e.resourcePreEvent?.metadata;
      if (m) result.steps.push({ op: m.op, urn: m.urn, type: m.type, diffs: m.diffs ?? [] });
      const d = e.diagnosticEvent;
      if (d && (d.severity === "warning" || d.severity === "error"))
        result.diagnostics.push({ severity: d.severity, message: d.message, urn: d.urn });
    };
    if (req.op === "preview") {
      const r = await stack.preview({ onEvent });
      result.changes = { ...r.changeSummary };
    } else if (req.op === "up") {
      const r = await stack.up({ onEvent });
      result.changes = { ...(r.summary.resourceChanges ?? {}) };
      result.outputs = Object.keys(r.outputs);
    } else {
      const r = await stack.destroy({ onEvent });
      result.changes = { ...(r.summary.resourceChanges ?? {}) };
    }
    result.ok = true;
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
  }
  writeFileSync(resultPath, JSON.stringify(result));
}

void main();
