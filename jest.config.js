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
    { ...common, displayName: "conformance", testMatch: ["<rootDir>/test/conformance/**/*.test.ts"] },
    { ...common, displayName: "engine", testMatch: ["<rootDir>/test/engine/**/*.test.ts"] },
  ],
  testTimeout: 60000,
};
