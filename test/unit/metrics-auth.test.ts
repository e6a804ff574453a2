import { parse as parseYaml } from "yaml";
import type { Secret } from "kubernetes-types/core/v1";
import { checkProvidedSecrets } from "../../components/stackConfig";
import {
  ConfigError,
  METRICS_USERNAME,
  SECRET_CONFIG_KEYS,
  SERVER_SECRET_ENV,
  parseStackConfig,
  secretsFromEnv,
  structuredConfigFrom,
  type StackConfig,
} from "../../schema";
import {
  FILE_NAMES,
  METRICS_AUTH_SECRET,
  k8sManifests,
  k8sObjectList,
  k8sSecrets,
  renderStack,
  secretData,
  type MonitoringObject,
} from "../../templates";
import { TEST_SECRETS, minimal, stackFromFile } from "../helpers/fixtures";
import { validateK8s } from "../helpers/k8sValidate";

const PASSWORD = TEST_SECRETS.metricsPassword;

type BasicAuth = { username: { name: string; key: string }; password: { name: string; key: string } };
type Endpoint = { port: string; path: string; basicAuth?: BasicAuth };
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values: string[] }[] };

const endpoints = (sm: MonitoringObject | undefined): Endpoint[] => (sm?.spec.endpoints ?? []) as Endpoint[];
const selector = (sm: MonitoringObject | undefined): Selector => (sm?.spec.selector ?? {}) as Selector;

describe("the SFU's metrics port asks for basic auth; the password is never public", () => {
  describe.each(["dev", "prod"] as const)("the %s stack", (stack) => {
    const cfg = stackFromFile(stack);
    const r = renderStack(cfg, TEST_SECRETS);

    it("livekit.yaml names the public user on the metrics port and holds no password", () => {
      const lk = parseYaml(r.sfu?.publicFiles[FILE_NAMES.livekit] ?? "") as { prometheus: Record<string, unknown> };
      expect(lk.prometheus).toEqual({ port: cfg.sfu.ports.metrics, username: METRICS_USERNAME });
    });

    it("the password reaches livekit-server as env from the SFU's secret material, and no public file", () => {
      expect(r.sfu?.secretEnv[SERVER_SECRET_ENV.livekitPrometheusPassword]).toBe(PASSWORD);
      expect(SERVER_SECRET_ENV.livekitPrometheusPassword).toBe("LIVEKIT_PROMETHEUS_PASSWORD");
      for (const [service, one] of Object.entries(r))
        for (const [name, body] of Object.entries(one?.publicFiles ?? {}))
          expect([service, name, body.includes(PASSWORD)]).toEqual([service, name, false]);
      // Only the SFU holds it (Prometheus gets its own Secret on Kubernetes).
      for (const [service, one] of Object.entries(r))
        if (service !== "sfu") expect([service, JSON.stringify(one && secretData(one)).includes(PASSWORD)]).toEqual([service, false]);
    });
  });

  it("render --manifests: no public object carries the password; the SFU Secret and the metrics Secret do", () => {
    const cfg = stackFromFile("prod");
    expect(cfg.kubernetes.monitoring.serviceMonitor).toBe(true);
    const objects = k8sObjectList(k8sManifests(cfg, "//"));
    expect(JSON.stringify(objects)).not.toContain(PASSWORD);
    const secrets = k8sSecrets(cfg, TEST_SECRETS);
    const holding = secrets.filter((s) => JSON.stringify(s.stringData).includes(PASSWORD)).map((s) => s.metadata?.name);
    expect(holding.sort()).toEqual(["lkstack-sfu-metrics-auth", "lkstack-sfu-secret"]);
    const auth = secrets.find((s) => s.metadata?.name === METRICS_AUTH_SECRET) as Secret;
    expect(auth.metadata?.namespace).toBe(cfg.kubernetes.namespace);
    expect(auth.stringData).toEqual({ username: METRICS_USERNAME, password: PASSWORD });
    expect(validateK8s([...objects, ...secrets]).filter((x) => !x.ok)).toEqual([]);
  });

  it("the SFU's ServiceMonitor scrapes with basicAuth from that Secret; the other one never sends it", () => {
    const m = k8sManifests(stackFromFile("prod"), "//").monitoring;
    const sfu = endpoints(m.sfuServiceMonitor);
    expect(sfu).toHaveLength(1);
    expect(sfu[0]).toMatchObject({
      port: "metrics",
      path: "/metrics",
      basicAuth: {
        username: { name: METRICS_AUTH_SECRET, key: "username" },
        password: { name: METRICS_AUTH_SECRET, key: "password" },
      },
    });
    expect(selector(m.sfuServiceMonitor).matchLabels).toEqual({
      "app.kubernetes.io/name": "lkstack-sfu",
      "app.kubernetes.io/part-of": "lkstack",
    });
    // Ingress and coturn have no metrics auth: their monitor leaves the SFU out and sends nothing.
    expect(endpoints(m.serviceMonitor).map((e) => e.basicAuth)).toEqual([undefined]);
    expect(selector(m.serviceMonitor).matchExpressions).toEqual([
      { key: "app.kubernetes.io/component", operator: "NotIn", values: ["sfu"] },
    ]);
    // The SFU Service carries the labels the one selects and the other excludes.
    const svc = k8sManifests(stackFromFile("prod"), "//").sfu.service.metadata?.labels ?? {};
    expect(svc).toMatchObject({ "app.kubernetes.io/name": "lkstack-sfu", "app.kubernetes.io/component": "sfu" });
  });

  it("without a ServiceMonitor there is no metrics Secret (livekit-server still asks for the password)", () => {
    const cfg: StackConfig = parseStackConfig(minimal("kubernetes"));
    expect(cfg.kubernetes.monitoring.serviceMonitor).toBe(false);
    expect(k8sSecrets(cfg, TEST_SECRETS).map((s) => s.metadata?.name)).not.toContain(METRICS_AUTH_SECRET);
    expect(k8sManifests(cfg, "//").monitoring.sfuServiceMonitor).toBeUndefined();
    expect(renderStack(cfg, TEST_SECRETS).sfu?.secretEnv.LIVEKIT_PROMETHEUS_PASSWORD).toBe(PASSWORD);
  });
});

describe("metricsPassword is a generated secret like the others", () => {
  it("render reads LKSTACK_METRICS_PASSWORD, marks a placeholder when unset, and checks it by SECRET_RULES", () => {
    expect(secretsFromEnv({ LKSTACK_METRICS_PASSWORD: PASSWORD }).secrets.metricsPassword).toBe(PASSWORD);
    const unset = secretsFromEnv({});
    expect(unset.secrets.metricsPassword).toBe("PLACEHOLDER_set_LKSTACK_METRICS_PASSWORD");
    expect(unset.placeholders).toContain("LKSTACK_METRICS_PASSWORD");
    expect(() => secretsFromEnv({ LKSTACK_METRICS_PASSWORD: "short" })).toThrow(
      /env LKSTACK_METRICS_PASSWORD: the value is 5 characters; at least 16 are needed/,
    );
    expect(() => secretsFromEnv({ LKSTACK_METRICS_PASSWORD: `${"m".repeat(20)}\nx` })).toThrow(/control character U\+000A/);
  });

  it("secret config: only as a secret, checked from plaintext with its lkstack: path", () => {
    expect(SECRET_CONFIG_KEYS).toContain("metricsPassword");
    expect(() => structuredConfigFrom({ "lkstack:metricsPassword": "plain-text-password-01" })).toThrow(
      /lkstack:metricsPassword: holds plaintext/,
    );
    expect(() => structuredConfigFrom({ "lkstack:metricsPassword": { secure: "AAAA" } })).not.toThrow();
    expect(() => checkProvidedSecrets((k) => (k === "metricsPassword" ? "bad password" : undefined))).toThrow(ConfigError);
    expect(() => checkProvidedSecrets((k) => (k === "metricsPassword" ? "bad password" : undefined))).toThrow(
      /lkstack:metricsPassword: the secret is 12 characters[\s\S]*pulumi config set --secret --path 'metricsPassword'/,
    );
    expect(() => checkProvidedSecrets((k) => (k === "metricsPassword" ? "m".repeat(24) : undefined))).not.toThrow();
  });

  it("has a rotation counter", () => {
    expect(parseStackConfig(minimal("docker")).rotation.metricsPassword).toBe(1);
    expect(parseStackConfig(minimal("docker", { rotation: { metricsPassword: 3 } })).rotation.metricsPassword).toBe(3);
  });
});
