// The README's mutation tables, from test/mutation/results.json (scripts/mutation-results.mjs writes
// it from Stryker's reports) and test/mutation/undetected.json (why each undetected mutant stays).
// A reason names its file (or a folder, ending in "/") and its mutants as [original, replacement],
// with the line only where the same change occurs twice in one file for different reasons.
// Every undetected mutant must have a reason there, and every reason must still match a mutant:
// otherwise this throws, and test/unit/readme.test.ts fails with the mutant's file, line and code.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const pct = (n, d) => (d === 0 ? "n/a" : ((100 * n) / d).toFixed(2));
const detected = (r) => r.killed + r.timeout;
const scored = (r) => r.killed + r.timeout + r.survived + r.noCoverage;
const cell = (s) => String(s).replaceAll("|", "\\|");
/** Inline code that may itself hold backticks. */
const code = (s) => {
  // A delimiter one backtick longer than the longest run inside (CommonMark code spans).
  const fence = "`".repeat(Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  return fence.length > 1 ? `${fence} ${cell(s)} ${fence}` : `\`${cell(s)}\``;
};
const table = (head, rows) =>
  [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

function sum(rows) {
  const total = { files: 0, killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0, ignored: 0 };
  for (const r of rows) {
    total.files += 1;
    for (const k of ["killed", "timeout", "survived", "noCoverage", "errors", "ignored"]) total[k] += r[k];
  }
  return total;
}

/** The folder a file's score is reported under: templates/k8s/ apart from the files directly under templates/. */
const folderOf = (file) => file.slice(0, file.lastIndexOf("/") + 1);

const matches = (reason, u) =>
  (reason.file === u.file || (reason.file.endsWith("/") && u.file.startsWith(reason.file))) &&
  reason.mutants.some(
    ([original, replacement, line]) => original === u.original && replacement === u.replacement && (line === undefined || line === u.line),
  );

export function mutationTables(root) {
  const results = JSON.parse(readFileSync(join(root, "test", "mutation", "results.json"), "utf8"));
  const reasons = JSON.parse(readFileSync(join(root, "test", "mutation", "undetected.json"), "utf8"));
  const files = Object.entries(results.files);

  const unexplained = results.undetected.filter((u) => !reasons.some((r) => matches(r, u)));
  const stale = reasons.filter((r) => !results.undetected.some((u) => matches(r, u)));
  if (unexplained.length > 0 || stale.length > 0)
    throw new Error(
      [
        ...unexplained.map((u) => `no reason in test/mutation/undetected.json for ${u.file}:${u.line} ${u.original} -> ${u.replacement}`),
        ...stale.map((r) => `test/mutation/undetected.json: "${r.where}" (${r.file}) matches no undetected mutant; remove it`),
      ].join("\n"),
    );

  const folders = [...new Set(files.map(([f]) => folderOf(f)))].sort();
  const folderRows = folders.map((folder) => {
    const t = sum(files.filter(([f]) => folderOf(f) === folder).map(([, r]) => r));
    return [
      `\`${folder}\``,
      t.files,
      scored(t),
      t.killed,
      t.timeout,
      t.survived,
      t.noCoverage,
      `**${pct(detected(t), scored(t))}**`,
      t.errors,
      t.ignored,
    ];
  });
  const all = sum(files.map(([, r]) => r));
  folderRows.push([
    "all",
    all.files,
    scored(all),
    all.killed,
    all.timeout,
    all.survived,
    all.noCoverage,
    `**${pct(detected(all), scored(all))}**`,
    all.errors,
    all.ignored,
  ]);
  const summary = table(
    [
      "folder",
      "files",
      "mutants scored",
      "killed",
      "timeout",
      "survived",
      "no coverage",
      "score %",
      "errors (not scored)",
      "static (not run)",
    ],
    folderRows,
  );

  const runIndex = new Map(results.runs.map((r, i) => [r.id, i + 1]));
  const perFile = table(
    ["file", "scored", "killed", "timeout", "survived", "no cov", "score %", "run"],
    files.map(([f, r]) => [
      `\`${f}\``,
      scored(r),
      r.killed,
      r.timeout,
      r.survived,
      r.noCoverage,
      pct(detected(r), scored(r)),
      `${runIndex.get(r.run) ?? "?"}${r.changedSinceRun ? " (code edited since)" : ""}`,
    ]),
  );
  const runs = table(
    ["run", "finished", "minutes (2 cores)", "mutated", "test files"],
    results.runs.map((r, i) => [i + 1, r.finished, r.minutes ?? "n/a", r.mutate.map((m) => `\`${m}\``).join(", "), r.testFiles.length]),
  );

  const why = table(
    ["where", "mutant", "why it stays"],
    reasons.map((r) => {
      const hits = results.undetected.filter((u) => matches(r, u));
      const lines = [...new Set(hits.map((u) => `${u.file.slice(u.file.lastIndexOf("/") + 1)}:${u.line}`))].join(", ");
      const mutants = r.mutants.map(([o, n]) => `${code(o)} → ${code(n)}`).join("; ");
      return [`${lines} (${r.where})`, mutants, cell(r.why)];
    }),
  );
  return { summary, perFile, runs, why };
}
