import { RecordingEngine } from "../../cli/engine";

/** The SDK's own tracker (internal, so untyped): it puts a captured stack on each promise it wraps. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise: <T>(p: Promise<T>, ctx: string) => Promise<T>;
};

// The CLI's mocked engine (`lkstack preview`): what it records, and what it reports back to the
// program, which reads only a Kubernetes object's name (for Secrets and ConfigMaps it mounts).

const configMap = (metadata: Record<string, unknown>) => ({
  type: "kubernetes:core/v1:ConfigMap",
  name: "cameras",
  custom: true,
  inputs: { apiVersion: "v1", kind: "ConfigMap", metadata, data: { "cameras-000.json": "[]" } },
});

describe("the recording engine", () => {
  it("a Kubernetes object reports back its identity, named as the provider would when the program gave no name", async () => {
    const engine = new RecordingEngine();
    const unnamed = await engine.mocks.newResource(configMap({ namespace: "media" }));
    expect(unnamed).toEqual({
      id: "cameras-id",
      state: { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "media", name: "cameras-a1b2c3d4" } },
    });
    const named = await engine.mocks.newResource(configMap({ name: "lkstack-cameras" }));
    expect(named.state).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "lkstack-cameras" } });
    // What the program sent is recorded whole, for the plan the operator reads.
    expect(engine.resources.map((r) => r.inputs.data)).toEqual([{ "cameras-000.json": "[]" }, { "cameras-000.json": "[]" }]);
  });

  it("other resources report back their inputs, with what their providers compute filled in", async () => {
    const engine = new RecordingEngine();
    const image = await engine.mocks.newResource({
      type: "docker:index/remoteImage:RemoteImage",
      name: "sfu",
      custom: true,
      inputs: { name: "livekit/livekit-server:v1.9.0" },
    });
    expect(image.state).toEqual({ name: "livekit/livekit-server:v1.9.0", imageId: "livekit/livekit-server:v1.9.0" });
    const password = await engine.mocks.newResource({
      type: "random:index/randomPassword:RandomPassword",
      name: "turn",
      custom: true,
      inputs: { length: 48 },
    });
    expect(password.state).toEqual({ length: 48, result: "generated-turn-0123456789abcdefghijklmnopqrstuv" });
  });

  it("while the program runs, its own errors keep their stacks; the SDK's promise stacks are dropped; afterwards nothing is changed", async () => {
    const before = Error.prepareStackTrace;
    const engine = new RecordingEngine();
    await engine.install("unit");
    let stack = "";
    let sdkStack: string | undefined = "not read";
    await engine.run(async () => {
      stack = new Error("from the program").stack ?? "";
      const tracked: Promise<number> & { _debugStackTrace?: string } = Promise.resolve(1);
      await debuggablePromise(tracked, "unit");
      sdkStack = tracked._debugStackTrace;
      return {};
    });
    expect(stack.split("\n")[0]).toBe("Error: from the program");
    expect(stack.split("\n")[1]).toMatch(/^ {4}at .*recording-engine\.test\.ts:\d+:\d+\)?$/);
    expect(sdkStack).toBe("");
    expect(Error.prepareStackTrace).toBe(before);
  });
});
