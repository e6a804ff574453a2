import type { Command } from "commander";
import { action, projectDir, required, UsageError, withStack, type CliCommand, type StackOptions } from "../command";

interface ReconcileOptions extends StackOptions {
  url?: string;
  watch?: boolean;
  interval?: string;
  mediamtxUrl?: string;
  ingressRtmpUrl?: string;
}

export const cameras: CliCommand = {
  help: `  cameras reconcile --stack STACK --url URL [--watch] [--interval 15s] [--mediamtx-url URL]
                    [--ingress-rtmp-url rtmp://HOST:1935]
      make the server's RTMP ingresses match lkstack:cameras (create missing, delete unlisted,
      re-create drifted, with backoff) and point each camera's MediaMTX path at its ingress.
      MediaMTX API and Ingress RTMP default to the stack's in-cluster addresses (env
      MEDIAMTX_API_URL, LKSTACK_INGRESS_RTMP_URL); MEDIAMTX_API_PASSWORD from env or the stack output`,
  register(program: Command, ctx) {
    // --stack may come before or after the action (cameras --stack s reconcile); reconcile reads both.
    const parent = withStack(program.command("cameras")).argument("[action]");
    action<StackOptions>(parent, ctx, async () => {
      throw new UsageError(`cameras needs "reconcile"`);
    });
    const cmd = parent
      .command("reconcile")
      .option("--url <url>")
      .option("--watch")
      .option("--interval <duration>")
      .option("--mediamtx-url <url>")
      .option("--ingress-rtmp-url <url>");
    action<ReconcileOptions>(cmd, ctx, async (o) => {
      const [{ camerasReconcile, CamerasUsageError }, { parseTtl }] = await Promise.all([import("../cameras"), import("../token")]);
      const options = {
        stack: required(o.stack, "--stack"),
        project: projectDir(o, ctx.io),
        url: o.url,
        mediamtxUrl: o.mediamtxUrl,
        ingressRtmpUrl: o.ingressRtmpUrl,
        watch: o.watch === true,
        intervalMs: o.interval === undefined ? 15_000 : parseTtl(o.interval, "--interval") * 1000,
      };
      try {
        return await camerasReconcile(options, ctx.io.env, ctx.io.out);
      } catch (e) {
        throw e instanceof CamerasUsageError ? new UsageError(e.message) : e;
      }
    });
  },
};
