import type { Command } from "commander";
import { action, projectDir, required, withStack, type CliCommand, type StackOptions } from "../command";

interface TokenOptions extends StackOptions {
  room?: string;
  identity?: string;
  publish?: boolean;
  ttl?: string;
  anyRoom?: boolean;
}

export const token: CliCommand = {
  help: `  token --stack STACK --room camera_<uuid> --identity NAME [--publish] [--ttl 1h] [--any-room]
      print a room-scoped JWT: subscribe-only unless --publish (then publish-only), 1 h by default;
      API key and secret from env LIVEKIT_API_KEY/LIVEKIT_API_SECRET or the stack's outputs`,
  register(program: Command, ctx) {
    const cmd = withStack(program.command("token"))
      .option("--room <room>")
      .option("--identity <name>")
      .option("--publish")
      .option("--ttl <duration>")
      .option("--any-room");
    action<TokenOptions>(cmd, ctx, async (o) => {
      const stack = required(o.stack, "--stack");
      const [{ apiCredentials }, { DEFAULT_TTL_SECONDS, mintToken, parseTtl }] = await Promise.all([
        import("../credentials"),
        import("../token"),
      ]);
      const creds = apiCredentials(stack, ctx.io.env, projectDir(o, ctx.io));
      const jwt = await mintToken({
        ...creds,
        room: required(o.room, "--room"),
        identity: required(o.identity, "--identity"),
        publish: o.publish === true,
        ttlSeconds: o.ttl === undefined ? DEFAULT_TTL_SECONDS : parseTtl(o.ttl),
        anyRoom: o.anyRoom === true,
      });
      ctx.io.out(jwt);
      return 0;
    });
  },
};
