import fc from "fast-check";
import * as jsYaml from "js-yaml";
import { parse as parseYaml } from "yaml";
import { toYaml } from "../../templates/common";

/**
 * toYaml loaded afresh over a js-yaml whose dump records what toYaml hands it (every call still
 * reaches the real one). Module-local, not jest.mock: the mutation suite loads every test file in
 * one module registry, where js-yaml is already loaded.
 */
function spied(): { toYaml: typeof toYaml; dump: jest.Mock } {
  let out: { toYaml: typeof toYaml; dump: jest.Mock } | undefined;
  jest.isolateModules(() => {
    const actual = jest.requireActual<typeof import("js-yaml")>("js-yaml");
    const dump = jest.fn(actual.dump);
    jest.doMock("js-yaml", () => ({ ...actual, dump }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    out = { toYaml: (require("../../templates/common") as typeof import("../../templates/common")).toYaml, dump };
    jest.dontMock("js-yaml");
  });
  if (!out) throw new Error("templates/common did not load");
  return out;
}

/** What js-yaml itself writes with toYaml's options: the bytes toYaml must reproduce. */
const jsYamlDump = (v: unknown) => jsYaml.dump(v, { lineWidth: -1, noRefs: true, quoteStyle: "double" });

/** Text long enough for the literal fast path (4 KiB), from lines of any content and any ending. */
const longText = fc
  .tuple(
    fc.array(fc.oneof(fc.string({ maxLength: 120 }), fc.string({ unit: "binary", maxLength: 40 }), fc.constant("")), {
      minLength: 1,
      maxLength: 60,
    }),
    fc.constantFrom("", "\n", "\n\n", "\n\n\n"),
    fc.constantFrom("", " ", "\t", "\n", "#", "- "),
  )
  .map(([lines, end, start]) => {
    let s = start + lines.join("\n");
    while (s.length < 4096) s += "\n" + lines.join("\n");
    return s + end;
  });

const key = fc.oneof(fc.constantFrom("data", "stringData", "cameras-000.json", "- x", "a: b", "k"), fc.string({ maxLength: 8 }));
const leaf = fc.oneof(longText, fc.string({ maxLength: 30 }), fc.integer(), fc.boolean(), fc.constant(null));
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("object"), tie("array")),
  object: fc.dictionary(key, tie("node"), { maxKeys: 4 }),
  array: fc.array(tie("node"), { maxLength: 3 }),
})).object;

describe("toYaml", () => {
  it("writes exactly what js-yaml writes, long literal text included", () => {
    fc.assert(
      fc.property(tree, (v) => {
        expect(toYaml(v)).toBe(jsYamlDump(v));
      }),
      { numRuns: 300 },
    );
  });

  it("reads back as the value, with js-yaml and with yaml", () => {
    fc.assert(
      fc.property(tree, (v) => {
        const text = toYaml(v);
        expect(jsYaml.load(text)).toEqual(v);
        expect(parseYaml(text, { uniqueKeys: false })).toEqual(v);
      }),
      { numRuns: 200 },
    );
  });

  const cameras = Array.from({ length: 200 }, (_, i) => JSON.stringify({ name: `camera_${i}`, fps: 25 })).join(",\n");
  const manifest = (text: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    data: { "cameras-000.json": text, small: "a\nb\n" },
    items: [{ nested: text }],
  });

  it("hands js-yaml a mark instead of long literal-safe text, so js-yaml never scans it", () => {
    const { toYaml, dump } = spied();
    {
      const text = `[\n${cameras}\n]\n`;
      const out = toYaml(manifest(text));
      const given = JSON.stringify(dump.mock.calls[0][0]);
      expect(given).not.toContain("camera_199");
      expect(given).toContain("a\\nb\\n");
      expect(dump).toHaveBeenCalledTimes(1);
      expect(out).toBe(jsYamlDump(manifest(text)));
      expect(out).toContain("  cameras-000.json: |\n    [\n    {");
      expect(out).toContain("  - nested: |\n      [\n      {");
    }
  });

  it.each([
    ["a carriage return", "\r\n"],
    ["a next-line character", "\u0085"],
    ["a line separator", "\u2028"],
    ["a byte-order mark", "\ufeff"],
  ])("leaves text with %s to js-yaml", (_, ch) => {
    const { toYaml, dump } = spied();
    {
      const text = `${cameras.replace(",\n", `,${ch}`)}\n`;
      expect(toYaml({ data: { x: text } })).toBe(jsYamlDump({ data: { x: text } }));
      expect(JSON.stringify(dump.mock.calls[0][0])).toContain("camera_199");
    }
  });

  it("leaves text to js-yaml when a mark would be ambiguous, wherever the look-alike stands", () => {
    const text = `${cameras}\n`;
    for (const v of [
      { a: text, b: "lkstack-literal-text-0" },
      { b: "lkstack-literal-text-0", a: text },
      { list: ["lkstack-literal-text-0"], a: text },
    ]) {
      expect(toYaml(v)).toBe(jsYamlDump(v));
      expect(jsYaml.load(toYaml(v))).toEqual(v);
    }
  });

  it("leaves to js-yaml a long line without a break, and a member whose key js-yaml writes as an explicit `? ` key", () => {
    for (const v of [{ a: "x".repeat(5000) }, { ["k".repeat(1100)]: `${cameras}\n` }, { [`a: b\n${"k".repeat(10)}`]: `${cameras}\n` }]) {
      expect(toYaml(v)).toBe(jsYamlDump(v));
      expect(jsYaml.load(toYaml(v))).toEqual(v);
    }
  });

  it("leaves text under 4096 characters to js-yaml, and takes it from 4096 on", () => {
    const handed = (text: string): string => {
      const { toYaml, dump } = spied();
      expect(toYaml({ data: { x: text } })).toBe(jsYamlDump({ data: { x: text } }));
      expect(dump).toHaveBeenCalledTimes(1);
      return JSON.stringify(dump.mock.calls[0][0]);
    };
    const short = `${"x\n".repeat(2047)}y`;
    expect(short).toHaveLength(4095);
    expect(handed(short)).toContain(JSON.stringify(short));
    expect(handed(`${short}z`)).not.toContain("x\\nx\\n");
  });
});
