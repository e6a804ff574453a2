import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import fc from "fast-check";
import { cameraSourceUrl, cameraUrlProblem, CAMERA_SCHEMES, isUrlProblem, parseUrl } from "../../schema";
import { forbiddenChar } from "../../schema/text";
import { tempDir, underCi } from "../helpers/servers";

/**
 * Camera URLs against the code MediaMTX v1.20.1 runs on them: test/helpers/urlcheck is Go's
 * net/url and gortsplib's base.ParseURL in MediaMTX's own order. Whatever the schema accepts,
 * MediaMTX must accept and read as the same host, port, path and query; and every credential the
 * renderer puts in a source URL must come out of Go's parser as exactly the configured value.
 */
const hasGo = spawnSync("go", ["version"]).status === 0;
if (!hasGo && underCi()) throw new Error("under CI, and the Go toolchain is missing");
if (!hasGo) process.stderr.write("skipping camera URL conformance: the Go toolchain is missing\n");
const suite = hasGo ? describe : describe.skip;

interface GoResult {
  ok: boolean;
  error?: string;
  hostname?: string;
  port?: string;
  path?: string;
  rawQuery?: string;
  user?: string;
  pass?: string;
  hasUser: boolean;
}

let binary = "";
function goParse(sources: string[]): GoResult[] {
  const out = execFileSync(binary, [], { input: sources.map((s) => JSON.stringify(s)).join("\n") + "\n", maxBuffer: 64 << 20 });
  return out
    .toString("utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as GoResult);
}

const host = fc.oneof(
  { arbitrary: fc.ipV4(), weight: 3 },
  { arbitrary: fc.domain(), weight: 3 },
  { arbitrary: fc.ipV6().map((a) => `[${a}]`), weight: 2 },
  fc.constantFrom("", "cam_01.local", "-bad", "a..b", "999.1.1.1", "[::1%25eth0]", "h:x", "h@i", "exa mple"),
);
const port = fc.oneof(
  { arbitrary: fc.constant(""), weight: 3 },
  fc.integer({ min: 0, max: 70000 }).map((p) => `:${p}`),
  fc.constantFrom(":", ":0554", ":-1"),
);
/** Characters both parsers keep verbatim, and a few percent-escapes. */
const safe = fc.string({ unit: fc.constantFrom(..."aZ09-._~!&'()*+,;=:@[]".split(""), "%20", "%2F", "%25", "%41"), maxLength: 12 });
const piece = fc.oneof(
  { arbitrary: safe, weight: 8 },
  fc.string({ unit: "binary-ascii", maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.constantFrom("%", "%zz", "%41", "$G1", "$MTX_QUERY", "#frag", "@", "a b", "[x]", "..", "\\"),
);
const cameraUrl = fc
  .tuple(
    fc.constantFrom("rtsp", "rtsps", "rtsp", "rtsps", "RTSP", "Rtsps", "http"),
    host,
    port,
    fc.array(piece, { maxLength: 3 }),
    fc.option(piece),
  )
  .map(([scheme, h, p, path, query]) => `${scheme}://${h}${p}${path.map((s) => `/${s}`).join("")}${query === null ? "" : `?${query}`}`);
const credential = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 16 }),
  fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 16 }).filter((s) => forbiddenChar(s) === undefined),
  fc.constantFrom("p@ss:w/rd?#%", "%41%", "$MTX_QUERY", "a b", "ünï©ode"),
);

suite("camera URLs as MediaMTX v1.20.1 parses them (Go net/url + gortsplib)", () => {
  beforeAll(() => {
    const dir = tempDir("lkstack-urlcheck-");
    binary = join(dir, "urlcheck");
    execFileSync("go", ["build", "-o", binary, "."], {
      cwd: join(__dirname, "..", "helpers", "urlcheck"),
      env: { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local", CGO_ENABLED: "0" },
      stdio: ["ignore", "inherit", "inherit"],
    });
  }, 300_000);

  it("refuses what MediaMTX refuses that a WHATWG URL check let through", () => {
    const cases = ["RTSP://10.0.0.5/stream", "rtsp:///stream", "rtsp://10.0.0.5/stream#main", "Rtsps://cam.example/x"];
    const go = goParse(cases);
    cases.forEach((c, i) => {
      expect([c, go[i].ok]).toEqual([c, false]);
      // z.url({protocol: /^rtsps?$/}) (the old check) accepted each of these.
      expect(() => new URL(c)).not.toThrow();
      expect([c, cameraUrlProblem(c)]).toEqual([c, expect.objectContaining({ problem: expect.any(String) })]);
    });
  });

  it("whatever the schema accepts, MediaMTX reads as the same host, port, path and query; credentials come out unchanged", () => {
    const samples = fc.sample(fc.tuple(cameraUrl, credential, credential), { numRuns: 3000, seed: 20260515 });
    const accepted = samples.filter(([u]) => cameraUrlProblem(u) === undefined);
    // The generator must exercise both sides.
    expect(accepted.length).toBeGreaterThan(300);
    expect(samples.length - accepted.length).toBeGreaterThan(300);
    const plain = goParse(accepted.map(([u]) => u));
    const withCreds = goParse(accepted.map(([u, user, pass]) => cameraSourceUrl(u, { username: user, password: pass })));
    accepted.forEach(([u, user, pass], i) => {
      const ours = parseUrl(u, CAMERA_SCHEMES);
      if (isUrlProblem(ours)) throw new Error(`accepted but unparsed: ${u}`);
      const g = plain[i];
      expect([u, g.ok, g.error]).toEqual([u, true, undefined]);
      expect([u, g.hasUser]).toEqual([u, false]);
      expect([u, g.hostname, g.port ?? ""]).toEqual([u, ours.host, ours.port === undefined ? "" : String(ours.port)]);
      const c = withCreds[i];
      expect([u, c.ok, c.user, c.pass]).toEqual([u, true, user, pass]);
      expect([u, c.hostname, c.port, c.path, c.rawQuery]).toEqual([u, g.hostname, g.port, g.path, g.rawQuery]);
    });
  });
});
