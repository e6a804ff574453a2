import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { tempDir } from "../helpers/servers";

const ROOT = join(__dirname, "..", "..");

/**
 * Runs `script` in a plain node process (jest's module registry has no `require.cache` to seed)
 * after cli/deferSdkModules.ts, transpiled as it ships; returns what the script printed as JSON.
 */
function afterDefer(script: string): unknown {
  const dir = tempDir("defer-typescript");
  const module = join(dir, "deferSdkModules.js");
  writeFileSync(module, transformSync(readFileSync(join(ROOT, "cli", "deferSdkModules.ts"), "utf8"), { loader: "ts", format: "cjs" }).code);
  const r = spawnSync(process.execPath, ["-r", module, "-e", script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_PATH: join(ROOT, "node_modules") },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

/** The same in a plain node process, without the module: what the SDK does on its own. */
function withoutDefer(script: string): unknown {
  const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

/** Whether a TypeScript compiler (node_modules/typescript/lib/typescript.js, or the SDK's vendored copy) is loaded. */
const TYPESCRIPT_LOADED = `Object.keys(require.cache).some((f) => /[\\\\/]typescript(@[^\\\\/]+)?[\\\\/](lib[\\\\/])?typescript\\.js$/.test(f))`;

describe("cli/deferSdkModules: the Pulumi SDK without its eager TypeScript, Automation API and gRPC loads", () => {
  it("loading the SDK no longer loads the TypeScript compiler", () => {
    expect(afterDefer(`require("@pulumi/pulumi"); console.log(JSON.stringify(${TYPESCRIPT_LOADED}))`)).toBe(false);
  });

  it("without it, the SDK does load the compiler (what the module saves)", () => {
    expect(withoutDefer(`require("@pulumi/pulumi"); console.log(JSON.stringify(${TYPESCRIPT_LOADED}))`)).toBe(true);
  });

  it("the SDK's shim is the real compiler on first use", () => {
    const script = `
      const shim = require("@pulumi/pulumi/typescript-shim");
      const before = ${TYPESCRIPT_LOADED};
      const out = { before, version: shim.version, createSourceFile: typeof shim.createSourceFile, has: "SyntaxKind" in shim };
      console.log(JSON.stringify({ ...out, after: ${TYPESCRIPT_LOADED}, same: shim.version === require("typescript").version }));`;
    expect(afterDefer(script)).toEqual({
      before: false,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      createSourceFile: "function",
      has: true,
      after: true,
      same: true,
    });
  });

  it("the SDK's closure serialization, which parses with the compiler, still works", () => {
    const script = `
      require("@pulumi/pulumi").runtime.serializeFunction(() => 6 * 7).then((f) => {
        console.log(JSON.stringify({ exported: f.exportName, text: /6 \\* 7/.test(f.text) }));
      });`;
    expect(afterDefer(script)).toEqual({ exported: "handler", text: true });
  });

  /** Whether the Automation API's own modules are loaded. */
  const AUTOMATION_LOADED = `Object.keys(require.cache).some((f) => /[\\\\/]@pulumi[\\\\/]pulumi[\\\\/]automation[\\\\/]localWorkspace\\.js$/.test(f))`;

  it("loading the SDK no longer loads the Automation API, which the SDK did load", () => {
    expect(afterDefer(`require("@pulumi/pulumi"); console.log(JSON.stringify(${AUTOMATION_LOADED}))`)).toBe(false);
    expect(withoutDefer(`require("@pulumi/pulumi"); console.log(JSON.stringify(${AUTOMATION_LOADED}))`)).toBe(true);
  });

  it("the SDK's Automation API is the real one on first use", () => {
    const script = `
      const pulumi = require("@pulumi/pulumi");
      const before = ${AUTOMATION_LOADED};
      const { LocalWorkspace, Stack } = pulumi.automation;
      const real = require("@pulumi/pulumi/automation");
      console.log(JSON.stringify({
        before,
        after: ${AUTOMATION_LOADED},
        workspace: typeof LocalWorkspace.create,
        stack: typeof Stack,
        same: LocalWorkspace === real.LocalWorkspace,
        keys: Object.keys(pulumi.automation).includes("LocalWorkspace"),
      }));`;
    expect(afterDefer(script)).toEqual({ before: false, after: true, workspace: "function", stack: "function", same: true, keys: true });
  });

  /** Whether gRPC's own code (its channel, past the package index) is loaded. */
  const GRPC_LOADED = `Object.keys(require.cache).some((f) => /[\\\\/]@grpc[\\\\/]grpc-js[\\\\/]build[\\\\/]src[\\\\/]channel\\.js$/.test(f))`;

  it("loading the SDK and running a mocked program no longer loads gRPC, which the SDK did load", () => {
    const script = `
      const pulumi = require("@pulumi/pulumi");
      pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, "p", "s", false).then(() =>
        pulumi.runtime.runInPulumiStack(async () => { new pulumi.CustomResource("test:index:Thing", "thing", { size: 3 }); return {}; })
      ).then(() => console.log(JSON.stringify(${GRPC_LOADED})));`;
    expect(afterDefer(script)).toBe(false);
    expect(withoutDefer(`require("@pulumi/pulumi"); console.log(JSON.stringify(${GRPC_LOADED}))`)).toBe(true);
  });

  it("gRPC and the engine's service stubs are the real ones on first use", () => {
    const script = `
      const stubs = require("@pulumi/pulumi/proto/resource_grpc_pb.js");
      const before = ${GRPC_LOADED};
      const grpc = require("@grpc/grpc-js");
      console.log(JSON.stringify({
        before,
        client: typeof stubs.ResourceMonitorClient,
        unavailable: grpc.status.UNAVAILABLE,
        server: typeof grpc.Server,
        after: ${GRPC_LOADED},
      }));`;
    expect(afterDefer(script)).toEqual({ before: false, client: "function", unavailable: 14, server: "function", after: true });
  });

  /** Whether the package-data normalizer closure packaging uses is loaded. */
  const PACKAGE_TOOLS_LOADED = `Object.keys(require.cache).some((f) => /[\\\\/]normalize-package-data[\\\\/]/.test(f))`;

  it("loading the SDK no longer loads closure packaging's package tools, which the SDK did load", () => {
    expect(afterDefer(`require("@pulumi/pulumi"); console.log(JSON.stringify(${PACKAGE_TOOLS_LOADED}))`)).toBe(false);
    expect(withoutDefer(`require("@pulumi/pulumi"); console.log(JSON.stringify(${PACKAGE_TOOLS_LOADED}))`)).toBe(true);
  });

  /**
   * Whether the SDK's function serialization and provider server are loaded: their own helpers
   * (the stand-ins sit in the cache under the modules' own paths).
   */
  const CLOSURE_LOADED = `Object.keys(require.cache).some((f) => /[\\\\/]closure[\\\\/]createClosure\\.js$/.test(f))`;
  const SERVER_LOADED = `Object.keys(require.cache).some((f) => /[\\\\/]provider[\\\\/]internals\\.js$/.test(f))`;

  it("loading the SDK no longer loads function serialization or the provider server, which the SDK did load", () => {
    const loaded = `require("@pulumi/pulumi"); console.log(JSON.stringify([${CLOSURE_LOADED}, ${SERVER_LOADED}]))`;
    expect(afterDefer(loaded)).toEqual([false, false]);
    expect(withoutDefer(loaded)).toEqual([true, true]);
  });

  it("the provider server's functions are listed as before and are the real ones when called", () => {
    const script = `
      const { provider } = require("@pulumi/pulumi");
      const names = ["containsOutputs", "deserializeInputs", "main"].filter((n) => typeof provider[n] === "function");
      const before = ${SERVER_LOADED};
      const plain = provider.containsOutputs({ a: 1 });
      console.log(JSON.stringify({ names, before, plain, after: ${SERVER_LOADED} }));`;
    expect(afterDefer(script)).toEqual({
      names: ["containsOutputs", "deserializeInputs", "main"],
      before: false,
      plain: false,
      after: true,
    });
  });

  it("the SDK's code-path search is the real one when called", () => {
    const script = `
      const pulumi = require("@pulumi/pulumi");
      const before = ${PACKAGE_TOOLS_LOADED};
      pulumi.runtime.computeCodePaths().then((paths) => {
        const real = require("@pulumi/pulumi/runtime/closure/codePaths");
        console.log(JSON.stringify({
          before,
          after: ${PACKAGE_TOOLS_LOADED},
          map: paths instanceof Map,
          zod: paths.has("node_modules/zod"),
          archive: real.packageArchivePath("a/node_modules/b", "c"),
        }));
      });`;
    expect(afterDefer(script)).toEqual({ before: false, after: true, map: true, zod: true, archive: expect.any(String) });
  });
});
