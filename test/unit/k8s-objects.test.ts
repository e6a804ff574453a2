import {
  k8sManifests,
  k8sObjectList,
  k8sSecrets,
  mediamtxObjects,
  networkPolicies,
  workloadInputs,
  defaultSecretNames,
} from "../../templates";
import type { PodTemplateSpec } from "kubernetes-types/core/v1";
import { CONTAINER_LAYOUT } from "../../schema";
import { minimal, parse, stackFromFile, TEST_SECRETS } from "../helpers/fixtures";

const CODE = "/* reconciler */";
const kindsAndNames = (cfg: ReturnType<typeof parse>) => k8sObjectList(k8sManifests(cfg, CODE)).map((o) => `${o.kind}/${o.metadata?.name}`);

describe("Kubernetes objects of a stack without MediaMTX (no cameras)", () => {
  const cfg = parse(minimal("kubernetes", { mediamtx: { enabled: false } }));

  it("has no MediaMTX Deployment, Service or NetworkPolicy, and still every other workload", () => {
    const objects = kindsAndNames(cfg);
    expect(objects.filter((o) => o.includes("mediamtx"))).toEqual([]);
    for (const w of ["Deployment/lkstack-sfu", "Deployment/lkstack-ingress", "Deployment/lkstack-turn"]) expect(objects).toContain(w);
  });

  it("the Ingress accepts RTMP from no pod: only MediaMTX ever forwards a camera to it", () => {
    const ingress = networkPolicies(cfg).find((p) => p.metadata?.name === "lkstack-ingress");
    const rtmp = cfg.ingress.ports.rtmp;
    const rules = ingress?.spec?.ingress ?? [];
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.filter((r) => r.ports?.some((p) => p.port === rtmp))).toEqual([]);
    // Exactly the kubelet's probe and the metrics scrape remain.
    expect(rules.map((r) => r.ports?.map((p) => p.port))).toEqual([[cfg.ingress.ports.health], [cfg.ingress.ports.metrics]]);
  });
});

describe("inconsistent inputs are refused, never rendered half-way", () => {
  const cfg = parse(minimal("kubernetes"));

  it("a service the config does not render cannot be built into objects", () => {
    const inputs = workloadInputs(cfg, defaultSecretNames());
    delete inputs.sfu;
    expect(() => k8sManifests(cfg, CODE, defaultSecretNames(), inputs)).toThrow("sfu is not rendered for this config");
  });

  it("MediaMTX's Deployment needs one Secret per part of its body", () => {
    const input = workloadInputs(cfg, defaultSecretNames()).mediamtx;
    if (!input) throw new Error("MediaMTX is rendered by default");
    expect(() => mediamtxObjects(cfg, input, ["a", "b"])).toThrow("mediamtx.yml has 1 parts but 2 Secrets");
  });

  it("a webhook URL the schema never saw (not http or https) stops the policies", () => {
    const bad = { ...cfg, webhook: { ...cfg.webhook, urls: ["ftp://hooks.example.test/x"] } };
    expect(() => networkPolicies(bad)).toThrow(/^ftp:\/\/hooks\.example\.test\/x: /);
  });
});

describe("every pod mounts only volumes it declares (a cluster refuses the pod otherwise)", () => {
  const templates = (cfg: ReturnType<typeof parse>) =>
    k8sObjectList(k8sManifests(cfg, CODE)).flatMap((o) => {
      const spec = (o as { spec?: { template?: PodTemplateSpec; volumeClaimTemplates?: { metadata?: { name?: string } }[] } }).spec;
      return spec?.template
        ? [{ name: `${o.kind}/${o.metadata?.name}`, template: spec.template, claims: spec.volumeClaimTemplates ?? [] }]
        : [];
    });

  it.each([
    ["the prod stack", stackFromFile("prod")],
    ["standalone Valkey without persistence", parse(minimal("kubernetes", { valkey: { mode: "standalone", persistence: false } }))],
    ["Valkey with persistence", parse(minimal("kubernetes", { valkey: { mode: "standalone", persistence: true } }))],
  ])("%s", (_label, cfg) => {
    const pods = templates(cfg);
    expect(pods.length).toBeGreaterThan(3);
    for (const { name, template, claims } of pods) {
      const declared = new Set([...(template.spec?.volumes ?? []).map((v) => v.name), ...claims.map((c) => c.metadata?.name)]);
      const containers = [...(template.spec?.initContainers ?? []), ...(template.spec?.containers ?? [])];
      const missing = containers.flatMap((c) =>
        (c.volumeMounts ?? []).filter((m) => !declared.has(m.name)).map((m) => `${c.name}:${m.name}`),
      );
      expect([name, missing]).toEqual([name, []]);
    }
  });
});

describe("disruption budgets follow the replicas", () => {
  it("coturn with two replicas gets a budget of one pod down, selecting exactly its pods", () => {
    const two = k8sManifests(parse(minimal("kubernetes", { turn: { domain: "turn.example.test", replicas: 2 } })), CODE).turn;
    expect(two?.podDisruptionBudget?.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "lkstack-turn", "app.kubernetes.io/part-of": "lkstack" } },
    });
    expect(two?.podDisruptionBudget?.spec?.selector?.matchLabels).toEqual(two?.deployment.spec?.selector.matchLabels);
    expect(two?.podDisruptionBudget?.metadata?.labels).toEqual(expect.objectContaining({ "app.kubernetes.io/component": "turn" }));
    const one = k8sManifests(parse(minimal("kubernetes", { turn: { domain: "turn.example.test", replicas: 1 } })), CODE).turn;
    expect(one?.podDisruptionBudget).toBeUndefined();
  });
});

describe("coturn's TLS listener on Kubernetes", () => {
  const turnWith = (tls: boolean) =>
    k8sManifests(
      parse(
        minimal("kubernetes", {
          turn: { domain: "turn.example.test", tls: { enabled: tls, ...(tls ? { certificate: { secretName: "turn-tls" } } : {}) } },
        }),
      ),
      CODE,
    ).turn?.deployment.spec?.template.spec;

  it("with TLS on: the turns port is declared and the certificate Secret is mounted read-only where turnserver.conf reads it", () => {
    const pod = turnWith(true);
    const c = pod?.containers[0];
    expect(c?.ports?.find((p) => p.name === "turns")).toEqual({ name: "turns", containerPort: 5349, protocol: "TCP" });
    const mount = c?.volumeMounts?.find((m) => m.name === "tls");
    expect(mount).toEqual({ name: "tls", mountPath: CONTAINER_LAYOUT.turn.tlsCert.replace(/\/[^/]+$/, ""), readOnly: true });
    expect(pod?.volumes?.find((v) => v.name === "tls")?.secret?.secretName).toBe("turn-tls");
  });

  it("with TLS off: neither", () => {
    const c = turnWith(false)?.containers[0];
    expect(c?.ports?.map((p) => p.name)).toEqual(["turn-udp", "turn-tcp", "metrics"]);
    expect(c?.volumeMounts?.some((m) => m.name === "tls")).toBe(false);
  });
});

describe("every object's name", () => {
  it("is a DNS-1123 subdomain the API server accepts, Secrets included, for both stacks and with monitoring on", () => {
    const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
    for (const cfg of [stackFromFile("prod"), parse(minimal("kubernetes", { kubernetes: { monitoring: { serviceMonitor: true } } }))]) {
      const objects = [...k8sObjectList(k8sManifests(cfg, CODE)), ...k8sSecrets(cfg, TEST_SECRETS)];
      const invalid = objects.filter((o) => !DNS_1123.test(o.metadata?.name ?? "") || (o.metadata?.name ?? "").length > 253);
      expect(invalid.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([]);
      expect(objects.map((o) => o.kind)).toContain("Secret");
    }
  });
});
