// Where snapshots go under `npm run mutate`: a temp directory, never the checkout (see jest.mutate.config.mjs).
const { basename, join } = require("node:path");
const { tmpdir } = require("node:os");

const DIR = join(tmpdir(), "lkstack-mutation-snapshots");

module.exports = {
  resolveSnapshotPath: (testPath, extension) => join(DIR, encodeURIComponent(testPath) + extension),
  resolveTestPath: (snapshotPath, extension) => decodeURIComponent(basename(snapshotPath, extension)),
  testPathForConsistencyCheck: "/project/test/unit/example.test.ts",
};
