// The jest config `npm run mutate` runs: Stryker's jest runner takes one flat project, not jest's
// `projects`, so this joins the unit and component projects of jest.config.js (conformance needs
// real servers and is too slow to repeat per mutant). MUTATE_TESTS (comma-separated test files)
// narrows it for a quick run over one folder, e.g. reconciler/ with its own tests.
import process from "node:process";
import base from "./jest.config.js";

const project = (name) => base.projects.find((p) => p.displayName === name);
const { preset, testEnvironment } = project("unit");
// Transpile only: each mutant is a fresh jest run, and type-checking every test file's imports again
// per mutant costs far more than the test (types are `npm run typecheck`'s job).
const transform = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", isolatedModules: true, diagnostics: false }] };
const only = (process.env.MUTATE_TESTS ?? "")
  .split(",")
  .map((f) => f.trim())
  .filter((f) => f !== "");

export default {
  preset,
  testEnvironment,
  transform,
  testMatch: only.length > 0 ? only.map((f) => `<rootDir>/${f}`) : [...project("unit").testMatch, ...project("components").testMatch],
  testTimeout: base.testTimeout,
};
