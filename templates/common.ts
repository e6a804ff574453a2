import { dump } from "js-yaml";

/** Every rendered file starts with this, so an operator can tell where it came from. */
export function banner(comment: string, server: string, version: string, note: string): string {
  return [`${comment} Rendered by lkstack for ${server} ${version}. Do not edit: change the stack config.`, `${comment} ${note}`, ""].join(
    "\n",
  );
}

/**
 * Deterministic YAML: insertion order, no line folding, no aliases. js-yaml's emitter, because it is
 * the faster of the two on a city's camera list (bench/cli.ts), and it quotes YAML 1.1 booleans
 * (`yes`, `on`, `n`) that an older reader would otherwise take for true or false.
 */
export function toYaml(value: unknown): string {
  const long: string[] = [];
  const text = dump(withLongTextOut(value, long), DUMP_OPTIONS);
  return long.length === 0 ? text : (withLongTextIn(text, long) ?? dump(value, DUMP_OPTIONS));
}

const DUMP_OPTIONS = { lineWidth: -1, noRefs: true, quoteStyle: "double" } as const;

/*
 * Long multi-line strings (camera lists, the reconciler's code, mediamtx.yml parts) are written as
 * literal blocks directly: js-yaml scans each of their characters in JavaScript to pick a style,
 * about 0.1 s for 5,000 cameras' manifests (bench/cli.ts), where one native regex decides. The
 * result is byte for byte what js-yaml writes (test/unit/yaml.test.ts).
 */
const LONG_TEXT = 4096;
/**
 * Text js-yaml writes as a plain literal block (js-yaml 5.5, `lineWidth: -1`): printable characters
 * and line feeds, none of those it double-quotes as invisible (tab, DEL to NBSP, U+2028/U+2029, BOM,
 * U+FFFE/U+FFFF), starting with neither a blank nor a line break (those take an indentation indicator).
 */
const LITERAL_SAFE = /^[^\s][\n\x20-\x7e\u00a1-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;
const MARK = "lkstack-literal-text-";

/** `value` with each long literal-safe string of an object member replaced by a mark (its index in `long`). */
function withLongTextOut(value: unknown, long: string[]): unknown {
  if (Array.isArray(value)) return value.map((v: unknown) => withLongTextOut(v, long));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string" && v.length >= LONG_TEXT && v.includes("\n") && LITERAL_SAFE.test(v)) {
      out[k] = `${MARK}${long.length}`;
      long.push(v);
    } else out[k] = withLongTextOut(v, long);
  }
  return out;
}

/** The marks put back as literal blocks; undefined if a mark is not found exactly once (then js-yaml writes it all). */
function withLongTextIn(text: string, long: string[]): string | undefined {
  // In text order: js-yaml writes members in the order withLongTextOut met them.
  const found: { at: number; end: number; indent: number; s: string }[] = [];
  for (const [i, s] of long.entries()) {
    const mark = `${MARK}${i}\n`;
    const at = text.indexOf(mark);
    if (at < 0 || text.includes(mark, at + 1)) return undefined;
    // The member's line up to the mark: any "- " of sequence items, the indentation, the key.
    const head = MEMBER_HEAD.exec(text.slice(text.lastIndexOf("\n", at) + 1, at));
    if (!head) return undefined;
    found.push({ at, end: at + mark.length - 1, indent: head[1].length + 2, s });
  }
  let out = "";
  let from = 0;
  for (const f of found) {
    out += text.slice(from, f.at) + literalBlock(f.s, f.indent);
    from = f.end;
  }
  // A "keep" block that ends the document is closed with "...", as js-yaml closes one.
  const last = found[found.length - 1];
  if (last.end === text.length - 1 && last.s.endsWith("\n\n")) out += "\n...";
  return out + text.slice(from);
}

const MEMBER_HEAD = /^((?: *- )* *)\S.*: $/;

/** A literal block scalar: clip ("|") for one final line break, strip ("|-") for none, keep ("|+") for more. */
function literalBlock(s: string, indent: number): string {
  const chomp = !s.endsWith("\n") ? "-" : s.endsWith("\n\n") ? "+" : "";
  const body = chomp === "-" ? s : s.slice(0, -1);
  const pad = " ".repeat(indent);
  return (
    `|${chomp}\n` +
    body
      .split("\n")
      .map((l) => (l === "" ? "" : pad + l))
      .join("\n")
  );
}

/** Drops undefined members so optional settings leave no empty keys behind. */
export function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
