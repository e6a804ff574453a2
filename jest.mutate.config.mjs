// The jest config `npm run mutate` runs: Stryker's jest runner takes one flat project, not jest's
// `projects`, and a mutant run pays for every test file it loads, so one file
// (test/mutation/suite.test.ts) requires the unit and component test files (conformance needs real
// servers and is too slow to repeat per mutant). MUTATE_TESTS (comma-separated test files)
// narrows it for a quick run over one folder, e.g. reconciler/ with its own tests.
import { fileURLToPath, URL } from "node:url";
import base from "./jest.config.js";

const project = (name) => base.projects.find((p) => p.displayName === name);
const { preset } = project("unit");
// Transpile only: each mutant is a fresh jest run, and type-checking every test file's imports again
// per mutant costs far more than the test (types are `npm run typecheck`'s job).
const transform = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", isolatedModules: true, diagnostics: false }] };

export default {
  preset,
  // Node, stopping a mutant's run at its first failing test (a killed mutant needs no more).
  // (An absolute path: Stryker's jest runner does not expand <rootDir> in testEnvironment.)
  testEnvironment: fileURLToPath(new URL("./test/mutation/failFastEnvironment.cjs", import.meta.url)),
  transform,
  testMatch: ["<rootDir>/test/mutation/suite.test.ts"],
  // LKSTACK_MUTATION=1: shared setups run before each test, so each test is credited with its code.
  setupFiles: ["<rootDir>/test/mutation/setup.cjs"],
  testTimeout: base.testTimeout,
  // Snapshots are a change detector, not a meaning check: under mutation they are rewritten (kept
  // outside the checkout), so no mutant counts as killed by a snapshot alone.
  snapshotResolver: "<rootDir>/test/mutation/snapshots.cjs",
  updateSnapshot: true,
};
