import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { DEFAULT_PORTS, SECRET_ENV, type StackConfig } from "../../schema";
import { desiredIngresses, type Backoff } from "./plan";
import { livekitIngressApi, reconcileOnce } from "./reconcile";

/**
 * The in-stack reconciler (bundled by esbuild into one file the stack runs on a stock Node image):
 * the validated stack config from a mounted file, the LiveKit URL from env, credentials from a
 * Secret. One pass every LKSTACK_RECONCILE_SECONDS until SIGTERM.
 */
export async function runReconciler(env: NodeJS.ProcessEnv): Promise<void> {
  const need = (name: string): string => {
    const v = env[name];
    if (!v) throw new Error(`${name} is not set`);
    return v;
  };
  const cfg = JSON.parse(readFileSync(env.LKSTACK_STACK_JSON ?? "/etc/lkstack/stack.json", "utf8")) as StackConfig;
  const desired = desiredIngresses(cfg, need(SECRET_ENV.mediamtxReaderPassword));
  const api = livekitIngressApi(need("LIVEKIT_URL"), {
    apiKey: need(SECRET_ENV.apiKey),
    apiSecret: need(SECRET_ENV.apiSecret),
    source: "env",
  });
  const periodMs = Number(env.LKSTACK_RECONCILE_SECONDS ?? 15) * 1000;
  const backoff = new Map<string, Backoff>();
  let stopping = false;
  let lastPass = Date.now();
  // Healthy while passes keep finishing (a hung API call would stop them).
  const health = createServer((_req, res) => {
    const fresh = Date.now() - lastPass < 3 * periodMs + 30_000;
    res.writeHead(fresh ? 200 : 503, { "content-type": "text/plain" });
    res.end(fresh ? "ok" : "stalled");
  }).listen(Number(env.LKSTACK_HEALTH_PORT ?? DEFAULT_PORTS.cameras.health));
  process.once("SIGTERM", () => (stopping = true));
  while (!stopping) {
    const report = await reconcileOnce(api, desired, backoff);
    lastPass = Date.now();
    for (const line of report.lines) process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    await new Promise((r) => setTimeout(r, periodMs));
  }
  health.close();
}

if (require.main === module)
  runReconciler(process.env).catch((e: unknown) => {
    process.stderr.write(`reconciler: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
