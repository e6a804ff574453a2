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
  /** Analyzer executables to run as policy packs (`--policy-pack`); preview only. */
  policyPacks?: string[];
  /**
   * A Deployment (by resource name) whose containers lose `resources.limits`: the deliberate
   * violation that shows the policy pack refusing a preview under the real engine.
   */
  dropLimitsOf?: string;
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
  /** Every policy event: which policy, at what level, on which resource. */
  policies: { policyName: string; enforcementLevel: string; message: string; urn?: string }[];
}

const SKIP_AWAIT = "pulumi.com/skipAwait";

function record(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A workload spec whose pod template's containers carry no `resources.limits`. */
function withoutLimits(spec: Record<string, unknown>): Record<string, unknown> {
  const template = record(spec.template);
  const pod = record(template.spec);
  const containers = Array.isArray(pod.containers) ? pod.containers.map(record) : [];
  const stripped = containers.map((c) => ({ ...c, resources: { ...record(c.resources), limits: undefined } }));
  return { ...spec, template: { ...template, spec: { ...pod, containers: stripped } } };
}

async function main(): Promise<void> {
  const [requestPath, resultPath] = process.argv.slice(2);
  const req = JSON.parse(readFileSync(requestPath, "utf8")) as EngineRequest;
  const result: EngineResult = { ok: false, changes: {}, steps: [], diagnostics: [], outputs: [], policies: [] };
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
      if (req.dropLimitsOf) {
        const target = req.dropLimitsOf;
        pulumi.runtime.registerResourceTransform((args) => {
          if (args.type !== "kubernetes:apps/v1:Deployment" || args.name !== target) return undefined;
          const spec = pulumi.output(args.props.spec).apply((s) => withoutLimits(record(s)));
          return { props: { ...args.props, spec }, opts: args.opts };
        });
      }
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
      // The provider's property paths when it names them (a server-side-apply diff may not).
      if (m) result.steps.push({ op: m.op, urn: m.urn, type: m.type, diffs: [...(m.diffs ?? []), ...Object.keys(m.detailedDiff ?? {})] });
      const d = e.diagnosticEvent;
      if (d && (d.severity === "warning" || d.severity === "error"))
        result.diagnostics.push({ severity: d.severity, message: d.message, urn: d.urn });
      const p = e.policyEvent;
      if (p)
        result.policies.push({ policyName: p.policyName, enforcementLevel: p.enforcementLevel, message: p.message, urn: p.resourceUrn });
    };
    if (req.op === "preview") {
      const r = await stack.preview({ onEvent, policyPacks: req.policyPacks });
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
