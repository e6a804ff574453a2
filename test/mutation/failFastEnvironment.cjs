// Under `npm run mutate` all tests share one file, so jest's bail (per file) cannot stop a mutant's
// run at its first failing test; this environment skips the rest once one test has failed.
const { TestEnvironment } = require("jest-environment-node");

class FailFastEnvironment extends TestEnvironment {
  failed = false;

  async handleTestEvent(event, state) {
    if (event.name === "test_fn_failure" || event.name === "hook_failure") this.failed = true;
    else if (this.failed && event.name === "test_start") event.test.mode = "skip";
    if (super.handleTestEvent) await super.handleTestEvent(event, state);
  }
}

module.exports = FailFastEnvironment;
