import * as pulumi from "@pulumi/pulumi";
import { RecordingEngine, type Recorded } from "../../cli/engine";

export type { Recorded };

/** The CLI's recording engine, installed for a test file (mocks must be set before programs load). */
export function recordingMocks(): { resources: Recorded[]; install: () => Promise<void>; engine: RecordingEngine } {
  const engine = new RecordingEngine();
  return { engine, resources: engine.resources, install: () => engine.install("test") };
}

/** Resolves once every given output has a value (mocked registrations are asynchronous). */
export function settled(...outputs: pulumi.Input<unknown>[]): Promise<void> {
  return new Promise((resolve) => pulumi.all(outputs).apply(() => resolve()));
}

export function ofType(resources: Recorded[], type: string): Recorded[] {
  return resources.filter((r) => r.type === type);
}

export function get(o: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined), o);
}

/**
 * `beforeAll`, except under `npm run mutate` (LKSTACK_MUTATION=1, set by test/mutation/setup.cjs),
 * where it is `beforeEach`: Stryker credits a test only with the code run inside it or its
 * beforeEach, so a deploy in a beforeAll would leave its block's assertions uncounted and every
 * mutant they catch reported as surviving.
 */
export const beforeBlock: (fn: () => Promise<void>) => void = process.env.LKSTACK_MUTATION === "1" ? beforeEach : beforeAll;
