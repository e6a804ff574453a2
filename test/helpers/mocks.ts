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
