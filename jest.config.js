/** @type {import('jest').Config} */
const common = {
  preset: "ts-jest",
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: { warnOnly: false } }] },
};

module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    { ...common, displayName: "components", testMatch: ["<rootDir>/test/components/**/*.test.ts"] },
    // Real daemons: one file at a time keeps port use and CPU predictable on 2 cores.
    { ...common, displayName: "conformance", testMatch: ["<rootDir>/test/conformance/**/*.test.ts"], maxWorkers: 1 },
  ],
  testTimeout: 60000,
};
