import type { Command } from "commander";
import { action, projectDir, required, UsageError, withStack, type CliCommand, type Io, type StackOptions } from "../command";

interface RoomsOptions extends StackOptions {
  url?: string;
  room?: string;
}

/** The server and key pair every rooms action talks to. */
async function target(o: RoomsOptions, io: Io) {
  const stack = required(o.stack, "--stack");
  const url = o.url ?? io.env.LIVEKIT_URL;
  if (!url) throw new UsageError("--url (or env LIVEKIT_URL) is required, e.g. http://<sfu-node>:7880");
  const { apiCredentials } = await import("../credentials");
  return { url, creds: apiCredentials(stack, io.env, projectDir(o, io)) };
}

export const rooms: CliCommand = {
  help: `  rooms list --stack STACK [--url URL]
  rooms delete --stack STACK --room NAME [--url URL]
      the seed's ListRooms troubleshooting step (URL from --url or env LIVEKIT_URL)`,
  register(program: Command, ctx) {
    // --stack and --url may come before or after the action (rooms --stack s list); the actions read both.
    const parent = withStack(program.command("rooms")).option("--url <url>").argument("[action]");
    action<RoomsOptions>(parent, ctx, async (_, [name]) => {
      throw new UsageError(`rooms needs "list" or "delete", got ${name === undefined ? "nothing" : `"${name}"`}`);
    });
    action<RoomsOptions>(parent.command("list"), ctx, async (o) => {
      const { url, creds } = await target(o, ctx.io);
      const { listRooms } = await import("../rooms");
      for (const line of await listRooms(url, creds)) ctx.io.out(line);
      return 0;
    });
    action<RoomsOptions>(parent.command("delete").option("--room <name>"), ctx, async (o) => {
      const { url, creds } = await target(o, ctx.io);
      const { deleteRoom } = await import("../rooms");
      const room = required(o.room, "--room");
      await deleteRoom(url, creds, room);
      ctx.io.out(`deleted room ${room}`);
      return 0;
    });
  },
};
