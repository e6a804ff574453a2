import * as pulumi from "@pulumi/pulumi";

/** One resource the program registered, with its inputs as the engine would receive them. */
export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Input paths that were marked secret. */
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

/**
 * Pulumi mocks that record every resource. Mocks do no auto-naming and compute no provider
 * outputs, so this fills in what the real providers would: a generated name for unnamed
 * Kubernetes objects and a deterministic `result` for random resources.
 */
export function recordingMocks(): { resources: Recorded[]; install: () => Promise<void> } {
  const resources: Recorded[] = [];
  const mocks: pulumi.runtime.Mocks = {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      const secretPaths: string[] = [];
      const inputs = unwrap(args.inputs, "", secretPaths) as Record<string, unknown>;
      resources.push({ type: args.type, name: args.name, inputs, secretPaths });
      const state: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>) };
      if (args.type.startsWith("kubernetes:")) {
        const meta = isRecord(inputs.metadata) ? inputs.metadata : {};
        state.metadata = { ...meta, name: meta.name ?? `${args.name}-a1b2c3d4` };
      }
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
  return { resources, install: () => pulumi.runtime.setMocks(mocks, "lkstack", "test", false) };
}

/** Resolves once every given output has a value (mocked registrations are asynchronous). */
export function settled(...outputs: pulumi.Input<unknown>[]): Promise<void> {
  return new Promise((resolve) => pulumi.all(outputs).apply(() => resolve()));
}

export function ofType(resources: Recorded[], type: string): Recorded[] {
  return resources.filter((r) => r.type === type);
}

export function get(o: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (isRecord(v) ? v[k] : Array.isArray(v) ? v[Number(k)] : undefined), o);
}
