import type { Deployment } from "kubernetes-types/apps/v1";
import type { Service } from "kubernetes-types/core/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { CONTAINER_LAYOUT, SERVICE_NAMES, imageRef, type StackConfig } from "../../schema";
import type { WorkloadInput } from "./input";
import {
  containerSecurity,
  digest,
  fileVolumes,
  labels,
  LABEL,
  nodeAffinity,
  podSecurity,
  resources,
  secretEnv,
  selectorLabels,
  spreadAcrossZones,
} from "./common";

const INGRESS_UID = 1000;

export interface IngressObjects {
  deployment: Deployment;
  service: Service;
  podDisruptionBudget?: PodDisruptionBudget;
}

/**
 * Ingress reads its whole body from the Secret: it has no env override for the Redis password
 * (livekit/ingress#298). The public copy of the same file is what reviews and backups see.
 */
export function ingressObjects(cfg: StackConfig, input: WorkloadInput): IngressObjects {
  const ns = cfg.kubernetes.namespace;
  const p = cfg.ingress.ports;
  const { volumes, mounts } = fileVolumes(undefined, {}, input.secretName, input.secretFiles, input.paths);
  const deployment: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: SERVICE_NAMES.ingress, namespace: ns, labels: labels("ingress") },
    spec: {
      replicas: cfg.ingress.replicas,
      selector: { matchLabels: selectorLabels("ingress") },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: labels("ingress"), annotations: { [LABEL.configDigest]: digest(input.publicFiles) } },
        spec: {
          enableServiceLinks: false,
          // A URL ingress re-encodes until its source ends; give running pulls time to hand over.
          terminationGracePeriodSeconds: 60,
          securityContext: podSecurity(INGRESS_UID),
          nodeSelector: Object.keys(cfg.kubernetes.nodeSelector).length > 0 ? cfg.kubernetes.nodeSelector : undefined,
          affinity: { nodeAffinity: nodeAffinity() },
          topologySpreadConstraints: spreadAcrossZones(cfg, "ingress"),
          containers: [
            {
              name: "ingress",
              image: imageRef("livekitIngress", cfg.versions.livekitIngress),
              args: ["--config", CONTAINER_LAYOUT.ingress.config],
              env: [
                // GStreamer writes its plugin registry under $HOME; the root filesystem stays read-only.
                { name: "HOME", value: "/tmp" },
                ...secretEnv(input.secretName, input.secretEnvNames),
              ],
              ports: [
                { name: "health", containerPort: p.health, protocol: "TCP" },
                { name: "metrics", containerPort: p.metrics, protocol: "TCP" },
              ],
              resources: resources(cfg.ingress.resources),
              securityContext: containerSecurity({ readOnlyRoot: true }),
              volumeMounts: [...mounts, { name: "tmp", mountPath: "/tmp" }],
              readinessProbe: { httpGet: { path: "/", port: "health" }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: "/", port: "health" }, initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 3 },
            },
          ],
          volumes: [...volumes, { name: "tmp", emptyDir: { sizeLimit: "1Gi" } }],
        },
      },
    },
  };
  const service: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SERVICE_NAMES.ingress, namespace: ns, labels: labels("ingress") },
    spec: {
      type: "ClusterIP",
      selector: selectorLabels("ingress"),
      ports: [
        { name: "health", port: p.health, targetPort: "health", protocol: "TCP" },
        { name: "metrics", port: p.metrics, targetPort: "metrics", protocol: "TCP" },
      ],
    },
  };
  const podDisruptionBudget: PodDisruptionBudget | undefined =
    cfg.ingress.replicas > 1
      ? {
          apiVersion: "policy/v1",
          kind: "PodDisruptionBudget",
          metadata: { name: SERVICE_NAMES.ingress, namespace: ns, labels: labels("ingress") },
          spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels("ingress") } },
        }
      : undefined;
  return { deployment, service, podDisruptionBudget };
}
