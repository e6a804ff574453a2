import type { Deployment } from "kubernetes-types/apps/v1";
import type { ConfigMap, ContainerPort, Service } from "kubernetes-types/core/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { CONTAINER_LAYOUT, SERVICE_NAMES, serviceImage, type StackConfig } from "../../schema";
import { turnserverStartScript } from "../coturn";
import type { WorkloadInput } from "./input";
import { certManagerCertificate, tlsSecretFor } from "./edge";
import {
  clusterService,
  configMap,
  containerSecurity,
  deploymentOf,
  digest,
  disruptionBudget,
  fileVolumes,
  onePerNode,
  podTemplate,
  resources,
  SECRET_FILE_MODE,
  spreadAcrossZones,
} from "./common";

/** The coturn image runs as nobody. */

export interface CertManagerCertificate {
  apiVersion: "cert-manager.io/v1";
  kind: "Certificate";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { secretName: string; dnsNames: string[]; issuerRef: { name: string; kind: string; group: string } };
}

export interface TurnObjects {
  configMap: ConfigMap;
  deployment: Deployment;
  service: Service;
  podDisruptionBudget?: PodDisruptionBudget;
  certificate?: CertManagerCertificate;
}

/** The kubernetes.io/tls Secret coturn mounts: the configured one, or the one cert-manager fills. */
export function turnTlsSecretName(cfg: StackConfig): string | undefined {
  return cfg.turn.tls.enabled ? tlsSecretFor(cfg.turn.tls.certificate, `${SERVICE_NAMES.turn}-tls`) : undefined;
}

export function turnObjects(cfg: StackConfig, input: WorkloadInput): TurnObjects {
  const t = cfg.turn;
  const cm = configMap(cfg, "turn", input.publicFiles);
  const files = fileVolumes(cm.metadata.name, input.publicFiles, input.secretName, input.secretFiles, input.paths);
  const tlsSecret = turnTlsSecretName(cfg);
  const tlsDir = CONTAINER_LAYOUT.turn.tlsCert.replace(/\/[^/]+$/, "");
  const ports: ContainerPort[] = [
    { name: "turn-udp", containerPort: t.ports.listening, protocol: "UDP" },
    { name: "turn-tcp", containerPort: t.ports.listening, protocol: "TCP" },
    ...(tlsSecret ? [{ name: "turns", containerPort: t.ports.tls, protocol: "TCP" }] : []),
    { name: "metrics", containerPort: t.ports.metrics, protocol: "TCP" },
  ];
  const deployment = deploymentOf(
    cfg,
    "turn",
    t.replicas,
    { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
    podTemplate(cfg, "turn", digest(input.publicFiles), {
      // The relay range cannot go through a Service: coturn owns the node's ports.
      hostNetwork: true,
      dnsPolicy: "ClusterFirstWithHostNet",
      terminationGracePeriodSeconds: 30,
      affinity: { podAntiAffinity: onePerNode("turn") },
      topologySpreadConstraints: spreadAcrossZones(cfg, "turn"),
      containers: [
        {
          name: "coturn",
          image: serviceImage(cfg.versions, "turn"),
          command: ["/bin/sh", "-c", turnserverStartScript(CONTAINER_LAYOUT, cfg.turn.tls.enabled && {})],
          ports,
          resources: resources(t.resources),
          securityContext: containerSecurity(),
          volumeMounts: [
            ...files.mounts,
            { name: "runtime", mountPath: CONTAINER_LAYOUT.turn.runtimeConfig.replace(/\/[^/]+$/, "") },
            ...(tlsSecret ? [{ name: "tls", mountPath: tlsDir, readOnly: true }] : []),
          ],
          // coturn's metrics listener answers GET / with 200 once the relay is up.
          readinessProbe: { httpGet: { path: "/", port: "metrics" }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: "turn-tcp" }, initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3 },
        },
      ],
      volumes: [
        ...files.volumes,
        // Holds the joined config (with the auth secret) and the pid file: memory only.
        { name: "runtime", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
        ...(tlsSecret ? [{ name: "tls", secret: { secretName: tlsSecret, defaultMode: SECRET_FILE_MODE } }] : []),
      ],
    }),
  );
  // In-cluster name for metrics; clients reach coturn on the nodes' addresses (turn.domain).
  const service = clusterService(cfg, "turn", [{ name: "metrics", port: t.ports.metrics }]);
  const certificate = certManagerCertificate(cfg, "turn", SERVICE_NAMES.turn, t.tls.enabled ? t.tls.certificate : undefined, tlsSecret, [
    t.domain,
  ]);
  const podDisruptionBudget = t.replicas > 1 ? disruptionBudget(cfg, "turn") : undefined;
  return { configMap: cm, deployment, service, podDisruptionBudget, certificate };
}
