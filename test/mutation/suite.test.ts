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

/**
 * The files that hold the tests Stryker asked for. A mutant run filters tests by full name (jest's
 * testNamePattern, "(name)|(name)…" with regex characters escaped); each full name starts with its
 * file, as the describe below names it, so only those files need loading. Any name it cannot place
 * (a hand-written -t, say) loads every file: loading more than needed is only slower.
 */
function filesAskedFor(files: string[]): string[] {
  const global = globalThis as unknown as Record<symbol, unknown>;
  const state = Object.getOwnPropertySymbols(global)
    .map((s) => global[s])
    .find((v): v is { testNamePattern?: RegExp | null } => typeof v === "object" && v !== null && "testNamePattern" in v);
  const pattern = state?.testNamePattern;
  if (!pattern) return files;
  const names = pattern.source
    .replace(/^\(|\)$/g, "")
    .split(")|(")
    .map((n) => n.replace(/\\(.)/g, "$1"));
  const fileOf = (name: string) => files.find((f) => name.startsWith(`${f} `));
  return names.every((n) => fileOf(n) !== undefined) ? files.filter((f) => names.some((n) => fileOf(n) === f)) : files;
}

for (const file of filesAskedFor(testFiles().filter((f) => !LEFT_OUT.has(f)))) {
  describe(file, () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(join(ROOT, file));
  });
}
