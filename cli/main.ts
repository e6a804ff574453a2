import { Command, CommanderError } from "commander";
// Module paths, not the schema index: a command that needs no config never loads zod.
import { ConfigError } from "../schema/errors";
import type { CliCommand, Io } from "./command";
import { backup } from "./commands/backup";
import { cameras } from "./commands/cameras";
import { capacity } from "./commands/capacity";
import { doctor } from "./commands/doctor";
import { preview } from "./commands/preview";
import { render } from "./commands/render";
import { rooms } from "./commands/rooms";
import { token } from "./commands/token";
import { viewer } from "./commands/viewer";

export type { Io } from "./command";

/** Every command, in the order `lkstack --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [render, backup, token, preview, capacity, doctor, viewer, cameras, rooms];

export const USAGE = `usage: lkstack <command> [options]
(every command that takes --stack also takes --project DIR: where Pulumi.STACK.yaml is, default .)

commands:
${COMMANDS.map((c) => c.help).join("\n")}
`;

/** A command's name: the first word of its help block. */
const nameOf = (c: CliCommand): string => c.help.trimStart().split(" ")[0];

/** What `--help` prints for `cmd`: the whole USAGE for lkstack itself, else its command's block. */
function helpFor(cmd: Command): string {
  let top = cmd;
  while (top.parent?.parent) top = top.parent;
  const mine = top.parent ? COMMANDS.find((c) => nameOf(c) === top.name()) : undefined;
  return mine ? `usage: lkstack ${mine.help.trimStart()}\n` : USAGE;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s + "\n"),
  err: (s) => process.stderr.write(s + "\n"),
  env: process.env,
  cwd: process.cwd(),
};

/** The program for one invocation: commander's output collected into `written`, its exits thrown. */
function program(io: Io, written: { out: string; err: string }, exit: (code: number) => void): Command {
  const lkstack = new Command("lkstack")
    .exitOverride()
    .helpCommand(false)
    .showHelpAfterError()
    .configureHelp({ formatHelp: helpFor })
    .configureOutput({ writeOut: (s) => void (written.out += s), writeErr: (s) => void (written.err += s) });
  for (const c of COMMANDS) c.register(lkstack, { io, exit });
  return lkstack;
}

/**
 * An error a command reports in one line (exit 1), without a stack trace: a config error as the
 * validator worded it (it names the key), anything else (credentials, output, network) as `error: ...`.
 */
function oneLine(e: unknown): string | undefined {
  if (e instanceof ConfigError) return e.message;
  return e instanceof Error ? `error: ${e.message}` : undefined;
}

/** Runs one CLI invocation; returns the exit code (1: bad config or arguments). */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  if (argv.length === 0) {
    io.out(USAGE);
    return 1;
  }
  // `lkstack help TOPIC` is `lkstack TOPIC --help`; no topic, or an unknown one, gets the whole usage.
  if (argv[0] === "help") {
    const topic = COMMANDS.find((c) => nameOf(c) === argv[1]);
    if (!topic) {
      io.out(USAGE);
      return 0;
    }
    argv = [argv[1], "--help"];
  }
  const written = { out: "", err: "" };
  let code = 0;
  try {
    await program(io, written, (c) => (code = c)).parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    // Commander has printed its message (and the usage) already; help exits 0, a usage error 1.
    if (e instanceof CommanderError) return e.exitCode;
    const line = oneLine(e);
    if (line === undefined) throw e;
    io.err(line);
    return 1;
  } finally {
    if (written.out) io.out(written.out.replace(/\n$/, ""));
    if (written.err) io.err(written.err.replace(/\n$/, ""));
  }
}
