import { resolve } from "node:path";
import type { Command } from "commander";

/** Where a command writes and what it reads; tests pass their own. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A bad or missing argument: commander prints it with the command's usage and exits 1. */
export class UsageError extends Error {}

/** One `lkstack` command: its block of the usage text and how it joins the program. */
export interface CliCommand {
  /** Its lines of USAGE, each indented as `lkstack --help` prints them. */
  help: string;
  /** Adds the command, its own options and its action to `program`. */
  register: (program: Command, ctx: CommandContext) => void;
}

export interface CommandContext {
  io: Io;
  /** The invocation's exit code (commander discards what an action returns). */
  exit: (code: number) => void;
}

/** The options every command that reads a stack file takes. */
export interface StackOptions {
  stack?: string;
  project?: string;
}

/**
 * Sets `cmd`'s action: runs `run` with the parsed options (a subcommand's include its parent's)
 * and hands its exit code on; a UsageError goes through commander, so it reads like commander's own.
 */
export function action<O>(cmd: Command, ctx: CommandContext, run: (opts: O, args: string[]) => Promise<number>): Command {
  return cmd.action(async () => {
    try {
      // Commander's values are untyped; each command declares what its options give.
      ctx.exit(await run(cmd.optsWithGlobals() as O, cmd.args));
    } catch (e) {
      if (e instanceof UsageError) cmd.error(e.message);
      throw e;
    }
  });
}

/** `--stack STACK` and `--project DIR` (where Pulumi.STACK.yaml is; default: the working directory). */
export function withStack(cmd: Command): Command {
  return cmd.option("--stack <stack>").option("--project <dir>");
}

/** The value of a flag that must be given. */
export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw new UsageError(`${flag} is required`);
  return value;
}

/** The project directory the options name, absolute. */
export function projectDir(opts: StackOptions, io: Io): string {
  return resolve(io.cwd, opts.project ?? ".");
}
