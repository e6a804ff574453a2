import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../helpers/fixtures";
import { BINARIES, requireBinaries, run } from "../helpers/servers";

const bins = requireBinaries(["actionlint"]);
const suite = bins.available ? describe : describe.skip;
const DIR = join(PROJECT_DIR, ".github", "workflows");
const files = readdirSync(DIR).filter((f) => f.endsWith(".yml"));

suite("GitHub workflows, checked by the real actionlint", () => {
  it("actionlint accepts every workflow", async () => {
    const r = await run(BINARIES.actionlint, ["-no-color", ...files.map((f) => join(DIR, f))]);
    expect([r.code, r.output]).toEqual([0, ""]);
  });

  it("actionlint rejects a broken one (so the check above means something)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lkstack-wf-"));
    const broken = readFileSync(join(DIR, "preview.yml"), "utf8").replace(
      "runs-on: ubuntu-24.04",
      "runs-on: ubuntu-24.04\n    needs: no-such-job",
    );
    writeFileSync(join(dir, "broken.yml"), broken);
    const r = await run(BINARIES.actionlint, ["-no-color", join(dir, "broken.yml")]);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/no-such-job/);
  });
});

describe("workflow hygiene", () => {
  const docs = files.map((f) => ({
    f,
    text: readFileSync(join(DIR, f), "utf8"),
    doc: parse(readFileSync(join(DIR, f), "utf8")) as Record<string, unknown>,
  }));

  it("pins every action by full commit SHA", () => {
    for (const { f, text } of docs)
      for (const m of text.matchAll(/uses:\s*(\S+)/g))
        expect([f, m[1]]).toEqual([f, expect.stringMatching(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/)]);
  });

  it("declares least-privilege permissions at the top", () => {
    for (const { f, doc } of docs) expect([f, doc.permissions]).toEqual([f, { contents: "read" }]);
  });

  it("previews both stacks with the policy pack, and fork pull requests offline", () => {
    const preview = docs.find((d) => d.f === "preview.yml")?.text ?? "";
    expect(preview).toMatch(/stack: \[dev, prod\]/);
    expect(preview).toMatch(/command: preview/);
    expect(preview).toMatch(/comment-on-pr: true/);
    expect(preview).toMatch(/policyPacks: policy/);
    expect(preview).toMatch(/PULUMI_CONFIG_PASSPHRASE: \$\{\{ secrets\.PULUMI_CONFIG_PASSPHRASE \}\}/);
    expect(preview).toMatch(/cloud-url: \$\{\{ secrets\.PULUMI_BACKEND_URL \}\}/);
    expect(preview).toMatch(/npx lkstack preview --stack/);
    expect(preview).toMatch(/GITHUB_STEP_SUMMARY/);
    const deploy = docs.find((d) => d.f === "deploy.yml")?.doc as { jobs: Record<string, { environment?: string; needs?: string }> };
    expect(deploy.jobs.prod.environment).toBe("prod");
    expect(deploy.jobs.prod.needs).toBe("dev");
  });
});
