import type { Deployment } from "kubernetes-types/apps/v1";
import type { Service } from "kubernetes-types/core/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { CONTAINER_LAYOUT, serviceImage, type StackConfig } from "../../schema";
import type { WorkloadInput } from "./input";
import {
  clusterService,
  containerSecurity,
  deploymentOf,
  digest,
  disruptionBudget,
  fileVolumes,
  podTemplate,
  resources,
  secretEnv,
  spreadAcrossZones,
} from "./common";

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
  const p = cfg.ingress.ports;
  const { volumes, mounts } = fileVolumes(undefined, {}, input.secretName, input.secretFiles, input.paths);
  const deployment = deploymentOf(
    cfg,
    "ingress",
    cfg.ingress.replicas,
    { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    podTemplate(cfg, "ingress", digest(input.publicFiles), {
      // Each camera's RTMP session re-encodes until it ends; give running sessions time to hand over.
      terminationGracePeriodSeconds: 60,
      topologySpreadConstraints: spreadAcrossZones(cfg, "ingress"),
      containers: [
        {
          name: "ingress",
          image: serviceImage(cfg.versions, "ingress"),
          args: ["--config", CONTAINER_LAYOUT.ingress.config],
          env: [
            // GStreamer writes its plugin registry under $HOME; the root filesystem stays read-only.
            { name: "HOME", value: "/tmp" },
            ...secretEnv(input.secretName, input.secretEnvNames),
          ],
          ports: [
            { name: "health", containerPort: p.health, protocol: "TCP" },
            { name: "metrics", containerPort: p.metrics, protocol: "TCP" },
            { name: "rtmp", containerPort: p.rtmp, protocol: "TCP" },
          ],
          resources: resources(cfg.ingress.resources),
          securityContext: containerSecurity(),
          volumeMounts: [...mounts, { name: "tmp", mountPath: "/tmp" }],
          readinessProbe: { httpGet: { path: "/", port: "health" }, periodSeconds: 10 },
          livenessProbe: { httpGet: { path: "/", port: "health" }, initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 3 },
        },
      ],
      volumes: [...volumes, { name: "tmp", emptyDir: { sizeLimit: "1Gi" } }],
    }),
  );
  const service = clusterService(cfg, "ingress", [
    { name: "health", port: p.health },
    { name: "metrics", port: p.metrics },
    { name: "rtmp", port: p.rtmp },
  ]);
  const podDisruptionBudget = cfg.ingress.replicas > 1 ? disruptionBudget(cfg, "ingress") : undefined;
  return { deployment, service, podDisruptionBudget };
}
