import { join } from "node:path";
import type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { previewProgram } from "../../cli/preview";
import type { Recorded } from "../../cli/engine";
import {
  containersHaveLimits,
  coturnDeniesPrivatePeers,
  imagesPinnedByDigest,
  noPublicInternalServices,
  noSecretInConfigMap,
  POLICIES,
  sfuDisruptionBudgetAndOnePerNode,
} from "../../policy/policies";
import { k8sManifests, renderStack } from "../../templates";
import { PROJECT_DIR, stackFromFile, TEST_SECRETS } from "../helpers/fixtures";

type Props = Record<string, unknown>;

function resource(type: string, props: Props, name = "r"): PolicyResource & ResourceValidationArgs {
  const never = (): never => {
    throw new Error("not applicable");
  };
  return {
    type,
    props,
    urn: `urn:pulumi:test::lkstack::${type}::${name}`,
    name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: never,
  } as PolicyResource & ResourceValidationArgs;
}

async function violations(
  policy: { validateResource?: unknown; validateStack?: unknown },
  resources: (PolicyResource & ResourceValidationArgs)[],
): Promise<string[]> {
  const out: string[] = [];
  const report: ReportViolation = (message: string) => out.push(message);
  if (typeof policy.validateResource === "function")
    for (const r of resources) await (policy.validateResource as (a: ResourceValidationArgs, rep: ReportViolation) => void)(r, report);
  if (typeof policy.validateStack === "function") {
    const args: StackValidationArgs = {
      resources,
      stackTags: new Map(),
      getConfig: <T extends object>() => ({}) as T,
      notApplicable: () => {
        throw new Error("n/a");
      },
    };
    await (policy.validateStack as (a: StackValidationArgs, rep: ReportViolation) => void)(args, report);
  }
  return out;
}

const container = (limits?: Props) => ({ name: "c", image: "i", ...(limits ? { resources: { limits } } : {}) });
const deployment = (containers: Props[], extra: Props = {}) =>
  resource("kubernetes:apps/v1:Deployment", { metadata: { name: "x" }, spec: { template: { spec: { containers } } }, ...extra });

describe("policy pack: each policy passes a good resource and flags a bad one", () => {
  test("containers-have-limits", async () => {
    expect(await violations(containersHaveLimits, [deployment([container({ cpu: "1", memory: "1Gi" })])])).toEqual([]);
    expect(await violations(containersHaveLimits, [deployment([container({ cpu: "1" })])])).toEqual([
      expect.stringMatching(/container "c" has no CPU and memory limits/),
    ]);
    expect(await violations(containersHaveLimits, [resource("docker:index/container:Container", { memory: 512, cpus: "1" })])).toEqual([]);
    expect(await violations(containersHaveLimits, [resource("docker:index/container:Container", { cpus: "1" })])).toHaveLength(1);
    expect(
      await violations(containersHaveLimits, [
        resource("docker:index/service:Service", { taskSpec: { resources: { limits: { memoryBytes: 1, nanoCpus: 1 } } } }),
      ]),
    ).toEqual([]);
    expect(await violations(containersHaveLimits, [resource("docker:index/service:Service", { taskSpec: {} })])).toHaveLength(1);
  });

  test("no-secret-in-configmap", async () => {
    const cm = (data: Props) => resource("kubernetes:core/v1:ConfigMap", { data });
    expect(
      await violations(noSecretInConfigMap, [
        cm({ "livekit.yaml": "key_file: /etc/livekit/secret/keys.yaml\nrtc:\n  turn_servers:\n    - secret_file: /x\n" }),
      ]),
    ).toEqual([]);
    for (const bad of [
      "requirepass hunter2hunter2",
      "static-auth-secret=abcdef0123",
      "redis:\n  password: s3cr3t-value",
      "APIabcdefgh1234: 0123456789abcdef0123456789",
      "-----BEGIN RSA PRIVATE KEY-----",
    ])
      expect([bad, (await violations(noSecretInConfigMap, [cm({ f: bad })])).length]).toEqual([bad, 1]);
  });

  test("sfu-pdb-and-one-pod-per-node", async () => {
    const labels = { "app.kubernetes.io/name": "lkstack-sfu", "app.kubernetes.io/part-of": "lkstack" };
    const sfu = (anti: boolean, maxSurge: number) =>
      resource("kubernetes:apps/v1:Deployment", {
        metadata: { name: "lkstack-sfu" },
        spec: {
          strategy: { rollingUpdate: { maxSurge, maxUnavailable: 1 } },
          template: {
            metadata: { labels },
            spec: anti
              ? {
                  affinity: {
                    podAntiAffinity: {
                      requiredDuringSchedulingIgnoredDuringExecution: [
                        { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: labels } },
                      ],
                    },
                  },
                }
              : {},
          },
        },
      });
    const pdb = resource("kubernetes:policy/v1:PodDisruptionBudget", { spec: { maxUnavailable: 1, selector: { matchLabels: labels } } });
    expect(await violations(sfuDisruptionBudgetAndOnePerNode, [sfu(true, 0), pdb])).toEqual([]);
    const bad = await violations(sfuDisruptionBudgetAndOnePerNode, [sfu(false, 1)]);
    expect(bad).toEqual([
      expect.stringMatching(/anti-affinity/),
      expect.stringMatching(/maxSurge: 0/),
      expect.stringMatching(/PodDisruptionBudget/),
    ]);
  });

  test("coturn-denies-private-peers", async () => {
    const good = renderStack(stackFromFile("prod"), TEST_SECRETS).turn?.publicFiles["turnserver.conf"] ?? "";
    const cm = (conf: string) => resource("kubernetes:core/v1:ConfigMap", { data: { "turnserver.conf": conf } });
    expect(await violations(coturnDeniesPrivatePeers, [cm(good)])).toEqual([]);
    const open = good.replace(/^denied-peer-ip=10\.0\.0\.0-10\.255\.255\.255\n/m, "");
    expect(await violations(coturnDeniesPrivatePeers, [cm(open)])).toEqual([
      expect.stringMatching(/does not deny 10\.0\.0\.0-10\.255\.255\.255/),
    ]);
    expect(await violations(coturnDeniesPrivatePeers, [cm(good + "allow-loopback-peers\n")])).toEqual([expect.stringMatching(/loopback/)]);
    const upload = resource("docker:index/container:Container", { uploads: [{ file: "/etc/coturn/turnserver.conf", content: open }] });
    expect(await violations(coturnDeniesPrivatePeers, [upload])).toHaveLength(1);
  });

  test("coturn-denies-private-peers reads allowed-peer-ip lines: a range spanning a denied one is flagged", async () => {
    const good = renderStack(stackFromFile("prod"), TEST_SECRETS).turn?.publicFiles["turnserver.conf"] ?? "";
    const cm = (conf: string) => resource("kubernetes:core/v1:ConfigMap", { data: { "turnserver.conf": conf } });
    // The prod stack's own allow line (the SFU subnet) passes.
    expect(good).toMatch(/^allowed-peer-ip=10\.20\.0\.0-10\.20\.255\.255$/m);
    expect(await violations(coturnDeniesPrivatePeers, [cm(good)])).toEqual([]);
    expect(await violations(coturnDeniesPrivatePeers, [cm(good + "allowed-peer-ip=10.0.0.0-10.255.255.255\n")])).toEqual([
      expect.stringMatching(/allowed-peer-ip=10\.0\.0\.0-10\.255\.255\.255 re-opens 10\.0\.0\.0\/8/),
    ]);
    expect(await violations(coturnDeniesPrivatePeers, [cm(good + "allowed-peer-ip=0.0.0.0-255.255.255.255\n")])).toEqual([
      expect.stringMatching(
        /re-opens 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16, 100\.64\.0\.0\/10, 127\.0\.0\.0\/8, 169\.254\.0\.0\/16/,
      ),
    ]);
    expect(await violations(coturnDeniesPrivatePeers, [cm(good + "allowed-peer-ip=169.254.0.0-169.254.255.255\n")])).toHaveLength(1);
    // A single host inside a denied range (the SFU) is what allowedPeers is for.
    expect(await violations(coturnDeniesPrivatePeers, [cm(good + "allowed-peer-ip=10.1.2.3\n")])).toEqual([]);
  });

  test("images-pinned-by-digest (advisory): a tag-only image is flagged, a digest-pinned one passes", async () => {
    expect(imagesPinnedByDigest.enforcementLevel).toBe("advisory");
    const digest = `sha256:${"ab".repeat(32)}`;
    const pinned = stackFromFile("prod");
    const byDigest = { ...pinned, versions: { ...pinned.versions, livekitServer: `v1.13.5@${digest}` } };
    const sfu = (cfg: typeof pinned) => {
      const d = k8sManifests(cfg, "//").sfu.deployment;
      return resource("kubernetes:apps/v1:Deployment", d as unknown as Props);
    };
    expect(await violations(imagesPinnedByDigest, [sfu(pinned)])).toEqual([
      expect.stringMatching(/livekit\/livekit-server:v1\.13\.5 is pinned by tag only/),
    ]);
    expect(await violations(imagesPinnedByDigest, [sfu(byDigest)])).toEqual([]);
    expect(
      await violations(imagesPinnedByDigest, [resource("docker:index/container:Container", { image: "coturn/coturn:4.17.1" })]),
    ).toHaveLength(1);
  });

  test("no-public-internal-services", async () => {
    const svc = (type: string, selector: Props, port: number) =>
      resource("kubernetes:core/v1:Service", { spec: { type, selector, ports: [{ port }] } });
    expect(await violations(noPublicInternalServices, [svc("ClusterIP", { "app.kubernetes.io/name": "lkstack-valkey" }, 6379)])).toEqual(
      [],
    );
    expect(await violations(noPublicInternalServices, [svc("LoadBalancer", { "app.kubernetes.io/name": "lkstack-sfu" }, 7880)])).toEqual(
      [],
    );
    expect(
      await violations(noPublicInternalServices, [svc("LoadBalancer", { "app.kubernetes.io/name": "lkstack-valkey" }, 6379)]),
    ).toHaveLength(1);
    expect(await violations(noPublicInternalServices, [svc("NodePort", { app: "other" }, 8086)])).toEqual([
      expect.stringMatching(/internal port\(s\) 8086/),
    ]);
  });
});

describe("policy pack against what the real program would create", () => {
  const asPolicy = (rs: Recorded[]) => rs.map((r) => resource(r.type, r.inputs, r.name));
  for (const stack of ["dev", "prod"] as const)
    test(`the ${stack} stack passes every policy`, async () => {
      let rs: Recorded[] = [];
      await jest.isolateModulesAsync(async () => {
        rs = await previewProgram(stack, PROJECT_DIR, join(PROJECT_DIR, "index"));
      });
      expect(rs.length).toBeGreaterThan(20);
      for (const p of POLICIES.filter((x) => x.enforcementLevel === "mandatory"))
        expect([p.name, await violations(p, asPolicy(rs))]).toEqual([p.name, []]);
      // Advisory: the seed's version table pins by tag, so each image is named once per workload.
      const advice = await violations(imagesPinnedByDigest, asPolicy(rs));
      expect(advice.length).toBeGreaterThan(0);
      for (const a of advice) expect(a).toMatch(/is pinned by tag only; pin it by digest in lkstack:versions/);
    });
});
