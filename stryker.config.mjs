// `npm run mutate`: mutation testing of the pure layers (schema/, templates/, reconciler/) against
// the unit and component tests. Slow (minutes per folder on two cores), so not part of `npm test`.
// scripts/mutate.mjs runs it once per group of test/mutation/groups.mjs, with MUTATE_GROUP naming
// the group: each has its own report, event log, incremental file and sandbox, so two can run at once.
import process from "node:process";
import { MUTATION_GROUPS } from "./test/mutation/groups.mjs";

const groupName = process.env.MUTATE_GROUP;
const group = groupName === undefined ? undefined : MUTATION_GROUPS[groupName];
if (groupName !== undefined && group === undefined)
  throw new Error(`MUTATE_GROUP=${groupName} is not a group; fix: one of ${Object.keys(MUTATION_GROUPS).join(", ")}`);
const suffix = groupName === undefined ? "" : `-${groupName}`;
const reportDir = `reports/mutation${suffix}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "jest",
  jest: { projectType: "custom", configFile: "jest.mutate.config.mjs", enableFindRelatedTests: false },
  coverageAnalysis: "perTest",
  mutate: group?.mutate ?? ["schema/**/*.ts", "templates/**/*.ts", "reconciler/**/*.ts"],
  concurrency: 2,
  // The first run collects per-test coverage over the whole unit + components suite (minutes here).
  dryRunTimeoutMinutes: 40,
  // A module-level constant (a port, a default) is covered by every test, so its mutants would each
  // re-run the whole suite; they are left out of the score (reported as ignored).
  ignoreStatic: true,
  timeoutMS: 20000,
  // The event log's first and last file time give the run's duration (scripts/mutation-results.mjs).
  reporters: ["clear-text", "progress-append-only", "json", "html", "event-recorder"],
  jsonReporter: { fileName: `${reportDir}/mutation.json` },
  htmlReporter: { fileName: `${reportDir}/mutation.html` },
  eventReporter: { baseDir: `${reportDir}/events` },
  // Re-runs test only the mutants whose code or covering tests changed. The file stays local
  // (reports/ is not committed): it is megabytes of generated JSON that every branch touching
  // schema/ or templates/ would rewrite and conflict on.
  incremental: true,
  incrementalFile: `reports/stryker-incremental${suffix}.json`,
  // Other sandboxes (a second run with its own --tempDirName) and build output are not the project.
  ignorePatterns: ["/.stryker-tmp*", "/reports", "/dist", "/dist-bench", "/out"],
  tempDirName: `.stryker-tmp${suffix}`,
  cleanTempDir: "always",
  thresholds: { high: 95, low: 90, break: null },
};
