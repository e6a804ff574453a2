import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { prepareEngine, stackFileConfig } from "../helpers/pulumiEngine";
import { requireBinaries } from "../helpers/servers";

// The dev stack (target: docker) through the real engine. Its provider, pulumi-docker, cannot be
// built here: the module proxy refuses github.com/pulumi/pulumi-docker/provider/v5 (and v4), so the
// engine must stop at the plugin, before any resource, and say which one. This pins that reason;
// when a docker provider is on PATH this test fails and must become a real preview/up.
const { available } = requireBinaries(["pulumi"]);
const suite = available ? describe : describe.skip;
/** The docker provider version the SDK in package.json asks the engine for. */
const DOCKER_SDK = (JSON.parse(readFileSync(require.resolve("@pulumi/docker/package.json"), "utf8")) as { version: string }).version;

suite("dev through the real Pulumi engine", () => {
  it("preview stops at the missing docker provider plugin, naming it, with every other input accepted", async () => {
    const engine = prepareEngine({});
    const secret = (v: unknown) => ({ value: typeof v === "string" ? v : JSON.stringify(v), secret: true });
    const value = () => `engDev${randomBytes(20).toString("hex")}`;
    const config = {
      ...stackFileConfig("dev"),
      "lkstack:apiKeys": secret([{ key: `API${randomBytes(6).toString("hex")}`, secret: value() }]),
      "lkstack:turnSecrets": secret([value()]),
      "lkstack:valkeyPassword": secret(value()),
      "lkstack:mediamtxApiPassword": secret(value()),
      "lkstack:mediamtxReadPassword": secret(value()),
      "lkstack:metricsPassword": secret(value()),
      "lkstack:cameraCredentials": secret({ lab: { username: "viewer", password: value() } }),
    };
    const r = await engine.run("preview", "dev", config);
    expect(r.ok).toBe(false);
    // The one error: the engine cannot load the docker provider the SDK asks for.
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain(`no resource plugin 'pulumi-resource-docker' found in the workspace at version v${DOCKER_SDK}`);
    expect(errors[0].urn).toMatch(/pulumi:providers:docker::/);
    // The program itself ran through the engine: config accepted, components registered, and no
    // random.* resource asked for (every secret is given).
    const types = new Set(r.steps.map((s) => s.type));
    expect(types).toContain("lkstack:docker:Stack");
    expect([...types].filter((t) => t.startsWith("random:"))).toEqual([]);
    process.stdout.write(`dev preview: ${errors[0].message.trim()}\n`);
  }, 300_000);
});
