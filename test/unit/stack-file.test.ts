import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStackFile } from "../../cli/stackFile";

function project(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lkstack-stackfile-"));
  writeFileSync(join(dir, "Pulumi.t.yaml"), yaml);
  return dir;
}

describe("reading Pulumi.<stack>.yaml", () => {
  it("reads the config map as YAML 1.2 core: no 1.1 booleans, no timestamps", () => {
    const dir = project("config:\n  lkstack:target: kubernetes\n  lkstack:a: yes\n  lkstack:b: 2026-12-02\n  lkstack:c: 0o17\n");
    expect(readStackFile("t", dir)).toEqual({
      "lkstack:target": "kubernetes",
      "lkstack:a": "yes",
      "lkstack:b": "2026-12-02",
      "lkstack:c": 15,
    });
  });

  it("expands anchors and aliases", () => {
    const dir = project("config:\n  lkstack:x: &layer {width: 640}\n  lkstack:y: *layer\n");
    expect(readStackFile("t", dir)).toEqual({ "lkstack:x": { width: 640 }, "lkstack:y": { width: 640 } });
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${"abcdefghi"[i]}: &${"abcdefghi"[i]} [${Array(10)
          .fill(`*${"abcdefghi"[i - 1]}`)
          .join(", ")}]`,
      );
    const dir = project(`config:\n${levels.map((l) => `  ${l}`).join("\n")}\n`);
    expect(() => readStackFile("t", dir)).toThrow(/alias/i);
  });

  it("refuses a duplicate key", () => {
    const dir = project("config:\n  lkstack:target: kubernetes\n  lkstack:target: docker\n");
    expect(() => readStackFile("t", dir)).toThrow(/unique|duplicate/i);
  });

  it("reads the file again once it changed", () => {
    const dir = project("config:\n  lkstack:target: kubernetes\n");
    expect(readStackFile("t", dir)).toEqual({ "lkstack:target": "kubernetes" });
    writeFileSync(join(dir, "Pulumi.t.yaml"), "config:\n  lkstack:target: docker\n");
    expect(readStackFile("t", dir)).toEqual({ "lkstack:target": "docker" });
  });

  it("an empty file or one without config is an empty config", () => {
    expect(readStackFile("t", project(""))).toEqual({});
    expect(readStackFile("t", project("encryptionsalt: abc\n"))).toEqual({});
  });
});
