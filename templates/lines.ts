import { forbiddenChar, utf8Length } from "../schema/text";

/**
 * The one writer per line-based format. Each refuses what its reader would split, strip or
 * truncate, so a value can only ever be one value of one directive. The schema refuses such values
 * first, with their `lkstack:` path; these checks are the last guard and name the directive.
 */

/**
 * coturn 4.6.1 `read_config_file` (src/apps/relay/mainrelay.c): `char sbuf[1025]` read with
 * `fgets(sbuf, sizeof(sbuf) - 1, f)`, i.e. at most 1023 bytes per call, newline included. A longer
 * line is cut and its tail parsed as a directive of its own; 1022 bytes + '\n' is one piece.
 */
export const COTURN_MAX_LINE_BYTES = 1022;

/**
 * Docker's `--env-file` reader (opts/envfile.go) scans with bufio.Scanner's default 64 KiB token
 * limit; a longer line fails the run. (Valkey reads its whole file with sdscat: no line limit.)
 */
export const ENV_MAX_LINE_BYTES = 65535;

export class UnsafeLineError extends Error {
  constructor(file: string, directive: string, why: string) {
    super(`refusing to render ${file}: ${directive} ${why}`);
    this.name = "UnsafeLineError";
  }
}

function refuseControl(file: string, directive: string, value: string): void {
  const ch = forbiddenChar(value);
  if (ch) throw new UnsafeLineError(file, directive, `holds the control character ${ch}`);
}

export type CoturnEntry = readonly [string, string | number | true];

/**
 * `name=value` lines for turnserver.conf; `true` renders a bare flag. coturn's parse_arg_string
 * skips blanks and '=' after the name, drops a leading '"' (and a matching trailing one) and strips
 * trailing blanks, so a value starting with one of those or ending in a blank is refused.
 */
export function coturnLines(entries: readonly CoturnEntry[], file = "turnserver.conf", header = ""): string {
  for (const comment of header.split("\n")) {
    refuseControl(file, "a comment", comment);
    if (utf8Length(comment) > COTURN_MAX_LINE_BYTES)
      throw new UnsafeLineError(file, "a comment", "is longer than coturn reads in one piece");
  }
  return (
    header +
    entries
      .map(([name, v]) => {
        if (!/^[a-z0-9-]+$/.test(name)) throw new UnsafeLineError(file, name, "is not a coturn option name");
        const line = v === true ? name : `${name}=${v}`;
        if (typeof v === "string") {
          refuseControl(file, name, v);
          if (v === "" || /^[\s="]/.test(v) || /\s$/.test(v))
            throw new UnsafeLineError(file, name, "has a value coturn would alter (empty, leading blank/'='/'\"' or trailing blank)");
        }
        if (utf8Length(line) > COTURN_MAX_LINE_BYTES)
          throw new UnsafeLineError(
            file,
            name,
            `renders a ${utf8Length(line)}-byte line; coturn reads ${COTURN_MAX_LINE_BYTES} in one piece`,
          );
        return line;
      })
      .join("\n") +
    "\n"
  );
}

/** Arguments Valkey's sdssplitargs returns as written without quotes. */
const BARE_ARG = /^[A-Za-z0-9._:/*@+,%=-]+$/;

/** One argument as sdssplitargs reads it back: bare when safe, else double-quoted with `\\` and `\"`. */
export function valkeyArg(arg: string): string {
  if (BARE_ARG.test(arg)) return arg;
  return `"${arg.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** `directive arg…` lines for valkey.conf and sentinel.conf (and their secret fragments). */
export function valkeyLines(entries: readonly (readonly string[])[], file = "valkey.conf", header = ""): string {
  for (const comment of header.split("\n")) refuseControl(file, "a comment", comment);
  return (
    header +
    entries
      .map((parts) => {
        const [directive, ...args] = parts;
        if (!directive || !/^[a-z-]+$/.test(directive)) throw new UnsafeLineError(file, String(directive), "is not a directive name");
        for (const a of args) refuseControl(file, directive, a);
        return [directive, ...args.map(valkeyArg)].join(" ");
      })
      .join("\n") +
    "\n"
  );
}

/**
 * Checks env for every consumer (env files, Docker's env list, Kubernetes Secrets): names as POSIX
 * shells read them; values one line, not starting with a quote (dotenv readers and systemd strip
 * quotes) nor starting or ending with a blank. Returns `env` unchanged.
 */
export function checkedEnv(env: Record<string, string>, file = "env"): Record<string, string> {
  for (const [k, v] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new UnsafeLineError(file, k, "is not an environment variable name");
    refuseControl(file, k, v);
    if (/^["'\s]/.test(v) || /\s$/.test(v))
      throw new UnsafeLineError(file, k, "has a value an env-file reader would alter (quote or blank at an end)");
    if (utf8Length(`${k}=${v}`) > ENV_MAX_LINE_BYTES)
      throw new UnsafeLineError(file, k, `renders a line over ${ENV_MAX_LINE_BYTES} bytes, Docker's env-file limit`);
  }
  return env;
}

/** `NAME=value` lines of an env file (`docker run --env-file`, systemd EnvironmentFile). */
export function envFile(env: Record<string, string>, file = "env file"): string {
  return (
    Object.entries(checkedEnv(env, file))
      .map(([k, v]) => `${k}=${v}`)
      .join("\n") + "\n"
  );
}
