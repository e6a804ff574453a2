import type { Command } from "commander";
import { action, projectDir, required, UsageError, withStack, type CliCommand, type StackOptions } from "../command";

interface ViewerOptions extends StackOptions {
  port?: string;
  url?: string;
}

export const viewer: CliCommand = {
  help: `  viewer --stack STACK [--port 8080] [--url wss://EDGE | ws://SFU:7880]
      serve a camera grid on 127.0.0.1 (livekit-client, adaptive stream, dynacast, per-tile quality
      and stats) with an endpoint that mints viewer-only tokens for camera_<uuid> rooms; the URL
      defaults to LIVEKIT_URL, then lkstack:edge's wss://HOST, then the SFU on 127.0.0.1`,
  register(program: Command, ctx) {
    const cmd = withStack(program.command("viewer")).option("--port <port>").option("--url <url>");
    action<ViewerOptions>(cmd, ctx, async (o) => {
      const { io } = ctx;
      const stack = required(o.stack, "--stack");
      const project = projectDir(o, io);
      const [{ apiCredentials }, { loadStackConfig }, { startViewer }, { signallingUrl }] = await Promise.all([
        import("../credentials"),
        import("../stackFile"),
        import("../viewer"),
        import("../../schema/edge"),
      ]);
      const cfg = loadStackConfig(stack, project);
      const creds = apiCredentials(stack, io.env, project);
      const wsUrl = (o.url ?? io.env.LIVEKIT_URL ?? signallingUrl(cfg) ?? `ws://127.0.0.1:${cfg.sfu.ports.http}`).replace(
        /^http(s?):\/\//,
        "ws$1://",
      );
      const port = o.port === undefined ? 8080 : Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port must be a port number");
      const { url } = await startViewer({ port, wsUrl, creds });
      io.out(`camera grid on ${url} (LiveKit ${wsUrl}, credentials from ${creds.source}); Ctrl-C to stop`);
      // Serves until interrupted.
      return new Promise<never>(() => undefined);
    });
  },
};
