import { z } from "zod";
import { ConfigError, closest, formatConfigPath, parseStackConfig, problemsFromZod } from "../../schema";
import { minimal } from "../helpers/fixtures";

// How a refused config is told (schema/errors.ts): the lkstack: path as `pulumi config set --path`
// spells it, a count, and a fix for each problem, including a guess at a misspelt key.

describe("config paths and the error message", () => {
  it("paths are spelt as `pulumi config set --path` takes them", () => {
    expect(formatConfigPath([])).toBe("lkstack:<root>");
    expect(formatConfigPath(["sfu", "ports", "udp"])).toBe("lkstack:sfu.ports.udp");
    expect(formatConfigPath(["cameras", 3, "rtsp"])).toBe("lkstack:cameras[3].rtsp");
  });

  it("counts its problems and gives each its path (or source), problem and fix", () => {
    const one = new ConfigError([{ path: ["valkey", "port"], problem: "out of range", fix: "use 6379" }]);
    expect(one.name).toBe("ConfigError");
    expect(one.message).toBe("invalid stack config (1 problem):\n  lkstack:valkey.port: out of range\n    fix: use 6379");
    const two = new ConfigError([
      { path: ["a"], problem: "p", fix: "f" },
      { path: [], problem: "q", fix: "g", source: "env TURN_SECRET" },
    ]);
    expect(two.message).toBe("invalid stack config (2 problems):\n  lkstack:a: p\n    fix: f\n  env TURN_SECRET: q\n    fix: g");
  });
});

describe("a guess at a misspelt key", () => {
  const word = "abcdefghijkl"; // 12 letters: up to 4 edits away counts as a misspelling
  it.each([
    ["substitutions", "abcdefghWXYZ", "abcdefgVWXYZ"],
    ["insertions", "abcdefghijklmnop", "abcdefghijklmnopq"],
    ["deletions", "abcdefgh", "abcdefg"],
    ["a mix", "XYcdefghijkl12", "XYZdefghijkl12"],
  ])("%s: four edits away is a guess, five is not", (_, four, five) => {
    expect(closest(word, [four])).toBe(four);
    expect(closest(word, [five])).toBeUndefined();
  });

  it("a short key allows two edits; case does not count; the nearest wins, the first of equals", () => {
    expect(closest("pot", ["port"])).toBe("port");
    expect(closest("pt", ["port"])).toBe("port");
    expect(closest("p", ["port"])).toBeUndefined();
    expect(closest("REPLICAS", ["replicas"])).toBe("replicas");
    expect(closest("replcas", ["ports", "replicas", "realm"])).toBe("replicas");
    expect(closest("ab", ["ax", "ay"])).toBe("ax");
    expect(closest("anything", [])).toBeUndefined();
  });
});

describe("zod's issues as problems with a fix", () => {
  const schema = z
    .object({
      replicas: z.number().int().min(1),
      big: z.number().max(3),
      mode: z.enum(["standalone", "sentinel"]),
      shape: z.union([z.string(), z.array(z.string())]),
      name: z.string(),
      checked: z.string().refine(() => false, { message: "is refused", params: { fix: "do this instead" } }),
      plain: z.string().refine(() => false, { message: "is also refused" }),
      noted: z.string().refine(() => false, { message: "is refused too", params: { note: "no fix here" } }),
    })
    .strict();
  const known = ["replicas", "big", "mode", "shape", "name", "checked", "plain", "noted"];
  const input = { replicas: 0, big: 4, mode: "cluster", shape: 5, name: 7, checked: "x", plain: "y", noted: "z", replcas: 2, zzzzzz: 1 };
  // Parsed in each test (per-test coverage credits a test only with the code run inside it).
  const problemsNow = () => {
    const result = schema.safeParse(input);
    return result.success ? [] : problemsFromZod(result.error, () => known);
  };
  const fixAt = (path: string) => problemsNow().find((p) => formatConfigPath(p.path) === path)?.fix;

  it("each kind of issue gets its own fix", () => {
    expect(fixAt("lkstack:replicas")).toBe("set a value inside the allowed bounds");
    expect(fixAt("lkstack:big")).toBe("set a value inside the allowed bounds");
    expect(fixAt("lkstack:mode")).toBe('use one of: "standalone", "sentinel"');
    expect(fixAt("lkstack:shape")).toBe("match one of the documented shapes for this setting");
    expect(fixAt("lkstack:name")).toBe("set it to a value of type string");
    expect(fixAt("lkstack:checked")).toBe("do this instead");
    expect(fixAt("lkstack:plain")).toBe("see the README's configuration reference for this setting");
    expect(fixAt("lkstack:noted")).toBe("see the README's configuration reference for this setting");
  });

  it("an unknown key is named, with a guess when one is near, and the keys that exist", () => {
    const list = known.join(", ");
    const problems = problemsNow();
    expect(problems.find((p) => formatConfigPath(p.path) === "lkstack:replcas")).toEqual({
      path: ["replcas"],
      problem: 'unknown key "replcas"',
      fix: `did you mean "replicas"? Known keys here: ${list}`,
    });
    expect(fixAt("lkstack:zzzzzz")).toBe(`remove it; known keys here: ${list}`);
    expect(problems.find((p) => formatConfigPath(p.path) === "lkstack:checked")?.problem).toBe("is refused");
  });
});

describe("unknown keys anywhere in the stack config get the keys known at their own place", () => {
  const fixFor = (over: Record<string, unknown>, path: string): string | undefined => {
    try {
      parseStackConfig(minimal("kubernetes", over as never));
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.find((p) => formatConfigPath(p.path) === path)?.fix;
      throw e;
    }
    return undefined;
  };
  const camera = { id: "00000000-0000-4000-8000-000000000001", rtsp: "rtsp://10.1.1.1:554/s" };

  it("in a list item, and in an object nested under defaults", () => {
    expect(fixFor({ cameras: [{ ...camera, rtspp: "x" }] }, "lkstack:cameras[0].rtspp")).toBe(
      'did you mean "rtsp"? Known keys here: id, name, rtsp, credentials, layers, streams, ingest',
    );
    expect(fixFor({ cameras: [{ ...camera, streams: { high: { pth: "/a" } } }] }, "lkstack:cameras[0].streams.high.pth")).toBe(
      'did you mean "path"? Known keys here: path, width, height, bitrateKbps, fps, codec',
    );
    expect(fixFor({ sfu: { ports: { udpp: 1 } } }, "lkstack:sfu.ports.udpp")).toBe(
      'did you mean "udp"? Known keys here: http, rtcTcp, metrics, udp, udpMode',
    );
  });

  it("in a setting of several shapes: the keys of every shape", () => {
    expect(fixFor({ sfu: { nodeIp: { strategy: "static", adress: "192.0.2.1" } } }, "lkstack:sfu.nodeIp.adress")).toBe(
      'did you mean "address"? Known keys here: strategy, address, stunServers',
    );
    // Inside one of the shapes: the walk goes through the union to the shape that has the key.
    const issuer = { issuer: { name: "letsencrypt", knd: "Issuer" } };
    expect(fixFor({ turn: { tls: { enabled: true, certificate: issuer } } }, "lkstack:turn.tls.certificate.issuer.knd")).toBe(
      'did you mean "kind"? Known keys here: name, kind',
    );
  });
});
