import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { main, type Io } from "../../cli/main";
import { k8sManifests, k8sObjectList } from "../../templates";
import { reconcilerCode } from "../../reconciler/bundle";
import { PROJECT_DIR, stackFromFile, TEST_SECRETS } from "../helpers/fixtures";
import { validateK8s } from "../helpers/k8sValidate";

function io(env: Record<string, string>): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (s) => stdout.push(s), err: (s) => stderr.push(s), env, cwd: PROJECT_DIR, stdout, stderr };
}

const docs = (file: string): Record<string, unknown>[] =>
  parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJSON() as Record<string, unknown>);

describe("Kubernetes OpenAPI validation", () => {
  it("rejects objects a cluster would reject (so passing results mean something)", () => {
    const results = validateK8s([
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "x" },
        spec: { selector: {}, template: { spec: { containers: [{ name: "a", ports: [{ containerPort: "http" }] }] } } },
      },
      { apiVersion: "v1", kind: "Service", metadata: { name: "y" }, spec: { ports: [{ port: 80, protocol: "SCTPX" }] } },
      { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "z" }, spec: { maxUnavailable: 1 } },
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, false, true]);
    expect(results[0].error).toMatch(/containerPort/);
  });
});

describe("lkstack render --manifests", () => {
  it("writes every object of the prod stack, schema-valid, with Secrets apart (0600)", async () => {
    const out = mkdtempSync(join(tmpdir(), "lkstack-manifests-"));
    const env = {
      VALKEY_PASSWORD: TEST_SECRETS.valkeyPassword,
      TURN_SECRET: TEST_SECRETS.turnSecrets[0],
      LIVEKIT_API_SECRET: TEST_SECRETS.apiKeys[0].secret,
      LKSTACK_METRICS_PASSWORD: TEST_SECRETS.metricsPassword,
    };
    const t = io(env);
    expect(await main(["render", "--stack", "prod", "--out", out, "--manifests"], t)).toBe(0);
    const publicObjects = docs(join(out, "manifests", "lkstack.yaml"));
    const secretObjects = docs(join(out, "secret", "manifests-secrets.yaml"));
    expect(publicObjects.length).toBe(k8sObjectList(k8sManifests(stackFromFile("prod"), reconcilerCode())).length);
    expect(new Set(publicObjects.map((o) => o.kind))).toEqual(
      new Set([
        "Namespace",
        "ConfigMap",
        "Service",
        "StatefulSet",
        "PodDisruptionBudget",
        "Deployment",
        "NetworkPolicy",
        "ServiceMonitor",
        "PrometheusRule",
      ]),
    );
    // One per workload, and the SFU's metrics credentials for its ServiceMonitor.
    expect(secretObjects.map((o) => o.kind)).toEqual(Array(8).fill("Secret"));
    expect(statSync(join(out, "secret", "manifests-secrets.yaml")).mode & 0o777).toBe(0o600);
    const publicText = readFileSync(join(out, "manifests", "lkstack.yaml"), "utf8");
    const secretText = readFileSync(join(out, "secret", "manifests-secrets.yaml"), "utf8");
    for (const v of Object.values(env)) {
      expect(publicText).not.toContain(v);
      expect(secretText).toContain(v);
    }
    // Workloads reference exactly the Secrets written next to them.
    const secretNames = new Set(secretObjects.map((o) => (o.metadata as { name: string }).name));
    const referenced = [...publicText.matchAll(/secretName: (lkstack-[a-z-]+)/g)].map((m) => m[1]);
    expect(referenced.length).toBeGreaterThan(4);
    for (const n of referenced) expect(secretNames).toContain(n);
    // So does the SFU's ServiceMonitor (basic auth for its metrics port).
    const sfuMonitor = publicObjects.find((o) => o.kind === "ServiceMonitor" && (o.metadata as { name: string }).name === "lkstack-sfu");
    const basicAuth = JSON.stringify((sfuMonitor?.spec as { endpoints: { basicAuth: unknown }[] }).endpoints[0].basicAuth);
    expect(basicAuth).toBe(
      JSON.stringify({
        username: { name: "lkstack-sfu-metrics-auth", key: "username" },
        password: { name: "lkstack-sfu-metrics-auth", key: "password" },
      }),
    );
    expect(secretNames).toContain("lkstack-sfu-metrics-auth");
    expect(validateK8s([...publicObjects, ...secretObjects]).filter((r) => !r.ok)).toEqual([]);
    expect(t.stdout.join("\n")).toMatch(/wrote \d+ Kubernetes objects/);
  });

  it("refuses the docker target before writing anything", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "lkstack-manifests-")), "never");
    const t = io({});
    expect(await main(["render", "--stack", "dev", "--out", out, "--manifests"], t)).toBe(1);
    expect(t.stderr.join("\n")).toMatch(/--manifests needs the kubernetes target; stack dev has lkstack:target docker/);
    expect(() => statSync(out)).toThrow();
  });
});
