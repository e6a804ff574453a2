// Bundles the camera-grid page (viewer/app.ts + livekit-client) with esbuild into dist/viewer/.
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Builds the bundle into `out` (default dist/viewer/viewer.js) and returns its text. */
export async function buildViewer(out = join(root, "dist", "viewer", "viewer.js")) {
  mkdirSync(dirname(out), { recursive: true });
  await build({
    entryPoints: [join(root, "viewer", "app.ts")],
    bundle: true,
    format: "esm",
    target: "es2020",
    minify: true,
    sourcemap: false,
    outfile: out,
    logLevel: "warning",
  });
  return readFileSync(out, "utf8");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildViewer();
