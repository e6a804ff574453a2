import fc from "fast-check";
import { load } from "js-yaml";
import { parse as parseYaml } from "yaml";
import { doubleQuoted, pathsYaml, type MediamtxPath } from "../../templates/mediamtxPaths";

/** Both readers, and `yaml` in YAML 1.1 mode: MediaMTX reads with gopkg.in/yaml.v2, a 1.1 reader. */
function readBack(text: string): unknown[] {
  return [load(text), parseYaml(text), parseYaml(text, { version: "1.1" })];
}

const asObject = (paths: Map<string, MediamtxPath>) => ({ paths: Object.fromEntries(paths) });

/** Any text: every plane, control characters, quotes, YAML indicators and the 1.1 line breaks. */
const anyText = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({
    unit: fc.constantFrom(
      "\u0085",
      "\u2028",
      "\u2029",
      "\ufeff",
      "\u007f",
      "\t",
      "\n",
      "\r",
      ":",
      "#",
      " ",
      '"',
      "'",
      "\\",
      "-",
      "&",
      "*",
      "!",
      "{",
      "}",
    ),
  }),
);

const urlish = fc
  .tuple(
    fc.constantFrom("rtsp", "rtsps", "srt"),
    fc.webUrl().map((u) => u.replace(/^https?/, "")),
    fc.constantFrom("", ":", " #x", "'", '"'),
  )
  .map(([scheme, rest, tail]) => `${scheme}${rest}${tail}`);

const pathName = fc.oneof(
  fc.uuid({ version: 4 }).map((id) => `camera_${id}`),
  fc.tuple(fc.uuid({ version: 4 }), fc.constantFrom("low", "medium")).map(([id, q]) => `camera_${id}_${q}`),
  anyText,
);

const pathsArb = fc
  .uniqueArray(fc.tuple(pathName, fc.oneof(urlish, anyText), fc.boolean()), { selector: ([name]) => name, maxLength: 6 })
  .map((entries) => new Map(entries.map(([name, source, sourceOnDemand]) => [name, { source, sourceOnDemand }])));

describe("the mediamtx.yml paths writer", () => {
  it("reads back as exactly the paths it was given, with js-yaml, yaml 1.2 and yaml 1.1", () => {
    fc.assert(
      fc.property(pathsArb, (paths) => {
        for (const read of readBack(pathsYaml(paths))) expect(read).toEqual(asObject(paths));
      }),
      { numRuns: 500 },
    );
  });

  it("writes a camera's path key on a line of its own at two spaces, its settings at four", () => {
    const text = pathsYaml(
      new Map([
        ["camera_550e8400-e29b-41d4-a716-446655440000", { source: "rtsp://10.0.0.1:554/stream", sourceOnDemand: false }],
        ["camera_550e8400-e29b-41d4-a716-446655440000_low", { source: "rtsp://10.0.0.1:554/sub", sourceOnDemand: true }],
      ]),
    );
    expect(text).toBe(
      [
        "paths:",
        "  camera_550e8400-e29b-41d4-a716-446655440000:",
        "    source: rtsp://10.0.0.1:554/stream",
        "    sourceOnDemand: false",
        "  camera_550e8400-e29b-41d4-a716-446655440000_low:",
        "    source: rtsp://10.0.0.1:554/sub",
        "    sourceOnDemand: true",
        "",
      ].join("\n"),
    );
  });

  it("writes an empty mapping when there is no camera", () => {
    expect(pathsYaml(new Map())).toBe("paths: {}\n");
    expect(load(pathsYaml(new Map()))).toEqual({ paths: {} });
  });

  it.each([
    ["a trailing colon", "rtsp://host:"],
    ["a blank and a comment", "rtsp://host/a #b"],
    ["a quote", "rtsp://host/it's"],
    ["a flow indicator", "rtsp://host/{a}"],
    ["no scheme", "host:554/stream"],
    ["a YAML 1.1 boolean", "yes"],
  ])("quotes a source with %s", (_, source) => {
    const text = pathsYaml(new Map([["camera_x", { source, sourceOnDemand: false }]]));
    expect(text).toContain(`    source: "`);
    for (const read of readBack(text)) expect(read).toEqual({ paths: { camera_x: { source, sourceOnDemand: false } } });
  });

  it.each(["on", "null", "12", "camera:x", "Camera_x", "camera x"])("quotes the key %j", (name) => {
    const text = pathsYaml(new Map([[name, { source: "rtsp://h/s", sourceOnDemand: true }]]));
    expect(text).toContain(`  "${name}":\n`);
    for (const read of readBack(text)) expect(read).toEqual({ paths: { [name]: { source: "rtsp://h/s", sourceOnDemand: true } } });
  });

  it("escapes what a YAML 1.1 reader would fold as a line break or refuse as unprintable", () => {
    expect(doubleQuoted("a\u0085b\u2028c\u2029d\u007fe\ufeff")).toBe('"a\\u0085b\\u2028c\\u2029d\\u007fe\\ufeff"');
    expect(doubleQuoted('say "hi"\\\n')).toBe('"say \\"hi\\"\\\\\\n"');
  });
});
