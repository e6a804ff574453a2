import type { Deployment } from "kubernetes-types/apps/v1";
import type { ConfigMap, ContainerPort, Service } from "kubernetes-types/core/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { CONTAINER_LAYOUT, serviceImage, sfuUdpPorts, type StackConfig } from "../../schema";
import type { WorkloadInput } from "./input";
import {
  clusterService,
  configMap,
  containerSecurity,
  deploymentOf,
  digest,
  fileVolumes,
  onePerNode,
  disruptionBudget,
  podTemplate,
  resources,
  secretEnv,
  spreadAcrossZones,
} from "./common";

/** livekit/livekit-server runs as root by default; any unprivileged uid works (ports are > 1024). */

/**
 * Seconds the pod stays in Terminating before LiveKit sees SIGTERM: readiness fails at once (the
 * pod leaves the Service) while viewers finish joining, then LiveKit drains its rooms.
 */
export const SFU_PRESTOP_SECONDS = 15;

export interface SfuObjects {
  configMap: ConfigMap;
  deployment: Deployment;
  service: Service;
  podDisruptionBudget: PodDisruptionBudget;
}

function sfuPorts(cfg: StackConfig): ContainerPort[] {
  const p = cfg.sfu.ports;
  const udp: ContainerPort[] = [];
  const media = sfuUdpPorts(p);
  // Services cannot carry a range; on the host network each declared port is the node's port.
  for (let port = media.start; port <= media.end; port++) udp.push({ containerPort: port, protocol: "UDP" });
  return [
    { name: "http", containerPort: p.http, protocol: "TCP" },
    { name: "rtc-tcp", containerPort: p.rtcTcp, protocol: "TCP" },
    { name: "metrics", containerPort: p.metrics, protocol: "TCP" },
    ...udp,
  ];
}

export function sfuObjects(cfg: StackConfig, input: WorkloadInput): SfuObjects {
  const cm = configMap(cfg, "sfu", input.publicFiles);
  const { volumes, mounts } = fileVolumes(cm.metadata.name, input.publicFiles, input.secretName, input.secretFiles, input.paths);
  const env = [
    ...(cfg.sfu.nodeIp.strategy === "hostIP" ? [{ name: "NODE_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } }] : []),
    ...secretEnv(input.secretName, input.secretEnvNames),
  ];
  const deployment = deploymentOf(
    cfg,
    "sfu",
    cfg.sfu.replicas,
    // One pod per node on fixed host ports: a surge pod could never schedule.
    { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
    podTemplate(cfg, "sfu", digest(input.publicFiles), {
      hostNetwork: true,
      dnsPolicy: "ClusterFirstWithHostNet",
      terminationGracePeriodSeconds: SFU_PRESTOP_SECONDS + cfg.sfu.drainSeconds,
      affinity: { podAntiAffinity: onePerNode("sfu") },
      topologySpreadConstraints: spreadAcrossZones(cfg, "sfu"),
      containers: [
        {
          name: "livekit-server",
          image: serviceImage(cfg.versions, "sfu"),
          args: ["--config", CONTAINER_LAYOUT.sfu.config],
          env,
          ports: sfuPorts(cfg),
          resources: resources(cfg.sfu.resources),
          securityContext: containerSecurity(),
          volumeMounts: mounts,
          // 406 while the node's stats are stale (e.g. Valkey unreachable): out of rotation only.
          readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 5, failureThreshold: 3 },
          // A Valkey outage must not restart every SFU: liveness only asks whether the process listens.
          livenessProbe: { tcpSocket: { port: "http" }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 },
          lifecycle: { preStop: { exec: { command: ["sleep", String(SFU_PRESTOP_SECONDS)] } } },
        },
      ],
      volumes,
    }),
  );
  const service = clusterService(cfg, "sfu", [
    { name: "http", port: cfg.sfu.ports.http },
    { name: "metrics", port: cfg.sfu.ports.metrics },
  ]);
  const podDisruptionBudget = disruptionBudget(cfg, "sfu");
  return { configMap: cm, deployment, service, podDisruptionBudget };
}
