import { parse as parseYaml } from "yaml";
import { dockerServices, FILE_NAMES, k8sManifests, renderStack, type IngressObjects } from "../../templates";
import { TEST_SECRETS, minimal, parse, stackFromFile } from "../helpers/fixtures";

/**
 * One assertion per setting a wrong deployment would get wrong without any snapshot noticing it:
 * probe ports, rollout bounds, ICE candidates. Ports are off their defaults so that a probe pointed
 * at a hard-coded or neighbouring port fails.
 */
const HEALTH = 8186;
const METRICS = 8187;
const k8s = parse(minimal("kubernetes", { ingress: { replicas: 2, ports: { health: HEALTH, metrics: METRICS } } }));
const docker = parse(minimal("docker", { ingress: { ports: { health: HEALTH, metrics: METRICS } } }));

function ingressOf(): IngressObjects {
  const i = k8sManifests(k8s, "// reconciler bundle").ingress;
  if (!i) throw new Error("the ingress is enabled in this config");
  return i;
}

describe("LiveKit Ingress health: the probes ask the port the Ingress serves health on", () => {
  // Rendered inside each test, so per-test coverage (npm run mutate) credits the test that reads it.
  const containerOf = () => ingressOf().deployment.spec?.template.spec?.containers[0];

  it("the Ingress is told to serve health on the configured port", () => {
    const body = parseYaml(renderStack(k8s, TEST_SECRETS).ingress?.publicFiles[FILE_NAMES.ingress] ?? "");
    expect(body.health_port).toBe(HEALTH);
    expect(body.prometheus_port).toBe(METRICS);
  });

  it("the container port named health is that port", () => {
    expect(containerOf()?.ports?.find((p) => p.name === "health")?.containerPort).toBe(HEALTH);
  });

  it("readiness and liveness probe the health port by name", () => {
    const container = containerOf();
    expect(container?.readinessProbe?.httpGet?.port).toBe("health");
    expect(container?.livenessProbe?.httpGet?.port).toBe("health");
  });

  it("the Docker healthcheck fetches the same port on the container's loopback", () => {
    const ingress = dockerServices(docker, "// reconciler bundle").find((s) => s.workload === "ingress");
    const url = ingress?.healthcheck.tests.find((t) => t.startsWith("http://"));
    expect(url).toBe(`http://127.0.0.1:${HEALTH}/health`);
  });
});

describe("LiveKit Ingress rollout: a camera's encoder is never left without a replica", () => {
  it("a rolling update starts the new pod before stopping an old one (maxUnavailable 0, maxSurge 1)", () => {
    const { deployment } = ingressOf();
    expect(deployment.spec?.strategy?.type).toBe("RollingUpdate");
    expect(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    expect(deployment.spec?.strategy?.rollingUpdate?.maxSurge).toBe(1);
  });

  it("a node drain evicts at most one replica at a time", () => {
    const { podDisruptionBudget } = ingressOf();
    expect(podDisruptionBudget?.spec?.maxUnavailable).toBe(1);
  });

  it("running RTMP sessions get a minute to hand over on shutdown", () => {
    const { deployment } = ingressOf();
    expect(deployment.spec?.template.spec?.terminationGracePeriodSeconds).toBe(60);
  });
});

describe("coturn rollout: host-network pods replace one at a time", () => {
  it("maxSurge 0 (the ports are the node's), maxUnavailable 1", () => {
    const turn = k8sManifests(k8s, "// reconciler bundle").turn?.deployment.spec?.strategy?.rollingUpdate;
    expect(turn).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });
});

describe("livekit.yaml ICE settings", () => {
  const rtcOf = (cfg = stackFromFile("dev")) =>
    parseYaml(renderStack(cfg, TEST_SECRETS).sfu?.publicFiles[FILE_NAMES.livekit] ?? "").rtc as Record<string, unknown>;

  it("never offers a loopback candidate (a viewer would try 127.0.0.1 on its own machine)", () => {
    expect(rtcOf().enable_loopback_candidate).toBe(false);
  });

  it("falls back to ICE over TCP by default, and only as configured", () => {
    expect(rtcOf().allow_tcp_fallback).toBe(true);
    expect(rtcOf(parse(minimal("docker", { sfu: { tcpFallback: false } }))).allow_tcp_fallback).toBe(false);
  });

  it("keeps LiveKit's embedded TURN off (coturn is the TURN server)", () => {
    expect(parseYaml(renderStack(stackFromFile("dev"), TEST_SECRETS).sfu?.publicFiles[FILE_NAMES.livekit] ?? "").turn).toEqual({
      enabled: false,
    });
  });
});
