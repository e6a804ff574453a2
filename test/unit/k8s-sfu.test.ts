import type { Container, PodSpec, Volume } from "kubernetes-types/core/v1";
import type { StackConfig, StackConfigInput } from "../../schema";
import { digest, k8sManifests, LABEL, type SfuObjects } from "../../templates";
import { minimal, parse, stackFromFile } from "../helpers/fixtures";

// The SFU (livekit-server) on Kubernetes (templates/k8s/sfu.ts): the settings that decide whether
// viewers can connect and whether a rollout drops calls. Everything is rendered inside the tests or
// their beforeEach (per-test coverage under npm run mutate).
const CODE = "/* reconciler */ process.exit(0);";

/** livekit-server's seconds of preStop sleep (SFU_PRESTOP_SECONDS), spelled out so a changed constant shows. */
const PRESTOP_SECONDS = 15;

/** Values unlike the defaults (7880/7881/7882, 50000-50500, 600 s), so a default or a constant would not pass. */
const SFU = {
  drainSeconds: 123,
  ports: { http: 17880, rtcTcp: 17881, metrics: 17882, udp: { start: 52000, end: 52003 } },
};

const config = (sfu: StackConfigInput["sfu"] = {}): StackConfig =>
  parse(minimal("kubernetes", { kubernetes: { namespace: "media" }, sfu: { ...SFU, ...sfu } }));

const sfuOf = (cfg: StackConfig): SfuObjects => k8sManifests(cfg, CODE).sfu;

function podOf(s: SfuObjects): PodSpec {
  const spec = s.deployment.spec?.template.spec;
  if (!spec) throw new Error("Deployment without a pod spec");
  return spec;
}

function containerOf(s: SfuObjects): Container {
  const containers = podOf(s).containers;
  expect(containers).toHaveLength(1);
  return containers[0];
}

function volumeOf(s: SfuObjects, name: string): Volume | undefined {
  return (podOf(s).volumes ?? []).find((v) => v.name === name);
}

const SFU_SELECTOR = { [LABEL.name]: "lkstack-sfu", [LABEL.partOf]: "lkstack" };

describe("the SFU's Deployment, Service and ConfigMap on Kubernetes", () => {
  let s: SfuObjects;
  beforeEach(() => {
    s = sfuOf(config());
  });

  it("it runs livekit-server with --config at the layout's path", () => {
    const c = containerOf(s);
    expect(c.name).toBe("livekit-server");
    expect(c.args).toEqual(["--config", "/etc/livekit/livekit.yaml"]);
  });

  it("the SFU's container declares http, rtc-tcp and metrics ports by name (the probes and the Service target them by name), then each media UDP port", () => {
    expect(containerOf(s).ports).toEqual([
      { name: "http", containerPort: 17880, protocol: "TCP" },
      { name: "rtc-tcp", containerPort: 17881, protocol: "TCP" },
      { name: "metrics", containerPort: 17882, protocol: "TCP" },
      { containerPort: 52000, protocol: "UDP" },
      { containerPort: 52001, protocol: "UDP" },
      { containerPort: 52002, protocol: "UDP" },
      { containerPort: 52003, protocol: "UDP" },
    ]);
  });

  it("the Service exposes http and metrics, each to the container port of that name", () => {
    expect(s.service.spec?.ports).toEqual([
      { name: "http", port: 17880, targetPort: "http", protocol: "TCP" },
      { name: "metrics", port: 17882, targetPort: "metrics", protocol: "TCP" },
    ]);
    expect(s.service.spec?.selector).toEqual(SFU_SELECTOR);
  });

  it("the disruption budget selects the SFU's pods and lets one be down at a time (a drain never takes two nodes' calls)", () => {
    expect(s.podDisruptionBudget.metadata).toEqual(expect.objectContaining({ name: "lkstack-sfu", namespace: "media" }));
    expect(s.podDisruptionBudget.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: SFU_SELECTOR } });
  });

  it("readiness asks GET / on http (a stale node answers 406 and leaves rotation); liveness is a TCP check on http (a Valkey outage restarts no SFU)", () => {
    const c = containerOf(s);
    expect(c.readinessProbe).toEqual({ httpGet: { path: "/", port: "http" }, periodSeconds: 5, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: "http" }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 });
  });

  it("preStop sleeps so endpoints drop the pod before it stops: viewers are no longer sent to a terminating SFU", () => {
    expect(containerOf(s).lifecycle).toEqual({ preStop: { exec: { command: ["sleep", String(PRESTOP_SECONDS)] } } });
  });

  it("it drains: the grace period is the preStop sleep plus lkstack:sfu.drainSeconds, so rooms finish before SIGKILL", () => {
    expect(podOf(s).terminationGracePeriodSeconds).toBe(PRESTOP_SECONDS + 123);
  });

  it("the grace period follows drainSeconds (prod: 600 s of drain after the preStop sleep)", () => {
    expect(podOf(sfuOf(stackFromFile("prod"))).terminationGracePeriodSeconds).toBe(PRESTOP_SECONDS + 600);
  });

  it("it mounts its ConfigMap by the rendered name: lkstack-sfu-config-<digest of its files>, labelled as the SFU's", () => {
    const cm = s.configMap;
    const name = `lkstack-sfu-config-${digest(cm.data ?? {})}`;
    expect(cm.metadata?.name).toBe(name);
    expect(cm.metadata?.labels).toEqual({ ...SFU_SELECTOR, [LABEL.component]: "sfu", [LABEL.managedBy]: "lkstack" });
    expect(volumeOf(s, "config")).toEqual({ name: "config", configMap: { name } });
    expect(containerOf(s).volumeMounts).toContainEqual({
      name: "config",
      mountPath: "/etc/livekit/livekit.yaml",
      subPath: expect.any(String),
      readOnly: true,
    });
  });

  it("one SFU per node (fixed host ports): the pod anti-affinity selects SFU pods by hostname", () => {
    expect(podOf(s).affinity?.podAntiAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: SFU_SELECTOR }, topologyKey: "kubernetes.io/hostname" },
      ],
    });
  });

  it("SFU pods spread across zones, by the SFU's own labels", () => {
    expect(podOf(s).topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: SFU_SELECTOR },
      },
    ]);
  });
});

describe("how livekit-server learns the node's address (viewers' ICE candidates)", () => {
  const NODE_IP = { name: "NODE_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } };

  let hostIp: Container;
  let staticIp: Container;
  let stun: Container;
  beforeEach(() => {
    hostIp = containerOf(sfuOf(config({ nodeIp: { strategy: "hostIP" } })));
    staticIp = containerOf(sfuOf(config({ nodeIp: { strategy: "static", address: "10.0.3.7" } })));
    stun = containerOf(sfuOf(config({ nodeIp: { strategy: "stun", stunServers: ["turn.example.test:3478"] } })));
  });

  it("with nodeIp.strategy hostIP, livekit-server learns the node's address from status.hostIP (NODE_IP), ahead of its Secret env", () => {
    const env = hostIp.env ?? [];
    expect(env[0]).toEqual(NODE_IP);
    expect(env.slice(1)).toEqual(staticIp.env);
  });

  it("with another strategy (static, stun), no such env: only the Secret's keys", () => {
    for (const c of [staticIp, stun]) {
      const env = c.env ?? [];
      expect(env.length).toBeGreaterThan(0);
      expect(env.map((e) => e.name)).not.toContain("NODE_IP");
      for (const e of env) expect(e.valueFrom?.secretKeyRef).toEqual({ name: "lkstack-sfu-secret", key: e.name });
    }
  });

  it("hostIP is the Kubernetes default: a config without nodeIp gets NODE_IP from status.hostIP", () => {
    expect(containerOf(sfuOf(config())).env).toContainEqual(NODE_IP);
  });
});
