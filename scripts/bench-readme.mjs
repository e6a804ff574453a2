// Writes the README's measured figures from the benches' own output, so no number in that block is
// typed by hand: the rows each bench printed (bench/results/<name>.json, else its .md table) and
// the planner's output for the seed's 500 cameras x 10 viewers, between the two markers below.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const BEGIN = "<!-- bench:begin (scripts/bench-readme.mjs writes this block from bench/results) -->";
const END = "<!-- bench:end -->";
const BENCHES = [
  ["cli", "CLI start-up and scale (bench/cli)"],
  ["render", "validate, render, program under mocks (bench/render)"],
  ["load", "load at the seed's shape, transcode ingest (bench/load)"],
  ["load-passthrough", "load, passthrough ingest (bench/load, BENCH_INGEST=passthrough)"],
  ["model-fit", "capacity model against the load runs (bench/fit)"],
  ["camera", "camera path (bench/camera)"],
];

/** A bench's rows: from its JSON, or from the table of its .md for results written before rows were kept. */
function rowsOf(name) {
  const json = join(root, "bench", "results", `${name}.json`);
  if (existsSync(json)) {
    const data = JSON.parse(readFileSync(json, "utf8"));
    if (Array.isArray(data.rows)) return data.rows;
  }
  const md = join(root, "bench", "results", `${name}.md`);
  if (!existsSync(md)) return undefined;
  return readFileSync(md, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| figure") && !l.startsWith("| ---"))
    .map((l) => l.slice(2, -2).split(" | "));
}

const escape = (s) => String(s).replaceAll("|", "\\|");
const blocks = [];
const capacity = (...extra) =>
  execFileSync(
    process.execPath,
    [join(root, "bin", "lkstack.js"), "capacity", "--cameras", "500", "--viewers-per-camera", "10", ...extra],
    {
      encoding: "utf8",
    },
  ).trimEnd();
blocks.push(
  "```",
  "$ npx lkstack capacity --cameras 500 --viewers-per-camera 10",
  capacity(),
  "",
  "$ npx lkstack capacity --cameras 500 --viewers-per-camera 10 --udp-mode single",
  capacity("--udp-mode", "single"),
  "```",
  "",
);
for (const [name, title] of BENCHES) {
  const rows = rowsOf(name);
  if (!rows) continue;
  blocks.push(`| ${title} | value |`, "| --- | --- |", ...rows.map(([k, v]) => `| ${escape(k)} | ${escape(v)} |`), "");
}

const readme = join(root, "README.md");
const text = readFileSync(readme, "utf8");
const from = text.indexOf(BEGIN);
const to = text.indexOf(END);
if (from < 0 || to < from) throw new Error(`README.md has no ${BEGIN} ... ${END} block`);
writeFileSync(readme, text.slice(0, from + BEGIN.length) + "\n\n" + blocks.join("\n") + "\n" + text.slice(to));
process.stdout.write(`wrote the bench block of README.md (${blocks.length} lines)\n`);
