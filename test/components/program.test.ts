import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../../cli/main";
import * as pulumi from "@pulumi/pulumi";
import { RecordingEngine } from "../../cli/engine";
import { engineConfig, previewProgram } from "../../cli/preview";
import { loadStackConfig } from "../../cli/stackFile";
import { FILE_NAMES, renderPublicFiles, stackSummary } from "../../templates";
import { PROJECT_DIR } from "../helpers/fixtures";
import type { Recorded } from "../helpers/mocks";

/** Runs index.ts (the real Pulumi program) against a stack file, as `pulumi up` would, under mocks. */
async function runProgram(stack: "dev" | "prod", secretConfig: Record<string, unknown>): Promise<Recorded[]> {
  let out: Recorded[] = [];
  await jest.isolateModulesAsync(async () => {
    out = await previewProgram(stack, PROJECT_DIR, join(PROJECT_DIR, "index"), secretConfig);
  });
  return out;
}

/** What index.ts (the real Pulumi program) exports for a stack file, run under the CLI's mock engine. */
async function programExports(stack: string, projectDir: string): Promise<Record<string, unknown>> {
  const engine = new RecordingEngine();
  await engine.install(stack);
  const { config, secretKeys } = engineConfig(stack, projectDir, {});
  pulumi.runtime.setAllConfig(config, secretKeys);
  let program: Record<string, unknown> = {};
  await jest.isolateModulesAsync(async () => {
    await engine.run(async () => {
      program = (await import(join(PROJECT_DIR, "index"))) as Record<string, unknown>;
      return program;
    });
  });
  return program;
}

test("`pulumi up --stack prod` builds the Kubernetes stack from Pulumi.prod.yaml", async () => {
  const rs = await runProgram("prod", {
    cameraCredentials: { "corridor-a": { username: "u", password: "p-a-0123" }, "corridor-b": { username: "u", password: "p-b-0123" } },
  });
  const types = rs.map((r) => r.type);
  expect(types).toContain("lkstack:k8s:Stack");
  expect(types.filter((t) => t === "kubernetes:apps/v1:Deployment")).toHaveLength(5);
  expect(types).toContain("lkstack:k8s:Cameras");
  // Valkey, Sentinel and the passthrough publisher.
  expect(types.filter((t) => t === "kubernetes:apps/v1:StatefulSet")).toHaveLength(3);
  expect(types).toContain("lkstack:k8s:Publisher");
  expect(types).not.toContain("lkstack:docker:Stack");
  // Every resource has its component as parent.
  expect(rs.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "lkstack-sfu")?.parent).toBe("lkstack-sfu");
  expect(rs.find((r) => r.type === "lkstack:k8s:Sfu")?.parent).toBe("lkstack");
  // Camera credentials from secret config reach only the MediaMTX Secret, marked secret.
  const holders = rs.filter((r) => JSON.stringify(r.inputs).includes("p-a-0123"));
  expect(holders.map((r) => `${r.type} ${r.name}`)).toEqual(["kubernetes:core/v1:Secret lkstack-mediamtx-secret"]);
  expect(holders[0].secretPaths.some((p) => p.startsWith("stringData"))).toBe(true);
});

test("`pulumi up --stack dev` builds the Docker stack from Pulumi.dev.yaml", async () => {
  const rs = await runProgram("dev", { cameraCredentials: { lab: { username: "viewer", password: "lab-pass-0123" } } });
  const types = rs.map((r) => r.type);
  expect(types).toContain("lkstack:docker:Stack");
  // Valkey, SFU, coturn, MediaMTX, Ingress, the camera reconciler, the TLS edge and the publisher.
  expect(types.filter((t) => t === "docker:index/container:Container")).toHaveLength(8);
  // The publisher's image is built on the host (the dev stack names no registry), never pulled.
  expect(types).toContain("docker:index/image:Image");
  expect(types).toContain("lkstack:docker:Cameras");
  expect(types).not.toContain("lkstack:k8s:Stack");
  const holders = rs.filter((r) => JSON.stringify(r.inputs).includes("lab-pass-0123"));
  expect(holders.map((r) => r.type)).toEqual(["docker:index/container:Container"]);
  expect(holders[0].secretPaths.some((p) => p.startsWith("uploads"))).toBe(true);
});

test("secrets given with `pulumi config set --secret` replace the generated ones", async () => {
  const given = { key: "APIgivenByOps01", secret: "given-secret-0123456789abcdefghijklmnopqr" };
  const rs = await runProgram("dev", { apiKeys: [given], turnSecrets: ["given-turn-secret-0123456789abcdefghijk"] });
  const randoms = rs.filter((r) => r.type.startsWith("random:")).map((r) => r.name);
  expect(randoms.some((n) => n.includes("apiKey"))).toBe(false);
  expect(randoms.some((n) => n.includes("turnSecret"))).toBe(false);
  expect(randoms.some((n) => n.includes("valkeyPassword"))).toBe(true);
  const sfu = rs.find((r) => r.type === "docker:index/container:Container" && r.inputs.name === "lkstack-sfu");
  const keys = (sfu?.inputs.uploads as { file: string; content: string }[]).find((u) => u.file.endsWith("keys.yaml"))?.content;
  expect(keys).toBe(`${given.key}: ${given.secret}\n`);
});

test("the metrics password (secret config, else generated) reaches livekit-server as env and Prometheus's Secret, nothing else", async () => {
  const given = "given-metrics-password-0123";
  const dev = await runProgram("dev", { metricsPassword: given });
  expect(dev.some((r) => r.type.startsWith("random:") && r.name.includes("metricsPassword"))).toBe(false);
  const devHolders = dev.filter((r) => JSON.stringify(r.inputs).includes(given));
  expect(devHolders.map((r) => `${r.type} ${String(r.inputs.name)}`)).toEqual(["docker:index/container:Container lkstack-sfu"]);
  expect(devHolders[0].inputs.envs).toContain(`LIVEKIT_PROMETHEUS_PASSWORD=${given}`);
  expect(devHolders[0].secretPaths.some((p) => p.startsWith("envs"))).toBe(true);
  const prod = await runProgram("prod", {
    metricsPassword: given,
    cameraCredentials: { "corridor-a": { username: "u", password: "p-a-0123" }, "corridor-b": { username: "u", password: "p-b-0123" } },
  });
  const prodHolders = prod.filter((r) => JSON.stringify(r.inputs).includes(given));
  expect(prodHolders.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
    "kubernetes:core/v1:Secret lkstack-metrics-auth",
    "kubernetes:core/v1:Secret lkstack-sfu-secret",
  ]);
  for (const h of prodHolders) expect(h.secretPaths.some((p) => p.startsWith("stringData"))).toBe(true);
  // Generated when not given: one RandomPassword per generation, like the other secrets.
  const generated = await runProgram("dev", {});
  expect(generated.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.name)).toContain(
    "lkstack-secrets-metricsPassword-g1",
  );
});

/** One `lkstack` invocation in its own module registry: its exit code and everything it printed. */
async function lkstack(argv: string[], cwd: string): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const io: Io = { out: (s) => lines.push(s), err: (s) => lines.push(s), env: {}, cwd };
  let code = -1;
  await jest.isolateModulesAsync(async () => {
    code = await main(argv, io);
  });
  return { code, lines };
}

test("`lkstack preview --stack prod` lists every resource with secrets masked", async () => {
  const out = mkdtempSync(join(tmpdir(), "lkstack-preview-"));
  const { code, lines } = await lkstack(["preview", "--stack", "prod", "--out", out], PROJECT_DIR);
  expect(code).toBe(0);
  const text = lines.join("\n");
  // The program's own summary output, of the config it validated: the same text `render` prints.
  expect(lines[0]).toBe(stackSummary(loadStackConfig("prod", PROJECT_DIR), "prod"));
  expect(lines[0]).toMatch(/^stack prod: target kubernetes \(namespace \S+\)\nversions: livekit-server v1\.13\.5, /);
  expect(text).toMatch(/^plan: \d+ resources/m);
  expect(text).toMatch(
    /^ {4}kubernetes:apps\/v1:Deployment lkstack-sfu {2}name=lkstack-sfu replicas=3 image=livekit\/livekit-server:v1\.13\.5/m,
  );
  expect(text).toMatch(/kubernetes:core\/v1:Secret lkstack-sfu-secret {2}data=\[secret\]/);
  expect(text).not.toMatch(/generated-lkstack-secrets/);
  const written = readFileSync(join(out, "resources.yaml"), "utf8");
  expect(written).toContain("type: kubernetes:apps/v1:Deployment");
  expect(written).toContain('stringData: "[secret]"');
  expect(written).not.toMatch(/generated-lkstack-secrets/);
});

test("the program's secret outputs are marked secret (shown only with --show-secrets); the public ones are not", async () => {
  const program = await programExports("dev", PROJECT_DIR);
  const secretness = async (name: string) => [name, await pulumi.isSecret(program[name] as pulumi.Output<unknown>)];
  for (const name of ["apiSecret", "turnSecret", "valkeyPassword", "mediamtxApiPassword", "metricsPassword"])
    expect(await secretness(name)).toEqual([name, true]);
  // The output that names the stack's URN is public (and a control that isSecret can say false).
  expect(await secretness("stackUrn")).toEqual(["stackUrn", false]);
  // Every public file, rendered without secrets (so none can be in it), as `lkstack render` writes it.
  const cfg = loadStackConfig("dev", PROJECT_DIR);
  expect(program.publicConfig).toEqual(renderPublicFiles(cfg));
  expect(Object.keys(program.publicConfig as object)).toContain(FILE_NAMES.livekit);
});

test("`lkstack preview` of an invalid stack stops in the program's own validation, naming the config path and the fix", async () => {
  const project = mkdtempSync(join(tmpdir(), "lkstack-preview-bad-"));
  writeFileSync(join(project, "Pulumi.bad.yaml"), "config:\n  lkstack:target: kubernetes\n  lkstack:valkey:\n    port: 99999\n");
  const { code, lines } = await lkstack(["preview", "--stack", "bad", "--project", project], project);
  expect(code).toBe(1);
  const text = lines.join("\n");
  expect(text).toContain("lkstack:valkey.port");
  expect(text).toMatch(/fix: /);
  expect(text).not.toMatch(/^plan: /m);
});

test("a stack without the edge exports signallingUrl as null, and the engine warns of nothing", async () => {
  const project = mkdtempSync(join(tmpdir(), "lkstack-preview-edgeless-"));
  writeFileSync(
    join(project, "Pulumi.edgeless.yaml"),
    "config:\n  lkstack:target: kubernetes\n  lkstack:turn:\n    domain: turn.example.test\n    allowedPeers: [10.0.0.0/16]\n",
  );
  const warnings = jest.spyOn(console, "error").mockImplementation(() => undefined);
  const logs = jest.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    const program = await programExports("edgeless", project);
    expect(program.signallingUrl).toBeNull();
    expect([...warnings.mock.calls, ...logs.mock.calls].flat().join("\n")).not.toMatch(/Undefined value/);
  } finally {
    warnings.mockRestore();
    logs.mockRestore();
  }
});
