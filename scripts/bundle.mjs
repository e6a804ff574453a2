// Bundles with esbuild: the camera-grid page (viewer/app.ts + livekit-client) into dist/viewer/,
// and the camera reconciler (reconciler/runner.ts + livekit-server-sdk) into one file the stack
// runs on a stock Node image, dist/reconciler/reconciler.js.
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

async function bundle(entry, out, options) {
  mkdirSync(dirname(out), { recursive: true });
  await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    minify: true,
    sourcemap: false,
    outfile: out,
    logLevel: "warning",
    ...options,
  });
  return readFileSync(out, "utf8");
}

/** The viewer page's script; returns its text. */
export function buildViewer(out = join(root, "dist", "viewer", "viewer.js")) {
  return bundle("viewer/app.ts", out, { format: "esm", target: "es2020" });
}

/** The reconciler as one CommonJS file for Node 20; returns its text. */
export function buildReconciler(out = join(root, "dist", "reconciler", "reconciler.js")) {
  return bundle("reconciler/runner.ts", out, { format: "cjs", platform: "node", target: "node20" });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildViewer();
  await buildReconciler();
}
