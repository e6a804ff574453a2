import { parseStackConfig, type StackConfig, type StackSecrets } from "../../schema";
import {
  CHUNK_BUDGET,
  FILE_NAMES,
  MEDIAMTX_SECRET_ALLOWANCE,
  OBJECT_LIMITS,
  cameraPath,
  mediamtxPartNames,
  mediamtxPartStarts,
  mediamtxSecretParts,
  renderMediamtxConfig,
  renderStack,
} from "../../templates";
import { TEST_SECRETS, minimal } from "../helpers/fixtures";

// How MediaMTX's Secret-held body is split (templates/mediamtx.ts): planned from the public body
// plus an allowance per credentialed source, each part under the secret budget and as full as it
// can be, cut only where a camera's entry starts; and credentials too long for the plan refused.

const id = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

/**
 * Three kinds of camera in turn: passthrough with credentials (two sources, so two allowances),
 * transcode with credentials (one) and transcode without (none).
 */
function city(n: number): StackConfig {
  const cameras = Array.from({ length: n }, (_, i) => {
    const rtsp = `rtsp://10.60.${Math.floor(i / 250)}.${(i % 250) + 1}:554`;
    if (i % 3 === 0)
      return {
        id: id(i),
        rtsp,
        credentials: "lab",
        streams: {
          high: { path: "/main", width: 1920, height: 1080, bitrateKbps: 4000 },
          low: { path: "/sub", width: 640, height: 360, bitrateKbps: 500 },
        },
      };
    return { id: id(i), rtsp: `${rtsp}/main`, ...(i % 3 === 1 ? { credentials: "lab" } : {}) };
  });
  return parseStackConfig(
    minimal("kubernetes", {
      sfu: { ports: { udpMode: "single" } },
      publisher: { image: "registry.example.org/cctv/lkstack-publisher:0.1.0" },
      cameras,
    } as Parameters<typeof minimal>[1]),
  );
}

const SECRETS: StackSecrets = { ...TEST_SECRETS, cameraCredentials: { lab: { username: "operator", password: "camera-pass-0123" } } };
const bytes = (s: string): number => Buffer.byteLength(s, "utf8");

/** What the plan counts for each camera's credentials: the allowance once per source URL. */
function allowance(cfg: StackConfig, i: number): number {
  const cam = cfg.cameras[i];
  if (!cam.credentials) return 0;
  return MEDIAMTX_SECRET_ALLOWANCE.perCamera * ("streams" in cam && cam.streams ? 2 : 1);
}

describe("MediaMTX's Secret-held body, split for a city", () => {
  let cfg: StackConfig;
  beforeAll(() => {
    cfg = city(2500);
  });

  it("each part starts at a camera's entry, plans under the secret budget, and could not have taken the next camera", () => {
    const body = renderMediamtxConfig(cfg);
    const starts = mediamtxPartStarts(cfg);
    expect(starts.length).toBeGreaterThan(1);
    // The planned size of each camera's stretch of the public body, from its entry to the next.
    const at = cfg.cameras.map((c) => body.indexOf(`\n  ${cameraPath(c.id)}:\n`) + 1);
    expect(at.every((a, i) => a > 0 && (i === 0 || a > at[i - 1]))).toBe(true);
    const planned = cfg.cameras.map((_, i) => bytes(body.slice(at[i], at[i + 1] ?? body.length)) + allowance(cfg, i));
    const header = bytes(body.slice(0, at[0])) + MEDIAMTX_SECRET_ALLOWANCE.header;
    const firsts = [0, ...starts.map((s) => cfg.cameras.findIndex((c) => c.id === s))];
    expect(firsts.every((f, k) => k === 0 || f > firsts[k - 1])).toBe(true);
    for (let k = 0; k < firsts.length; k++) {
      const end = firsts[k + 1] ?? cfg.cameras.length;
      const size = (k === 0 ? header : 0) + planned.slice(firsts[k], end).reduce((a, b) => a + b, 0);
      expect(size).toBeLessThanOrEqual(CHUNK_BUDGET.secret);
      if (end < cfg.cameras.length) expect(size + planned[end]).toBeGreaterThan(CHUNK_BUDGET.secret);
    }
    expect(mediamtxPartNames(cfg)).toEqual(firsts.map((_, k) => `mediamtx-${String(k).padStart(3, "0")}.yml`));
  });

  it("the parts of the real body join to it, each cut where its first camera's entry starts", () => {
    const body = renderStack(cfg, SECRETS).mediamtx?.secretFiles[FILE_NAMES.mediamtx] ?? "";
    expect(body).toContain("operator:camera-pass-0123@");
    const parts = mediamtxSecretParts(cfg, body);
    const names = mediamtxPartNames(cfg);
    expect(Object.keys(parts)).toEqual(names);
    expect(names.map((n) => parts[n]).join("")).toBe(body);
    const starts = mediamtxPartStarts(cfg);
    names.slice(1).forEach((n, k) => expect(parts[n].startsWith(`  ${cameraPath(starts[k])}:\n`)).toBe(true));
    expect(names.every((n) => bytes(parts[n]) < OBJECT_LIMITS.swarmSecret)).toBe(true);
  });

  it("a part at the limit of one secret is refused, naming the credentials, the part and the fix; one byte less passes", () => {
    const body = renderMediamtxConfig(cfg);
    const first = body.indexOf(`\n  ${cameraPath(mediamtxPartStarts(cfg)[0])}:\n`) + 1;
    const pad = (n: number): string => `#${"x".repeat(n - 2)}\n`;
    const atLimit = pad(OBJECT_LIMITS.swarmSecret - first) + body;
    let err: unknown;
    try {
      mediamtxSecretParts(cfg, atLimit);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      problems: [
        {
          path: ["cameraCredentials"],
          problem: expect.stringMatching(
            new RegExp(
              `^part mediamtx-000\\.yml of mediamtx\\.yml would be ${OBJECT_LIMITS.swarmSecret} bytes, over the ${OBJECT_LIMITS.swarmSecret}-byte limit of one secret: .*more than the ${MEDIAMTX_SECRET_ALLOWANCE.perCamera} bytes per camera`,
            ),
          ),
          fix: "use shorter camera usernames and passwords",
        },
      ],
    });
    const under = pad(OBJECT_LIMITS.swarmSecret - first - 1) + body;
    expect(Object.values(mediamtxSecretParts(cfg, under)).join("")).toBe(under);
  });

  it("a body without a planned camera's entry is refused, naming the path", () => {
    const start = mediamtxPartStarts(cfg)[0];
    expect(() => mediamtxSecretParts(cfg, renderMediamtxConfig(cfg).replace(`\n  ${cameraPath(start)}:\n`, "\n"))).toThrow(
      `mediamtx.yml has no entry for ${cameraPath(start)}`,
    );
  });
});
