import { sep } from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** One resource the program registered, with its inputs as the engine would receive them. */
export interface Recorded {
  type: string;
  name: string;
  /** Logical name of the parent resource, when the program gave one. */
  parent?: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** Input paths that were marked secret (their values are in `inputs`; mask before showing). */
  secretPaths: string[];
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Strips the engine's secret wrappers, noting where they were. */
function unwrap(v: unknown, path: string, secrets: string[]): unknown {
  if (isRecord(v) && v[SECRET_SIG] !== undefined && "value" in v) {
    secrets.push(path);
    return unwrap(v.value, path, secrets);
  }
  if (Array.isArray(v)) return v.map((x, i) => unwrap(x, `${path}[${i}]`, secrets));
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x, path ? `${path}.${k}` : k, secrets)]));
  return v;
}

/** The same inputs with every secret-marked value replaced by "[secret]". */
export function masked(r: Recorded): Record<string, unknown> {
  const walk = (v: unknown, path: string): unknown => {
    if (r.secretPaths.includes(path)) return "[secret]";
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, path ? `${path}.${k}` : k)]));
    return v;
  };
  return walk(r.inputs, "") as Record<string, unknown>;
}

/**
 * What a Kubernetes object reports back: its identity, with a generated name when none was given.
 * The program reads nothing else from these objects, and echoing the inputs would send a city's
 * camera lists through the SDK's protobuf round trip once more (the response's encoding, its debug
 * string and its decoding, which a profile of bench/cli's 5,000-camera preview showed).
 */
function kubernetesState(name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const meta = isRecord(inputs.metadata) ? inputs.metadata : {};
  return { apiVersion: inputs.apiVersion, kind: inputs.kind, metadata: { ...meta, name: meta.name ?? `${name}-a1b2c3d4` } };
}

/**
 * A mocked Pulumi engine that records every registration. Mocks do no auto-naming and compute no
 * provider outputs, so this fills in what the real providers would: a generated name for unnamed
 * Kubernetes objects and a deterministic `result` for random resources (marked as such).
 */
export class RecordingEngine {
  public readonly resources: Recorded[] = [];
  /** What the program module exported (its stack outputs), once `run` has returned. */
  public programExports: Record<string, unknown> = {};
  private readonly parents = new Map<string, string | undefined>();

  public readonly mocks: pulumi.runtime.Mocks = {
    newResource: (args: pulumi.runtime.MockResourceArgs) => {
      const secretPaths: string[] = [];
      const inputs = unwrap(args.inputs, "", secretPaths) as Record<string, unknown>;
      this.resources.push({
        type: args.type,
        name: args.name,
        parent: this.parents.get(`${args.type}::${args.name}`),
        custom: args.custom !== false,
        inputs,
        secretPaths,
      });
      const state: Record<string, unknown> = args.type.startsWith("kubernetes:")
        ? kubernetesState(args.name, args.inputs as Record<string, unknown>)
        : { ...(args.inputs as Record<string, unknown>) };
      // Offline there is no registry: the pulled image is named by its tag.
      if (args.type === "docker:index/remoteImage:RemoteImage") state.imageId = inputs.name;
      if (args.type === "random:index/randomPassword:RandomPassword")
        state.result = `generated-${args.name}-0123456789abcdefghijklmnopqrstuv`;
      if (args.type === "random:index/randomString:RandomString")
        state.result = args.name
          .replace(/[^A-Za-z0-9]/g, "")
          .slice(-12)
          .padStart(12, "X");
      return { id: `${args.name}-id`, state };
    },
    call: (args: pulumi.runtime.MockCallArgs) => args.inputs as Record<string, unknown>,
  };

  /** Installs the mocks (project "lkstack", the given stack name). */
  async install(stack: string): Promise<void> {
    await pulumi.runtime.setMocks(this.mocks, "lkstack", stack, false);
  }

  /**
   * Runs a program inside a root stack resource, noting each resource's parent, and waits until
   * every registration (including those that wait on other outputs) has reached the mocks.
   */
  async run(program: () => Promise<unknown>): Promise<Recorded[]> {
    return withoutPromiseStacks(() => this.record(program));
  }

  private async record(program: () => Promise<unknown>): Promise<Recorded[]> {
    const names = new WeakMap<pulumi.Resource, string>();
    await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((args) => {
        names.set(args.resource, args.name);
        const parent = args.opts.parent;
        this.parents.set(`${args.type}::${args.name}`, parent ? names.get(parent) : undefined);
        return undefined;
      });
      const exported = await program();
      if (typeof exported === "object" && exported !== null) this.programExports = { ...(exported as Record<string, unknown>) };
      return exported;
    });
    await settle(() => this.resources.length);
    return this.resources;
  }
}

/**
 * The SDK captures and formats a stack for every promise it tracks, for a leak report a mocked plan
 * never needs: tens of milliseconds per preview in a profile of bench/cli. While the program runs, those stacks
 * come back empty; every other error keeps its stack, in V8's own format.
 */
async function withoutPromiseStacks<T>(run: () => Promise<T>): Promise<T> {
  const before = Error.prepareStackTrace;
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
    frames[0]?.getFileName()?.endsWith(`${sep}debuggable.js`)
      ? ""
      : [String(error), ...frames.map((f) => `    at ${String(f)}`)].join("\n");
  try {
    return await run();
  } finally {
    Error.prepareStackTrace = before;
  }
}

/** Waits until `count` stops changing: registrations that wait on outputs arrive in later ticks. */
async function settle(count: () => number): Promise<void> {
  let last = -1;
  let stable = 0;
  for (let i = 0; i < 400 && stable < 5; i++) {
    await new Promise((r) => setTimeout(r, 10));
    const now = count();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
}
