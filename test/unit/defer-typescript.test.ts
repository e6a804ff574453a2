import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { tempDir } from "../helpers/servers";

const ROOT = join(__dirname, "..", "..");

/**
 * Runs `script` in a plain node process (jest's module registry has no `require.cache` to seed)
 * after cli/deferTypescript.ts, transpiled as it ships; returns what the script printed as JSON.
 */
function afterDefer(script: string): unknown {
  const dir = tempDir("defer-typescript");
  const module = join(dir, "deferTypescript.js");
  writeFileSync(module, transformSync(readFileSync(join(ROOT, "cli", "deferTypescript.ts"), "utf8"), { loader: "ts", format: "cjs" }).code);
  const r = spawnSync(process.execPath, ["-r", module, "-e", script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_PATH: join(ROOT, "node_modules") },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

/** Whether a TypeScript compiler (node_modules/typescript/lib/typescript.js, or the SDK's vendored copy) is loaded. */
const TYPESCRIPT_LOADED = `Object.keys(require.cache).some((f) => /[\\\\/]typescript(@[^\\\\/]+)?[\\\\/](lib[\\\\/])?typescript\\.js$/.test(f))`;

describe("cli/deferTypescript: the Pulumi SDK without its eager TypeScript load", () => {
  it("loading the SDK no longer loads the TypeScript compiler", () => {
    expect(afterDefer(`require("@pulumi/pulumi"); console.log(JSON.stringify(${TYPESCRIPT_LOADED}))`)).toBe(false);
  });

  it("without it, the SDK does load the compiler (what the module saves)", () => {
    const r = spawnSync(process.execPath, ["-e", `require("@pulumi/pulumi"); console.log(JSON.stringify(${TYPESCRIPT_LOADED}))`], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(JSON.parse(r.stdout)).toBe(true);
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
});
