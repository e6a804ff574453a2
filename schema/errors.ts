import type { z } from "zod";

export interface ConfigProblem {
  /** Path inside the stack config, e.g. ["sfu", "ports", "udp", "end"]. */
  path: readonly PropertyKey[];
  problem: string;
  fix: string;
  /** Where the value came from when it is not stack config, e.g. "env LIVEKIT_API_SECRET". */
  source?: string;
}

/** `["sfu","ports","udp"]` → `lkstack:sfu.ports.udp`, the spelling `pulumi config set --path` uses. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "lkstack:<root>";
  const [head, ...rest] = path;
  let out = `lkstack:${String(head)}`;
  for (const seg of rest) out += typeof seg === "number" ? `[${seg}]` : `.${String(seg)}`;
  return out;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  ${p.source ?? formatConfigPath(p.path)}: ${p.problem}\n    fix: ${p.fix}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

function editDistance(a: string, b: string): number {
  // Row i starts at i; the rest of each row is written in order, left to right, before it is read.
  const dp: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length][b.length];
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Turns zod's own issues (types, unknown keys, bounds) into problems that carry a fix. */
export function problemsFromZod(error: z.ZodError, knownKeysAt: (path: readonly PropertyKey[]) => readonly string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(issue.path);
      for (const key of issue.keys) {
        const guess = closest(key, known);
        problems.push({
          path: [...issue.path, key],
          problem: `unknown key "${key}"`,
          fix: guess ? `did you mean "${guess}"? Known keys here: ${known.join(", ")}` : `remove it; known keys here: ${known.join(", ")}`,
        });
      }
      continue;
    }
    if (issue.code === "custom" && issue.params && typeof issue.params.fix === "string") {
      problems.push({ path: issue.path, problem: issue.message, fix: issue.params.fix });
      continue;
    }
    let fix = "see the README's configuration reference for this setting";
    if (issue.code === "invalid_type") fix = `set it to a value of type ${issue.expected}`;
    else if (issue.code === "too_small" || issue.code === "too_big") fix = "set a value inside the allowed bounds";
    else if (issue.code === "invalid_value") fix = `use one of: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    else if (issue.code === "invalid_union") fix = "match one of the documented shapes for this setting";
    problems.push({ path: issue.path, problem: issue.message, fix });
  }
  return problems;
}
