// Our own: js-yaml's emitter chooses a style for every scalar by scanning it with regular
// expressions, which at 5,000 cameras costs about 0.1 s per mediamtx.yml (bench/cli.ts), and
// every render writes two (public and Secret-held). The `paths` block has one fixed shape, so it is
// written directly; test/unit/mediamtx-paths.test.ts reads it back with both YAML libraries.

/** One MediaMTX path as lkstack writes it: where it pulls from, and whether only on demand. */
export interface MediamtxPath {
  source: string;
  sourceOnDemand: boolean;
}

/** A URL that reads as itself when plain: no blank, quote, comment or flow indicator, no trailing ":". */
const PLAIN_URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[A-Za-z0-9._~%/:@!$&()*+;=?-]*$/;
/** A key that reads as itself when plain: a path name such as camera_<uuid>_low (never a bool, null or number). */
const PLAIN_KEY = /^[a-z]+_[A-Za-z0-9_-]*$/;
/**
 * What JSON.stringify leaves raw but YAML must not: characters outside YAML's printable set, and
 * U+0085, U+2028 and U+2029, which a YAML 1.1 reader (MediaMTX's gopkg.in/yaml.v2) folds as line
 * breaks inside a quoted scalar.
 */
const NOT_RAW_IN_YAML = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

/** A YAML double-quoted scalar: JSON's escapes are YAML's, plus \u escapes for what JSON leaves raw. */
export function doubleQuoted(s: string): string {
  return JSON.stringify(s).replace(NOT_RAW_IN_YAML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function scalar(s: string, plain: RegExp): string {
  return plain.test(s) && !s.endsWith(":") ? s : doubleQuoted(s);
}

/**
 * The top-level `paths:` mapping, each path's key on a line of its own at two spaces (where
 * mediamtxPartStarts cuts the file), its settings at four; `paths: {}` when there is none.
 */
export function pathsYaml(paths: ReadonlyMap<string, MediamtxPath>): string {
  if (paths.size === 0) return "paths: {}\n";
  const lines = ["paths:"];
  for (const [name, p] of paths)
    lines.push(`  ${scalar(name, PLAIN_KEY)}:`, `    source: ${scalar(p.source, PLAIN_URL)}`, `    sourceOnDemand: ${p.sourceOnDemand}`);
  return lines.join("\n") + "\n";
}
