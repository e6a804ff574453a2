// Condenses Stryker's JSON reports (reports/mutation*/mutation.json, megabytes each, not committed)
// into test/mutation/results.json: per mutated file its counts and the run it comes from, and each
// undetected mutant with the code it changed. The README's mutation tables are generated from that
// file (scripts/readme-sections.mjs), so no score in them is typed by hand.
//   node scripts/mutation-results.mjs [--out FILE] [REPORT.json ...]
// (default: every reports/mutation*/mutation.json into test/mutation/results.json)
// A file in several reports takes the newest report's figures. A report's run time is read from its
// event log (reports/<run>/events, written by the event-recorder reporter) when there is one.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const outAt = args.indexOf("--out");
const OUT = outAt >= 0 ? args.splice(outAt, 2)[1] : join(ROOT, "test", "mutation", "results.json");
const SCORED = ["Killed", "Timeout", "Survived", "NoCoverage"];
const ERRORS = ["RuntimeError", "CompileError"];

function defaultReports() {
  const dir = join(ROOT, "reports");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => d.startsWith("mutation"))
    .map((d) => join(dir, d, "mutation.json"))
    .filter((f) => existsSync(f));
}

/** The code a mutant replaced, on one line: whitespace runs folded, long blocks cut after 80 characters. */
function originalOf(source, location) {
  const lines = source.split("\n");
  const { start, end } = location;
  const text =
    start.line === end.line
      ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
      : [
          lines[start.line - 1].slice(start.column - 1),
          ...lines.slice(start.line, end.line - 1),
          lines[end.line - 1].slice(0, end.column - 1),
        ].join("\n");
  return shorten(text);
}

function shorten(text) {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > 80 ? `${one.slice(0, 79)}…` : one;
}

/** Minutes between a run's first and last event, when its event log is kept. */
function runMinutes(reportFile) {
  const events = join(dirname(reportFile), "events");
  if (!existsSync(events)) return undefined;
  const times = readdirSync(events).map((f) => statSync(join(events, f)).mtimeMs);
  if (times.length < 2) return undefined;
  return Math.round((Math.max(...times) - Math.min(...times)) / 6000) / 10;
}

function summarise(reportFile) {
  const report = JSON.parse(readFileSync(reportFile, "utf8"));
  const tests = Object.values(report.testFiles ?? {}).flatMap((t) => t.tests);
  // The mutation suite names each test after its file (test/mutation/suite.test.ts).
  const testFiles = new Set(tests.map((t) => t.name.split(" ")[0]));
  const { mtime, mtimeMs } = statSync(reportFile);
  const finished = mtime.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  const run = {
    id: `${finished}, ${relative(ROOT, reportFile)}`,
    finished,
    minutes: runMinutes(reportFile),
    mutate: report.config?.mutate ?? [],
    testFiles: [...testFiles].sort(),
  };
  const files = {};
  const undetected = [];
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const count = (statuses) => mutants.filter((m) => statuses.includes(m.status)).length;
    const current = join(ROOT, file);
    files[file] = {
      run: run.id,
      // The code was edited after the run (tests written for its survivors, say): its figures are the run's.
      changedSinceRun: !existsSync(current) || readFileSync(current, "utf8") !== source,
      mutants: mutants.length,
      killed: count(["Killed"]),
      timeout: count(["Timeout"]),
      survived: count(["Survived"]),
      noCoverage: count(["NoCoverage"]),
      errors: count(ERRORS),
      ignored: count(["Ignored"]),
      pending: mutants.length - count([...SCORED, ...ERRORS, "Ignored"]),
    };
    for (const m of mutants.filter((m) => m.status === "Survived" || m.status === "NoCoverage"))
      undetected.push({
        file,
        line: m.location.start.line,
        original: originalOf(source, m.location),
        replacement: shorten(m.replacement ?? ""),
        status: m.status,
      });
  }
  return { run, files, undetected, mtimeMs };
}

const reports = args.length > 0 ? args : defaultReports();
if (reports.length === 0) {
  process.stderr.write("no Stryker report found; fix: npm run mutate (it writes reports/mutation-<group>/mutation.json)\n");
  process.exit(1);
}
const previous = existsSync(OUT) ? JSON.parse(readFileSync(OUT, "utf8")) : { runs: [], files: {}, undetected: [] };
// Oldest first, so a newer report's figures replace an older one's (ties keep the order given).
const summaries = reports.map(summarise).sort((a, b) => a.mtimeMs - b.mtimeMs);
const files = { ...previous.files };
let undetected = previous.undetected;
const runs = previous.runs.filter((r) => !summaries.some((s) => s.run.id === r.id));
for (const s of summaries) {
  for (const [file, row] of Object.entries(s.files)) {
    files[file] = row;
    undetected = undetected.filter((u) => u.file !== file);
  }
  undetected.push(...s.undetected);
  runs.push(s.run);
}
// A run none of whose files still takes its figures from it is history, not a source.
const live = runs.filter((r) => Object.values(files).some((f) => f.run === r.id)).sort((a, b) => a.finished.localeCompare(b.finished));
const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
undetected.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
writeFileSync(OUT, JSON.stringify({ runs: live, files: sorted, undetected }, null, 2) + "\n");
process.stdout.write(
  `${relative(ROOT, OUT)}: ${Object.keys(sorted).length} files from ${live.length} runs, ${undetected.length} undetected mutants\n`,
);
