// `npm run mutate`: mutation testing of the pure layers (schema/, templates/, reconciler/) against
// the unit and component tests. Slow (minutes per folder on two cores), so not part of `npm test`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "jest",
  jest: { projectType: "custom", configFile: "jest.mutate.config.mjs", enableFindRelatedTests: false },
  coverageAnalysis: "perTest",
  mutate: ["schema/**/*.ts", "templates/**/*.ts", "reconciler/**/*.ts"],
  concurrency: 2,
  // The first run collects per-test coverage over the whole unit + components suite (minutes here).
  dryRunTimeoutMinutes: 40,
  // A module-level constant (a port, a default) is covered by every test, so its mutants would each
  // re-run the whole suite; they are left out of the score (reported as ignored).
  ignoreStatic: true,
  timeoutMS: 20000,
  reporters: ["clear-text", "progress-append-only", "json", "html"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  // Re-runs test only the mutants whose code or covering tests changed. The file stays local
  // (reports/ is not committed): it is megabytes of generated JSON that every branch touching
  // schema/ or templates/ would rewrite and conflict on.
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  // Other sandboxes (a second run with its own --tempDirName) and build output are not the project.
  ignorePatterns: ["/.stryker-tmp*", "/reports", "/dist", "/dist-bench", "/out"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  thresholds: { high: 95, low: 90, break: null },
};
