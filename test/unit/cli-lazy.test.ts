import { tmpdir } from "node:os";
import type { Io } from "../../cli/main";

/**
 * Every command loads only what it uses, so `lkstack token` does not pay for the Pulumi SDK. Each
 * heavy dependency is wrapped so its first load is recorded; a command then runs in a fresh module
 * registry and the test reads which of them it pulled in.
 */
const mockLoaded = new Set<string>();
const HEAVY = [
  "zod",
  "@pulumi/pulumi",
  "@pulumi/kubernetes",
  "@pulumi/docker",
  "@pulumi/random",
  "esbuild",
  "ioredis",
  "tar",
  "livekit-server-sdk",
  "yaml",
];
jest.mock("@pulumi/pulumi", () => (mockLoaded.add("@pulumi/pulumi"), jest.requireActual("@pulumi/pulumi")));
jest.mock("@pulumi/kubernetes", () => (mockLoaded.add("@pulumi/kubernetes"), jest.requireActual("@pulumi/kubernetes")));
jest.mock("@pulumi/docker", () => (mockLoaded.add("@pulumi/docker"), jest.requireActual("@pulumi/docker")));
jest.mock("@pulumi/random", () => (mockLoaded.add("@pulumi/random"), jest.requireActual("@pulumi/random")));
jest.mock("esbuild", () => (mockLoaded.add("esbuild"), jest.requireActual("esbuild")));
jest.mock("ioredis", () => (mockLoaded.add("ioredis"), jest.requireActual("ioredis")));
jest.mock("tar", () => (mockLoaded.add("tar"), jest.requireActual("tar")));
jest.mock("livekit-server-sdk", () => (mockLoaded.add("livekit-server-sdk"), jest.requireActual("livekit-server-sdk")));
jest.mock("zod", () => (mockLoaded.add("zod"), jest.requireActual("zod")));
jest.mock("yaml", () => (mockLoaded.add("yaml"), jest.requireActual("yaml")));

/** Runs one invocation in a fresh registry; returns its exit code and the heavy modules it loaded. */
async function loadsFor(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; loaded: string[] }> {
  mockLoaded.clear();
  let code = -1;
  const io: Io = { out: () => undefined, err: () => undefined, env, cwd: tmpdir() };
  await jest.isolateModulesAsync(async () => {
    const { main } = await import("../../cli/main");
    code = await main(argv, io);
  });
  return { code, loaded: HEAVY.filter((m) => mockLoaded.has(m)) };
}

// Not the fixtures' TEST_SECRETS: importing the fixtures would load yaml before any command runs.
const creds = { LIVEKIT_API_KEY: "APIlazyTestKey1", LIVEKIT_API_SECRET: "sEcReT-lazy-0123456789abcdefghijklmnopqrs" };

describe("each lkstack command loads only what it uses", () => {
  it("token loads the LiveKit SDK it signs with, and nothing of zod, Pulumi, esbuild, ioredis or tar", async () => {
    const r = await loadsFor(["token", "--stack", "s", "--room", "camera_550e8400-e29b-41d4-a716-446655440000", "--identity", "op"], creds);
    expect(r.code).toBe(0);
    expect(r.loaded).toEqual(["livekit-server-sdk"]);
  });

  it("capacity without a stack loads none of them", async () => {
    const r = await loadsFor(["capacity", "--cameras", "500", "--viewers-per-camera", "10"]);
    expect(r.code).toBe(0);
    expect(r.loaded).toEqual([]);
  });

  it.each([["doctor"], ["preview"], ["render"], ["cameras"], ["rooms"], ["viewer"], ["backup"]])(
    "%s --help loads none of them",
    async (name) => {
      const r = await loadsFor([name, "--help"]);
      expect(r.code).toBe(0);
      expect(r.loaded).toEqual([]);
    },
  );

  it("backup does load tar (so the recorder sees a load when one happens)", async () => {
    const r = await loadsFor(["backup", "--stack", "missing", "--out", "x.tar.gz", "--project", tmpdir()]);
    expect(r.code).toBe(1);
    expect(r.loaded).toContain("tar");
    expect(r.loaded).not.toContain("@pulumi/pulumi");
  });
});
