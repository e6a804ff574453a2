// npm run mutate [-- GROUP ...]: one Stryker run per group of test/mutation/groups.mjs (all of them
// by default, one after another), each with its own test list, then test/mutation/results.json and
// the README's mutation tables from the reports. Runs are incremental: a group's second run tests
// only the mutants whose code or covering tests changed (after a test edit, most of them: Stryker
// sees every test in the one suite file).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { MUTATION_GROUPS } from "../test/mutation/groups.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const names = process.argv.slice(2);
const unknown = names.filter((n) => !(n in MUTATION_GROUPS));
if (unknown.length > 0) {
  process.stderr.write(`not a mutation group: ${unknown.join(", ")}; fix: one of ${Object.keys(MUTATION_GROUPS).join(", ")}\n`);
  process.exit(2);
}

const run = (command, args, env = {}) => {
  const r = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const reports = [];
for (const name of names.length > 0 ? names : Object.keys(MUTATION_GROUPS)) {
  const tests = readFileSync(join(ROOT, "test", "mutation", MUTATION_GROUPS[name].tests), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const dir = join(ROOT, "reports", `mutation-${name}`);
  // The event log gives the run's duration: a previous run's files would stretch it.
  rmSync(join(dir, "events"), { recursive: true, force: true });
  process.stdout.write(`\nmutation group ${name}: ${MUTATION_GROUPS[name].mutate.join(", ")} against ${tests.length} test files\n`);
  run("npx", ["stryker", "run"], { MUTATE_GROUP: name, MUTATE_TESTS: tests.join(",") });
  if (existsSync(join(dir, "mutation.json"))) reports.push(join(dir, "mutation.json"));
}
run(process.execPath, [join(ROOT, "scripts", "mutation-results.mjs"), ...reports]);
run(process.execPath, [join(ROOT, "scripts", "readme-sections.mjs")]);
