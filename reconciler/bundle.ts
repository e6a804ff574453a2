import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The package root, from the sources (reconciler/) or the build (dist/reconciler/). */
const ROOT = existsSync(join(__dirname, "..", "package.json")) ? join(__dirname, "..") : join(__dirname, "..", "..");

let cached: string | undefined;

/** The camera reconciler bundled from its sources: one minified CommonJS file for Node 20. */
export function bundleReconciler(): string {
  // Loaded only here: a built package reads dist/reconciler/reconciler.js and never bundles.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildSync } = require("esbuild") as typeof import("esbuild");
  const out = buildSync({
    entryPoints: [join(ROOT, "reconciler", "runner.ts")],
    bundle: true,
    minify: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    logLevel: "warning",
  });
  return out.outputFiles[0].text;
}

/** Where `npm run build` writes the bundle. */
export const BUILT_RECONCILER = join(ROOT, "dist", "reconciler", "reconciler.js");

/**
 * The camera reconciler as one JavaScript file (no lkstack image is published: the stack runs it
 * on a stock Node image from a ConfigMap or an upload). `npm run build` writes it; a source
 * checkout without a build bundles it here.
 */
export function reconcilerCode(): string {
  cached ??= existsSync(BUILT_RECONCILER) ? readFileSync(BUILT_RECONCILER, "utf8") : bundleReconciler();
  return cached;
}
