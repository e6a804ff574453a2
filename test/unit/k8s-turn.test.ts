import type { Container, PodSpec } from "kubernetes-types/core/v1";
import { CONTAINER_LAYOUT } from "../../schema";
import { defaultSecretNames, k8sManifests, turnserverStartScript, workloadInputs } from "../../templates";
import { minimal, parse } from "../helpers/fixtures";

// coturn on Kubernetes (templates/k8s/turn.ts): what viewers behind NAT depend on. Rendered per test.
const CODE = "/* reconciler */";
const dirOf = (file: string) => file.slice(0, file.lastIndexOf("/"));

function turnOf(tls: boolean, replicas = 1) {
  const cfg = parse(
    minimal("kubernetes", {
      kubernetes: { namespace: "media" },
      turn: {
        domain: "turn.example.test",
        replicas,
        ports: { listening: 3480, tls: 5350, metrics: 9642 },
        tls: { enabled: tls, ...(tls ? { certificate: { secretName: "turn-cert" } } : {}) },
      },
    }),
  );
  const turn = k8sManifests(cfg, CODE).turn;
  if (!turn) throw new Error("coturn is enabled");
  const pod = turn.deployment.spec?.template.spec as PodSpec;
  return { cfg, turn, pod, c: pod.containers[0] as Container };
}

describe("coturn on Kubernetes", () => {
  it("runs on the host network (the relay range cannot go through a Service), one pod per node, spread across zones", () => {
    const { pod } = turnOf(false);
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe("ClusterFirstWithHostNet");
    const own = { "app.kubernetes.io/name": "lkstack-turn", "app.kubernetes.io/part-of": "lkstack" };
    expect(pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { labelSelector: { matchLabels: own }, topologyKey: "kubernetes.io/hostname" },
    ]);
    expect(pod.topologySpreadConstraints?.[0].labelSelector).toEqual({ matchLabels: own });
  });

  it("declares its listening port on UDP and TCP and its metrics port, by name", () => {
    const { c } = turnOf(false);
    expect(c.name).toBe("coturn");
    expect(c.ports).toEqual([
      { name: "turn-udp", containerPort: 3480, protocol: "UDP" },
      { name: "turn-tcp", containerPort: 3480, protocol: "TCP" },
      { name: "metrics", containerPort: 9642, protocol: "TCP" },
    ]);
  });

  it("starts through its start script (join the auth fragment, then exec turnserver), watching the certificate only with TLS on", () => {
    expect(turnOf(false).c.command).toEqual(["/bin/sh", "-c", turnserverStartScript(CONTAINER_LAYOUT, false)]);
    expect(turnOf(true).c.command).toEqual(["/bin/sh", "-c", turnserverStartScript(CONTAINER_LAYOUT, {})]);
    expect(turnserverStartScript(CONTAINER_LAYOUT, {})).not.toBe(turnserverStartScript(CONTAINER_LAYOUT, false));
  });

  it("is ready when its metrics listener answers (the relay is up) and alive while its TURN port accepts TCP", () => {
    const { c } = turnOf(false);
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/", port: "metrics" });
    expect(c.livenessProbe?.tcpSocket).toEqual({ port: "turn-tcp" });
  });

  it("keeps the joined config (with the auth secret) and its pid file in memory, in the runtime config's directory", () => {
    const { c, pod } = turnOf(false);
    expect(pod.volumes).toContainEqual({ name: "runtime", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } });
    expect(c.volumeMounts).toContainEqual({ name: "runtime", mountPath: dirOf(CONTAINER_LAYOUT.turn.runtimeConfig) });
    expect(c.volumeMounts?.find((m) => m.mountPath === CONTAINER_LAYOUT.turn.config)?.name).toBe("config");
    expect(pod.volumes?.find((v) => v.name === "config")?.configMap?.name).toBe(turnOf(false).turn.configMap.metadata?.name);
  });

  it("with TLS: the certificate Secret is mounted read-only, 0440, in the directory turnserver.conf reads it from", () => {
    const { c, pod } = turnOf(true);
    expect(c.ports?.find((p) => p.name === "turns")).toEqual({ name: "turns", containerPort: 5350, protocol: "TCP" });
    expect(c.volumeMounts).toContainEqual({ name: "tls", mountPath: dirOf(CONTAINER_LAYOUT.turn.tlsCert), readOnly: true });
    expect(pod.volumes).toContainEqual({ name: "tls", secret: { secretName: "turn-cert", defaultMode: 0o440 } });
  });

  it("its ConfigMap and in-cluster Service (metrics only: clients reach coturn on the nodes) are coturn's", () => {
    const { turn } = turnOf(false);
    expect(turn.configMap.metadata?.name).toMatch(/^lkstack-turn-config-[0-9a-f]{10}$/);
    expect(turn.service.metadata?.name).toBe("lkstack-turn");
    expect(turn.service.spec?.ports).toEqual([{ name: "metrics", port: 9642, targetPort: "metrics", protocol: "TCP" }]);
    expect(turn.service.spec?.selector).toEqual({ "app.kubernetes.io/name": "lkstack-turn", "app.kubernetes.io/part-of": "lkstack" });
  });

  it("gets a disruption budget from two replicas on, not with one", () => {
    expect(turnOf(false, 1).turn.podDisruptionBudget).toBeUndefined();
    expect(turnOf(false, 2).turn.podDisruptionBudget?.spec?.maxUnavailable).toBe(1);
    expect(turnOf(false, 3).turn.podDisruptionBudget?.metadata?.name).toBe("lkstack-turn");
  });
});

describe("workload inputs carry secret file names, never their contents", () => {
  it("every secret file of every service is an empty placeholder in the plan", () => {
    const cfg = parse(minimal("kubernetes"));
    const inputs = workloadInputs(cfg, defaultSecretNames());
    const secretFiles = Object.values(inputs).flatMap((i) => Object.values(i?.secretFiles ?? {}));
    expect(secretFiles.length).toBeGreaterThan(3);
    expect(new Set(secretFiles)).toEqual(new Set([""]));
  });
});
