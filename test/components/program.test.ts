import * as pulumi from "@pulumi/pulumi";
import { readStackFile } from "../../cli/stackFile";
import { PROJECT_DIR } from "../helpers/fixtures";
import { recordingMocks, settled, type Recorded } from "../helpers/mocks";

const rec = recordingMocks();

beforeAll(async () => {
  await rec.install();
});

/** Runs index.ts (the real Pulumi program) against a stack file, as `pulumi up` would. */
async function runProgram(
  stack: "dev" | "prod",
  cameraCredentials: Record<string, unknown>,
  secretConfig: Record<string, unknown> = {},
): Promise<Recorded[]> {
  rec.resources.length = 0;
  const raw = readStackFile(stack, PROJECT_DIR);
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) config[k] = typeof v === "string" ? v : JSON.stringify(v);
  config["lkstack:cameraCredentials"] = JSON.stringify(cameraCredentials);
  for (const [k, v] of Object.entries(secretConfig)) config[`lkstack:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  pulumi.runtime.setAllConfig(config, ["lkstack:cameraCredentials", ...Object.keys(secretConfig).map((k) => `lkstack:${k}`)]);
  let program: { stackUrn?: pulumi.Output<string>; apiSecret?: pulumi.Output<string> } = {};
  await jest.isolateModulesAsync(async () => {
    program = (await import("../../index")) as typeof program;
  });
  if (!program.stackUrn || !program.apiSecret) throw new Error("the program exports no stackUrn/apiSecret");
  await settled(program.stackUrn);
  // Let the workloads that wait on Secret names register.
  for (let i = 0; i < 50 && !rec.resources.some((r) => /Deployment|Container|Service$/.test(r.type)); i++)
    await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  expect(await new Promise((resolve) => pulumi.isSecret(program.apiSecret as pulumi.Output<string>).then(resolve))).toBe(true);
  return [...rec.resources];
}

test("`pulumi up --stack prod` builds the Kubernetes stack from Pulumi.prod.yaml", async () => {
  const rs = await runProgram("prod", {
    "corridor-a": { username: "u", password: "p-a-0123" },
    "corridor-b": { username: "u", password: "p-b-0123" },
  });
  const types = rs.map((r) => r.type);
  expect(types).toContain("lkstack:k8s:Stack");
  expect(types.filter((t) => t === "kubernetes:apps/v1:Deployment")).toHaveLength(4);
  expect(types.filter((t) => t === "kubernetes:apps/v1:StatefulSet")).toHaveLength(2);
  expect(types).not.toContain("lkstack:docker:Stack");
  // Camera credentials from secret config reach only the MediaMTX Secret.
  const holders = rs.filter((r) => JSON.stringify(r.inputs).includes("p-a-0123")).map((r) => r.type);
  expect(holders).toEqual(["kubernetes:core/v1:Secret"]);
});

test("`pulumi up --stack dev` builds the Docker stack from Pulumi.dev.yaml", async () => {
  const rs = await runProgram("dev", { lab: { username: "viewer", password: "lab-pass-0123" } });
  const types = rs.map((r) => r.type);
  expect(types).toContain("lkstack:docker:Stack");
  expect(types.filter((t) => t === "docker:index/container:Container")).toHaveLength(5);
  expect(types).not.toContain("lkstack:k8s:Stack");
  const holders = rs.filter((r) => JSON.stringify(r.inputs).includes("lab-pass-0123"));
  expect(holders.map((r) => r.type)).toEqual(["docker:index/container:Container"]);
  expect(holders[0].secretPaths.some((p) => p.startsWith("uploads"))).toBe(true);
});

test("secrets given with `pulumi config set --secret` replace the generated ones", async () => {
  const given = { key: "APIgivenByOps01", secret: "given-secret-0123456789abcdefghijklmnopqr" };
  const rs = await runProgram(
    "dev",
    { lab: { username: "viewer", password: "lab-pass-0123" } },
    {
      apiKeys: [given],
      turnSecrets: ["given-turn-secret-0123456789abcdefghijk"],
    },
  );
  const randoms = rs.filter((r) => r.type.startsWith("random:")).map((r) => r.name);
  expect(randoms.some((n) => n.includes("apiKey"))).toBe(false);
  expect(randoms.some((n) => n.includes("turnSecret"))).toBe(false);
  expect(randoms.some((n) => n.includes("valkeyPassword"))).toBe(true);
  const sfu = rs.find((r) => r.type === "docker:index/container:Container" && r.inputs.name === "lkstack-sfu");
  const keys = (sfu?.inputs.uploads as { file: string; content: string }[]).find((u) => u.file.endsWith("keys.yaml"))?.content;
  expect(keys).toBe(`${given.key}: ${given.secret}\n`);
});
