import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";

export const RESULTS_DIR = join(__dirname, "..", "..", "bench", "results");

export function machine(): string {
  const c = cpus();
  return `${c.length} x ${c[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Prints the table and writes `<name>.json` and `<name>.md` into bench/results. */
export function writeResults(name: string, figures: unknown, rows: [string, string][]): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const md = ["| figure | value |", "| --- | --- |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n") + "\n";
  // The printed rows go into the JSON too: scripts/bench-readme.mjs writes the README's tables from them.
  writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify({ ...(figures as object), rows }, null, 2) + "\n");
  writeFileSync(join(RESULTS_DIR, `${name}.md`), md);
  process.stdout.write(`\n## bench/${name}\n\n${md}\nwrote bench/results/${name}.json and ${name}.md\n`);
}
