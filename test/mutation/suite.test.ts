/**
 * What `npm run mutate` runs for each mutant: the unit and component test files, required into
 * this one file. Jest resets its module registry per test file, so a mutant covered by tests in
 * twenty files would load schema/, templates/ and the fixtures twenty times; here it loads them
 * once per mutant, which is what makes a run over templates/ fit on two cores.
 * MUTATE_TESTS (comma-separated test files) narrows it, e.g. to reconciler/'s own tests.
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..");
/**
 * Tests of the CLI alone: its error paths (whose viewer tests import an ES module Stryker's jest
 * cannot load) and what each command loads (which needs a module registry of its own).
 */
const LEFT_OUT = new Set(["test/unit/cli-errors.test.ts", "test/unit/cli-lazy.test.ts"]);

function testFiles(): string[] {
  const only = (process.env.MUTATE_TESTS ?? "")
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f !== "");
  if (only.length > 0) return only;
  return ["test/unit", "test/components"].flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => relative(ROOT, join(ROOT, dir, f))),
  );
}

for (const file of testFiles().filter((f) => !LEFT_OUT.has(f))) {
  describe(file, () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(join(ROOT, file));
  });
}
