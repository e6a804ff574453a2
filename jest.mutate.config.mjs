// The jest config `npm run mutate` runs: Stryker's jest runner takes one flat project, not jest's
// `projects`, so this joins the unit and component projects of jest.config.js (conformance needs
// real servers and is too slow to repeat per mutant).
import base from "./jest.config.js";

const project = (name) => base.projects.find((p) => p.displayName === name);
const { preset, testEnvironment, transform } = project("unit");

export default {
  preset,
  testEnvironment,
  transform,
  testMatch: [...project("unit").testMatch, ...project("components").testMatch],
  testTimeout: base.testTimeout,
};
