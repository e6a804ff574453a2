import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_DIR } from "../helpers/fixtures";

// scripts/mutation-results.mjs: what the README's mutation tables are generated from. A miscount
// here would print a score no run produced.

const SOURCE = "export const ok = (a: number) =>\n  a < 2 &&\n  a > 0;\n";
const at = (line: number, column: number, endLine: number, endColumn: number) => ({
  start: { line, column },
  end: { line: endLine, column: endColumn },
});

function report(mutate: string[], statuses: [string, ReturnType<typeof at>, string][]) {
  return {
    schemaVersion: "2",
    thresholds: { high: 95, low: 90 },
    config: { mutate },
    testFiles: {
      "test/mutation/suite.test.ts": {
        tests: [
          { id: "0", name: "test/unit/a.test.ts works" },
          { id: "1", name: "test/unit/b.test.ts too" },
        ],
      },
    },
    files: {
      "schema/a.ts": {
        language: "typescript",
        source: SOURCE,
        mutants: statuses.map(([status, location, replacement], i) => ({ id: String(i), mutatorName: "M", replacement, location, status })),
      },
    },
  };
}

function condense(...reports: object[]): {
  runs: { mutate: string[]; testFiles: string[] }[];
  files: Record<string, Record<string, number | string>>;
  undetected: { file: string; line: number; original: string; replacement: string; status: string }[];
} {
  const dir = mkdtempSync(join(tmpdir(), "lkstack-mutation-"));
  const files = reports.map((r, i) => {
    const f = join(dir, `r${i}.json`);
    writeFileSync(f, JSON.stringify(r));
    return f;
  });
  const out = join(dir, "results.json");
  const r = spawnSync(process.execPath, [join(PROJECT_DIR, "scripts", "mutation-results.mjs"), "--out", out, ...files], {
    encoding: "utf8",
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(readFileSync(out, "utf8"));
}

describe("scripts/mutation-results.mjs", () => {
  it("counts each status per file, and keeps each undetected mutant with the code it changed, on one line", () => {
    const results = condense(
      report(
        ["schema/a.ts"],
        [
          ["Killed", at(2, 3, 2, 8), "a <= 2"],
          ["Timeout", at(3, 3, 3, 8), "a >= 0"],
          ["Survived", at(2, 3, 3, 8), "false"],
          ["NoCoverage", at(1, 32, 1, 33), '""'],
          ["RuntimeError", at(2, 3, 2, 8), "true"],
          ["CompileError", at(2, 3, 2, 8), "x"],
          ["Ignored", at(1, 14, 1, 16), '""'],
        ],
      ),
    );
    expect(results.files["schema/a.ts"]).toMatchObject({
      mutants: 7,
      killed: 1,
      timeout: 1,
      survived: 1,
      noCoverage: 1,
      errors: 2,
      ignored: 1,
      pending: 0,
    });
    expect(results.undetected).toEqual([
      { file: "schema/a.ts", line: 1, original: ">", replacement: '""', status: "NoCoverage" },
      { file: "schema/a.ts", line: 2, original: "a < 2 && a > 0", replacement: "false", status: "Survived" },
    ]);
    expect(results.runs.map((r) => [r.mutate, r.testFiles])).toEqual([[["schema/a.ts"], ["test/unit/a.test.ts", "test/unit/b.test.ts"]]]);
  });

  it("a file takes the figures of the newest report that tested it", () => {
    const older = report(["schema/a.ts"], [["Survived", at(2, 3, 2, 8), "true"]]);
    const newer = report(["schema/a.ts"], [["Killed", at(2, 3, 2, 8), "true"]]);
    const results = condense(older, newer);
    expect(results.files["schema/a.ts"]).toMatchObject({ killed: 1, survived: 0 });
    expect(results.undetected).toEqual([]);
  });
});

describe("scripts/mutation-tables.mjs", () => {
  const undetected = { file: "schema/a.ts", line: 2, original: "a < 2", replacement: "a <= 2", status: "Survived" };
  const results = {
    runs: [{ id: "r1", finished: "2026-12-03 12:00 UTC", minutes: 3, mutate: ["schema/a.ts"], testFiles: ["test/unit/a.test.ts"] }],
    files: {
      "schema/a.ts": { run: "r1", mutants: 4, killed: 2, timeout: 1, survived: 1, noCoverage: 0, errors: 0, ignored: 0, pending: 0 },
    },
    undetected: [undetected],
  };

  /** The tables, or the error, for these results and reasons. */
  function tables(reasons: object[]): { status: number | null; stdout: string; stderr: string } {
    const root = mkdtempSync(join(tmpdir(), "lkstack-tables-"));
    const dir = join(root, "test", "mutation");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "results.json"), JSON.stringify(results));
    writeFileSync(join(dir, "undetected.json"), JSON.stringify(reasons));
    const script = `import(${JSON.stringify(join(PROJECT_DIR, "scripts", "mutation-tables.mjs"))}).then((m) => { const t = m.mutationTables(${JSON.stringify(root)}); process.stdout.write(t.summary + "\\n" + t.why); }).catch((e) => { process.stderr.write(e.message); process.exit(1); });`;
    return spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  }

  it("scores a folder as killed plus timed out over the scored mutants, and prints each reason with its mutants", () => {
    const r = tables([{ file: "schema/a.ts", where: "the bound", mutants: [["a < 2", "a <= 2"]], why: "equivalent: 2 never reaches it" }]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("| `schema/` | 1 | 4 | 2 | 1 | 1 | 0 | **75.00** | 0 | 0 |");
    expect(r.stdout).toContain("| a.ts:2 (the bound) | `a < 2` → `a <= 2` | equivalent: 2 never reaches it |");
  });

  it("refuses an undetected mutant without a reason, and a reason that matches no mutant", () => {
    const r = tables([{ file: "schema/b.ts", where: "gone", mutants: [["x", "y"]], why: "old" }]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no reason in test/mutation/undetected.json for schema/a.ts:2 a < 2 -> a <= 2");
    expect(r.stderr).toContain('"gone" (schema/b.ts) matches no undetected mutant');
    // A line given in a reason must be the mutant's.
    expect(tables([{ file: "schema/a.ts", where: "w", mutants: [["a < 2", "a <= 2", 3]], why: "y" }]).status).toBe(1);
  });
});
