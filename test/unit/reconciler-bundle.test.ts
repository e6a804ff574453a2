import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILT_RECONCILER, bundleReconciler, reconcilerCode } from "../../reconciler/bundle";
import { RECONCILER_ENV } from "../../templates";
import { tempDir } from "../helpers/servers";

// The reconciler ships as one file that a stock Node image runs from a ConfigMap or an upload:
// nothing of this package (nor node_modules) is next to it there.
describe("the reconciler bundle", () => {
  it("is minified, and fits its own ConfigMap (1 MiB) with room to spare", () => {
    const code = bundleReconciler();
    // Minified lines run to thousands of characters; esbuild keeps some newlines (license comments).
    expect(code.length / code.split("\n").length).toBeGreaterThan(1000);
    expect(Buffer.byteLength(code)).toBeLessThan(900 * 1024);
  });

  it("runs alone under plain node and starts the runner, which refuses a directory without cameras", () => {
    const dir = tempDir("reconciler-bundle");
    const file = join(dir, "reconciler.js");
    writeFileSync(file, bundleReconciler());
    const cameras = tempDir("reconciler-bundle-cameras");
    const r = spawnSync(process.execPath, [file], {
      cwd: dir,
      env: { PATH: process.env.PATH, [RECONCILER_ENV.camerasDir]: cameras },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.stderr).toBe(`reconciler: ${cameras} holds no cameras-NNN.json\n`);
    expect(r.status).toBe(1);
  });

  it("what the stack ships is the build's file (npm ci builds it), or else the bundle from source", () => {
    const expected = existsSync(BUILT_RECONCILER) ? readFileSync(BUILT_RECONCILER, "utf8") : bundleReconciler();
    expect(reconcilerCode()).toBe(expected);
  });
});
