import * as pulumi from "@pulumi/pulumi";
import type { Container, PodSpec } from "kubernetes-types/core/v1";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { parse as parseYaml } from "yaml";
import { parseStackConfig, type StackConfig } from "../../schema";
import { beforeBlock, get, ofType, recordingMocks, settled, type Recorded } from "../helpers/mocks";
import { minimal, stackFromFile } from "../helpers/fixtures";
import { objectFromRecorded, validateK8s } from "../helpers/k8sValidate";

const rec = recordingMocks();

beforeAll(async () => {
  await rec.install();
});

/** Every pulumi.Resource reachable from a component's fields. */
function resourcesIn(o: unknown, seen = new Set<unknown>()): pulumi.Resource[] {
  if (o === null || typeof o !== "object" || seen.has(o)) return [];
  seen.add(o);
  if (Array.isArray(o)) return o.flatMap((x) => resourcesIn(x, seen));
  const own = pulumi.Resource.isInstance(o) ? [o] : [];
  if (pulumi.Resource.isInstance(o) && !(o instanceof pulumi.ComponentResource)) return own;
  return [...own, ...Object.values(o).flatMap((x) => resourcesIn(x, seen))];
}

async function deploy(
  cfg: StackConfig,
  cameraCredentials: Record<string, { username: string; password: string }> = {},
): Promise<Recorded[]> {
  rec.resources.length = 0;
  const { K8sStack } = await import("../../components/k8s");
  const { GeneratedSecrets } = await import("../../components/secrets");
  const secrets = new GeneratedSecrets("lkstack-secrets", { rotation: cfg.rotation, cameraCredentials });
  const stack = new K8sStack("lkstack", { config: cfg, secrets: secrets.secrets });
  await settled(...resourcesIn(stack).map((r) => r.urn));
  return [...rec.resources];
}

const podSpecs = (rs: Recorded[]): { name: string; spec: PodSpec; labels: Record<string, string> }[] =>
  rs
    .filter((r) => r.type === "kubernetes:apps/v1:Deployment" || r.type === "kubernetes:apps/v1:StatefulSet")
    .map((r) => ({
      name: r.name,
      spec: get(r.inputs, "spec.template.spec") as PodSpec,
      labels: get(r.inputs, "spec.template.metadata.labels") as Record<string, string>,
    }));

const containers = (rs: Recorded[]): { name: string; c: Container }[] =>
  podSpecs(rs).flatMap((p) => p.spec.containers.map((c) => ({ name: p.name, c })));

const byName = (rs: Recorded[], type: string, name: string): Recorded => {
  const r = ofType(rs, type).find((x) => x.name === name);
  if (!r)
    throw new Error(
      `no ${type} named ${name}; have ${ofType(rs, type)
        .map((x) => x.name)
        .join(", ")}`,
    );
  return r;
};

const secretValues = (rs: Recorded[]): string[] =>
  rs
    .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
    .map((r) => `generated-${r.name}-0123456789abcdefghijklmnopqrstuv`)
    .concat("camera-pass-0123");

describe("Kubernetes target under mocks (prod stack)", () => {
  let rs: Recorded[];
  beforeBlock(async () => {
    rs = await deploy(stackFromFile("prod"), {
      "corridor-a": { username: "viewer", password: "camera-pass-0123" },
      "corridor-b": { username: "viewer", password: "camera-pass-0123" },
    });
  });

  test("one component per service under lkstack:k8s:Stack", () => {
    const types = new Set(rs.map((r) => r.type));
    for (const t of [
      "lkstack:k8s:Stack",
      "lkstack:k8s:Sfu",
      "lkstack:k8s:Ingress",
      "lkstack:k8s:Turn",
      "lkstack:k8s:Valkey",
      "lkstack:k8s:MediaMtx",
      "lkstack:k8s:Cameras",
    ])
      expect(types).toContain(t);
  });

  test("SFU: host network, one pod per node, maxSurge 0, PDB, spread, probes, drain, node IP", () => {
    const d = byName(rs, "kubernetes:apps/v1:Deployment", "lkstack-sfu");
    expect(get(d.inputs, "spec.replicas")).toBe(3);
    expect(get(d.inputs, "spec.strategy.rollingUpdate")).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    const spec = get(d.inputs, "spec.template.spec") as PodSpec;
    expect(spec.hostNetwork).toBe(true);
    expect(spec.dnsPolicy).toBe("ClusterFirstWithHostNet");
    const anti = spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    expect(anti.map((t) => t.topologyKey)).toEqual(["kubernetes.io/hostname"]);
    expect(spec.topologySpreadConstraints?.[0].topologyKey).toBe("topology.kubernetes.io/zone");
    expect(JSON.stringify(spec.affinity?.nodeAffinity)).toContain("node-role.kubernetes.io/control-plane");
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(600);
    expect(spec.terminationGracePeriodSeconds).toBeLessThan(86400);
    const c = spec.containers[0];
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/", port: "http" });
    expect(c.livenessProbe?.tcpSocket).toBeDefined();
    expect(c.livenessProbe?.httpGet).toBeUndefined();
    expect(c.lifecycle?.preStop?.exec?.command).toEqual(["sleep", expect.any(String)]);
    expect(c.env?.find((e) => e.name === "NODE_IP")?.valueFrom?.fieldRef?.fieldPath).toBe("status.hostIP");
    const ports = c.ports ?? [];
    for (const p of [7880, 7881, 7882]) expect(ports.some((x) => x.containerPort === p && x.protocol === "TCP")).toBe(true);
    const udp = ports.filter((x) => x.protocol === "UDP").map((x) => x.containerPort);
    expect(udp).toHaveLength(501);
    expect(Math.min(...udp)).toBe(50000);
    expect(Math.max(...udp)).toBe(50500);
    const pdb = byName(rs, "kubernetes:policy/v1:PodDisruptionBudget", "lkstack-sfu");
    expect(get(pdb.inputs, "spec.maxUnavailable")).toBe(1);
    expect(get(pdb.inputs, "spec.selector.matchLabels")).toEqual(get(d.inputs, "spec.selector.matchLabels"));
  });

  test("every container has requests, limits, probes and a restricted security context", () => {
    const all = containers(rs);
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const { name, c } of all) {
      const ctx = `${name}/${c.name}`;
      expect([ctx, c.resources?.limits?.cpu, c.resources?.limits?.memory].every(Boolean)).toBe(true);
      expect([ctx, c.resources?.requests?.cpu, c.resources?.requests?.memory].every(Boolean)).toBe(true);
      expect([ctx, Boolean(c.readinessProbe && c.livenessProbe)]).toEqual([ctx, true]);
      expect([
        ctx,
        c.securityContext?.allowPrivilegeEscalation,
        c.securityContext?.runAsNonRoot,
        c.securityContext?.capabilities?.drop,
      ]).toEqual([ctx, false, true, ["ALL"]]);
      expect([ctx, c.securityContext?.readOnlyRootFilesystem]).toEqual([ctx, true]);
    }
    for (const { name, spec } of podSpecs(rs)) expect([name, spec.securityContext?.runAsNonRoot]).toEqual([name, true]);
  });

  test("limits come from the schema", () => {
    const sfu = containers(rs).find((x) => x.name === "lkstack-sfu");
    expect(sfu?.c.resources).toEqual({ requests: { cpu: "2", memory: "3Gi" }, limits: { cpu: "4", memory: "4Gi" } });
  });

  test("no secret value in any ConfigMap, annotation, label or unmarked input", () => {
    const values = secretValues(rs);
    expect(values.length).toBeGreaterThan(3);
    for (const r of rs) {
      if (r.type === "kubernetes:core/v1:Secret") continue;
      if (r.type.startsWith("random:")) continue;
      const text = JSON.stringify(r.inputs);
      for (const v of values) expect([r.type, r.name, text.includes(v)]).toEqual([r.type, r.name, false]);
    }
    const secrets = ofType(rs, "kubernetes:core/v1:Secret");
    // sfu, ingress, turn, valkey, mediamtx, the camera reconciler, the publisher, and the SFU's metrics auth for Prometheus
    expect(secrets.length).toBe(8);
    // The values searched for above are real: each one is in some Secret.
    const inSecrets = JSON.stringify(secrets.map((s) => s.inputs));
    for (const v of values) expect([v, inSecrets.includes(v)]).toEqual([v, true]);
    for (const s of secrets) {
      expect(s.secretPaths.some((p) => p === "stringData" || p.startsWith("stringData"))).toBe(true);
      expect(get(s.inputs, "immutable")).toBe(true);
      // Auto-named: no content hash of a secret in its name.
      expect(get(s.inputs, "metadata.name")).toBeUndefined();
    }
  });

  test("workloads mount the auto-named Secret and the content-named ConfigMap", () => {
    const d = byName(rs, "kubernetes:apps/v1:Deployment", "lkstack-sfu");
    const vols = get(d.inputs, "spec.template.spec.volumes") as {
      name: string;
      secret?: { secretName: string; defaultMode: number };
      configMap?: { name: string };
    }[];
    expect(vols.find((v) => v.secret)?.secret?.secretName).toBe("lkstack-sfu-secret-a1b2c3d4");
    expect(vols.find((v) => v.secret)?.secret?.defaultMode).toBe(0o440);
    const cm = byName(rs, "kubernetes:core/v1:ConfigMap", "lkstack-sfu-config");
    expect(vols.find((v) => v.configMap)?.configMap?.name).toBe(get(cm.inputs, "metadata.name"));
    expect(get(cm.inputs, "metadata.name")).toMatch(/^lkstack-sfu-config-[0-9a-f]{10}$/);
    expect(get(cm.inputs, "immutable")).toBe(true);
  });

  test("coturn: host network, TLS from the referenced Secret, auth fragment from its Secret", () => {
    const d = byName(rs, "kubernetes:apps/v1:Deployment", "lkstack-turn");
    const spec = get(d.inputs, "spec.template.spec") as PodSpec;
    expect(spec.hostNetwork).toBe(true);
    expect(spec.volumes?.find((v) => v.name === "tls")?.secret?.secretName).toBe("turn-rta-ae-tls");
    const ports = spec.containers[0].ports ?? [];
    expect(ports.map((p) => `${p.containerPort}/${p.protocol}`)).toEqual(expect.arrayContaining(["3478/UDP", "3478/TCP", "5349/TCP"]));
  });

  test("Valkey Sentinel: data StatefulSet with PVCs and three sentinels on writable config", () => {
    const data = byName(rs, "kubernetes:apps/v1:StatefulSet", "lkstack-valkey");
    expect(get(data.inputs, "spec.replicas")).toBe(3);
    expect(get(data.inputs, "spec.volumeClaimTemplates.0.spec.resources.requests.storage")).toBe("8Gi");
    const sentinel = byName(rs, "kubernetes:apps/v1:StatefulSet", "lkstack-valkey-sentinel");
    expect(get(sentinel.inputs, "spec.replicas")).toBe(3);
    const cmd = (get(sentinel.inputs, "spec.template.spec.containers.0.command") as string[]).join(" ");
    expect(cmd).toContain("> /data/sentinel.conf");
    expect(get(sentinel.inputs, "spec.template.spec.volumes")).toEqual(expect.arrayContaining([{ name: "data", emptyDir: {} }]));
  });

  test("MediaMTX and Ingress Services stay inside the cluster", () => {
    for (const name of ["lkstack-mediamtx", "lkstack-ingress", "lkstack-valkey", "lkstack-valkey-sentinel"]) {
      const s = byName(rs, "kubernetes:core/v1:Service", name);
      expect([name, get(s.inputs, "spec.type") ?? "ClusterIP"]).toEqual([name, "ClusterIP"]);
    }
    const m = byName(rs, "kubernetes:core/v1:Service", "lkstack-mediamtx");
    expect((get(m.inputs, "spec.ports") as { port: number }[]).map((p) => p.port).sort()).toEqual([8554, 9997]);
    const i = byName(rs, "kubernetes:core/v1:Service", "lkstack-ingress");
    expect((get(i.inputs, "spec.ports") as { name: string; port: number }[]).find((p) => p.name === "rtmp")?.port).toBe(1935);
  });

  test("camera path: the Ingress's RTMP port admits MediaMTX pods only, MediaMTX's API the reconciler only", () => {
    const policies = ofType(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs as unknown as NetworkPolicy);
    const fromFor = (policy: string, port: number) =>
      policies
        .find((p) => p.metadata?.name === policy)
        ?.spec?.ingress?.filter((rule) => rule.ports?.some((p) => p.port === port))
        .flatMap((rule) => rule.from ?? []);
    expect(fromFor("lkstack-ingress", 1935)).toEqual([
      { podSelector: { matchLabels: expect.objectContaining({ "app.kubernetes.io/name": "lkstack-mediamtx" }) } },
    ]);
    expect(fromFor("lkstack-mediamtx", 9997)).toEqual([
      { podSelector: { matchLabels: expect.objectContaining({ "app.kubernetes.io/name": "lkstack-cameras" }) } },
    ]);
  });

  test("NetworkPolicies: default deny; only SFU and TURN admit the world; every workload is covered", () => {
    const policies = ofType(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs as unknown as NetworkPolicy);
    const deny = policies.find((p) => JSON.stringify(p.spec?.podSelector) === "{}");
    expect(deny?.spec?.ingress).toEqual([]);
    const opensWorld = policies.filter((p) => JSON.stringify(p.spec?.ingress).includes('"0.0.0.0/0"')).map((p) => p.metadata?.name);
    expect(opensWorld.sort()).toEqual(["lkstack-sfu", "lkstack-turn"]);
    for (const { name, labels: podLabels } of podSpecs(rs)) {
      const covered = policies.some((p) => {
        const sel = p.spec?.podSelector?.matchLabels ?? {};
        return Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => podLabels[k] === v);
      });
      expect([name, covered]).toEqual([name, true]);
    }
    const valkey = policies.find((p) => p.metadata?.name === "lkstack-valkey");
    expect(JSON.stringify(valkey?.spec?.ingress)).toContain("10.20.0.0/16");
  });

  test("monitoring: ServiceMonitor, alert rules and a Grafana dashboard", () => {
    const sm = ofType(rs, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
    expect(sm.map((r) => r.name).sort()).toEqual(["lkstack-servicemonitor", "lkstack-sfu-servicemonitor"]);
    const rule = ofType(rs, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")[0];
    const alerts = (get(rule.inputs, "spec.groups.0.rules") as { alert: string }[]).map((r) => r.alert);
    expect(alerts).toEqual(
      expect.arrayContaining(["LkstackSfuDown", "LkstackSfuNackRateHigh", "LkstackTurnAllocationErrors", "LkstackValkeyDown"]),
    );
    const dash = byName(rs, "kubernetes:core/v1:ConfigMap", "lkstack-dashboard");
    expect(get(dash.inputs, "metadata.labels.grafana_dashboard")).toBe("1");
    const json = (get(dash.inputs, "data") as Record<string, string>)["lkstack.json"];
    for (const metric of [
      "livekit_room_total",
      "livekit_participant_total",
      "livekit_packet_total",
      "livekit_bytes_total",
      "livekit_nack_total",
    ])
      expect(json).toContain(metric);
  });

  test("the SFU's ServiceMonitor scrapes with basic auth from a Secret in the stack namespace; livekit-server gets the password as env", () => {
    const sm = byName(rs, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "lkstack-sfu-servicemonitor");
    const auth = byName(rs, "kubernetes:core/v1:Secret", "lkstack-metrics-auth");
    // Auto-named (the engine stands in a suffix) and immutable, like every Secret of the stack.
    expect(get(auth.inputs, "metadata.name")).toBeUndefined();
    const authName = "lkstack-metrics-auth-a1b2c3d4";
    expect(get(auth.inputs, "metadata.namespace")).toBe("lkstack");
    expect(get(auth.inputs, "immutable")).toBe(true);
    const generated = `generated-lkstack-secrets-metricsPassword-g1-0123456789abcdefghijklmnopqrstuv`;
    expect(get(auth.inputs, "stringData")).toEqual({ username: "lkstack-metrics", password: generated });
    expect(get(sm.inputs, "metadata.namespace")).toBe("lkstack");
    expect(get(sm.inputs, "spec.selector.matchLabels")).toEqual({
      "app.kubernetes.io/name": "lkstack-sfu",
      "app.kubernetes.io/part-of": "lkstack",
    });
    expect(get(sm.inputs, "spec.endpoints")).toEqual([
      {
        port: "metrics",
        path: "/metrics",
        interval: "30s",
        basicAuth: { username: { name: authName, key: "username" }, password: { name: authName, key: "password" } },
      },
    ]);
    // Ingress and coturn (no auth upstream) are scraped by the other monitor, which never sends it.
    const rest = byName(rs, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "lkstack-servicemonitor");
    expect(JSON.stringify(get(rest.inputs, "spec"))).not.toContain("basicAuth");
    expect(get(rest.inputs, "spec.selector.matchExpressions")).toEqual([
      { key: "app.kubernetes.io/component", operator: "NotIn", values: ["sfu"] },
    ]);
    // The password reaches livekit-server as env from the SFU's own Secret, and nothing public holds it.
    const sfu = containers(rs).find((c) => c.name === "lkstack-sfu")?.c;
    const env = sfu?.env?.find((e) => e.name === "LIVEKIT_PROMETHEUS_PASSWORD");
    expect(env?.valueFrom?.secretKeyRef?.key).toBe("LIVEKIT_PROMETHEUS_PASSWORD");
    const sfuSecret = byName(rs, "kubernetes:core/v1:Secret", "lkstack-sfu-secret");
    expect(env?.valueFrom?.secretKeyRef?.name).toBe("lkstack-sfu-secret-a1b2c3d4");
    expect((get(sfuSecret.inputs, "stringData") as Record<string, string>).LIVEKIT_PROMETHEUS_PASSWORD).toBe(generated);
    const publicText = JSON.stringify(
      rs.filter((r) => r.type !== "kubernetes:core/v1:Secret" && !r.type.startsWith("random:")).map((r) => r.inputs),
    );
    expect(publicText).not.toContain(generated);
  });

  test("every object the program creates is valid against the Kubernetes OpenAPI schema", () => {
    const objects = rs.filter((r) => r.type.startsWith("kubernetes:")).map(objectFromRecorded);
    expect(objects.length).toBeGreaterThan(25);
    const results = validateK8s(objects);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });
});

describe("Kubernetes target under mocks (variants)", () => {
  test("standalone Valkey without persistence uses an emptyDir and no PDB; cert-manager issues the TURN cert", async () => {
    const cfg = parseStackConfig(
      minimal("kubernetes", {
        valkey: { persistence: false },
        turn: {
          domain: "turn.example.test",
          allowedPeers: ["10.0.0.0/16"],
          tls: { enabled: true, certificate: { issuer: { name: "letsencrypt" } } },
        },
      }),
    );
    const rs = await deploy(cfg);
    const sts = byName(rs, "kubernetes:apps/v1:StatefulSet", "lkstack-valkey");
    expect(get(sts.inputs, "spec.replicas")).toBe(1);
    expect(get(sts.inputs, "spec.volumeClaimTemplates")).toBeUndefined();
    expect(ofType(rs, "kubernetes:policy/v1:PodDisruptionBudget").map((r) => r.name)).toEqual(["lkstack-sfu"]);
    const cert = ofType(rs, "kubernetes:cert-manager.io/v1:Certificate")[0];
    expect(get(cert.inputs, "spec.dnsNames")).toEqual(["turn.example.test"]);
    expect(get(cert.inputs, "spec.issuerRef")).toEqual({ name: "letsencrypt", kind: "ClusterIssuer", group: "cert-manager.io" });
    const turn = byName(rs, "kubernetes:apps/v1:Deployment", "lkstack-turn");
    expect(JSON.stringify(get(turn.inputs, "spec.template.spec.volumes"))).toContain(
      `"secretName":"${get(cert.inputs, "spec.secretName")}"`,
    );
    expect(validateK8s(rs.filter((r) => r.type.startsWith("kubernetes:")).map(objectFromRecorded)).filter((r) => !r.ok)).toEqual([]);
  });

  test("a config change renames exactly the ConfigMap it touches", async () => {
    const a = await deploy(parseStackConfig(minimal("kubernetes")));
    const b = await deploy(parseStackConfig(minimal("kubernetes", { rooms: { emptyTimeoutSeconds: 90 } })));
    const names = (rs: Recorded[]) =>
      Object.fromEntries(ofType(rs, "kubernetes:core/v1:ConfigMap").map((r) => [r.name, get(r.inputs, "metadata.name")]));
    const before = names(a);
    const after = names(b);
    expect(after["lkstack-sfu-config"]).not.toBe(before["lkstack-sfu-config"]);
    expect(after["lkstack-turn-config"]).toBe(before["lkstack-turn-config"]);
    expect(after["lkstack-valkey-config"]).toBe(before["lkstack-valkey-config"]);
  });
});

describe("rotation under mocks", () => {
  const stringData = (rs: Recorded[], name: string) =>
    get(byName(rs, "kubernetes:core/v1:Secret", name).inputs, "stringData") as Record<string, string>;

  test("bumping apiKey with retainPrevious puts both keys in the SFU Secret and touches no other Secret", async () => {
    const base = parseStackConfig(minimal("kubernetes", { rotation: { apiKey: 1 } }));
    const step1 = parseStackConfig(minimal("kubernetes", { rotation: { apiKey: 2, retainPrevious: ["apiKey"] } }));
    const step2 = parseStackConfig(minimal("kubernetes", { rotation: { apiKey: 2 } }));
    const [a, b, c] = [await deploy(base), await deploy(step1), await deploy(step2)];
    const keys = (rs: Recorded[]) => Object.keys(parseYaml(stringData(rs, "lkstack-sfu-secret")["keys.yaml"]) as Record<string, string>);
    expect(keys(a)).toHaveLength(1);
    expect(keys(b)).toHaveLength(2);
    expect(keys(b)[1]).toBe(keys(a)[0]);
    expect(keys(c)).toEqual([keys(b)[0]]);
    expect(keys(c)[0]).toMatch(/^API[A-Za-z0-9]{12}$/);
    // Tokens are minted and the Ingress authenticates with the newest key.
    expect(stringData(b, "lkstack-ingress-secret").LIVEKIT_API_KEY).toBe(keys(b)[0]);
    for (const other of ["lkstack-valkey-secret", "lkstack-turn-secret", "lkstack-mediamtx-secret"])
      expect([other, stringData(b, other)]).toEqual([other, stringData(a, other)]);
    const passwords = (rs: Recorded[]) =>
      ofType(rs, "random:index/randomPassword:RandomPassword").map((r) => [r.name, get(r.inputs, "keepers")]);
    expect(passwords(b)).toEqual(
      expect.arrayContaining([
        ["lkstack-secrets-apiKey-g2", { rotation: "2" }],
        ["lkstack-secrets-apiKey-g1", { rotation: "1" }],
      ]),
    );
  });

  test("retainPrevious at generation 1 is refused with the path and the fix", () => {
    expect(() => parseStackConfig(minimal("kubernetes", { rotation: { retainPrevious: ["turnSecret"] } }))).toThrow(
      /lkstack:rotation\.retainPrevious: turnSecret is at generation 1[\s\S]*fix: bump lkstack:rotation\.turnSecret first/,
    );
  });
});
