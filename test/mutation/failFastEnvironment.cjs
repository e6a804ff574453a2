// Under `npm run mutate` all tests share one file, so jest's bail (per file) cannot stop a mutant's
// run at its first failing test; this environment skips the tests after one has failed. A failed
// test is one that finished with errors (its own, or its block's beforeAll's): a failing hook alone
// must not skip the tests it fails, or the run would end with no failure at all.
const { TestEnvironment } = require("jest-environment-node");

class FailFastEnvironment extends TestEnvironment {
  failed = false;

  async handleTestEvent(event, state) {
    if (event.name === "test_done" && event.test.errors.length > 0) this.failed = true;
    else if (event.name === "test_start" && this.failed) event.test.mode = "skip";
    if (super.handleTestEvent) await super.handleTestEvent(event, state);
  }
}

module.exports = FailFastEnvironment;
