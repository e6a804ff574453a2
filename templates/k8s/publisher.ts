import type { ConfigMap, Service } from "kubernetes-types/core/v1";
import type { StatefulSet } from "kubernetes-types/apps/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { CONTAINER_LAYOUT, publisherReplicaCount, SERVICE_NAMES, type StackConfig } from "../../schema";
import { PUBLISHER_ENV, publisherEnv, publisherImage } from "../publisher";
import type { WorkloadInput } from "./input";
import {
  clusterService,
  configMap,
  containerSecurity,
  digest,
  disruptionBudget,
  objectMeta,
  podTemplate,
  resources,
  secretEnv,
  selectorLabels,
  spreadAcrossZones,
} from "./common";

export interface PublisherObjects {
  /** One per publish-NNN.json chunk (each under the ConfigMap limit). */
  configMaps: ConfigMap[];
  /** Headless: the StatefulSet's governing Service, and the pods' metrics for Prometheus. */
  service: Service;
  statefulSet: StatefulSet;
  podDisruptionBudget: PodDisruptionBudget;
}

/**
 * The passthrough publisher: a StatefulSet, because a pod's ordinal is its shard (the pod name
 * lkstack-publisher-<n> gives LKSTACK_SHARD_INDEX), so each camera has exactly one publisher and a
 * replaced pod takes the same cameras back. Pods start and stop in parallel (no ordering is
 * needed) and roll one at a time: a roll darkens one shard's cameras for a reconnect.
 */
export function publisherObjects(cfg: StackConfig, input: WorkloadInput, image = publisherImage(cfg)): PublisherObjects {
  const chunkMaps = Object.entries(input.publicFiles).map(([name, body]) => configMap(cfg, "publisher", { [name]: body }));
  const env = publisherEnv(cfg);
  const statefulSet: StatefulSet = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: objectMeta(cfg, "publisher"),
    spec: {
      replicas: publisherReplicaCount(cfg),
      serviceName: SERVICE_NAMES.publisher,
      podManagementPolicy: "Parallel",
      // One pod at a time is a StatefulSet's own rolling update. Not `rollingUpdate.maxUnavailable`:
      // alpha through Kubernetes 1.34, dropped by the API server, so every `pulumi up` would diff.
      updateStrategy: { type: "RollingUpdate" },
      selector: { matchLabels: selectorLabels("publisher") },
      template: podTemplate(cfg, "publisher", digest(input.publicFiles), {
        terminationGracePeriodSeconds: 10,
        topologySpreadConstraints: spreadAcrossZones(cfg, "publisher"),
        containers: [
          {
            name: "publisher",
            image,
            env: [...Object.entries(env).map(([name, value]) => ({ name, value })), ...secretEnv(input.secretName, input.secretEnvNames)],
            ports: [{ name: "health", containerPort: Number(env[PUBLISHER_ENV.healthPort]), protocol: "TCP" }],
            resources: resources(cfg.publisher.resources),
            securityContext: containerSecurity(),
            volumeMounts: [{ name: "cameras", mountPath: CONTAINER_LAYOUT.publisher.camerasDir, readOnly: true }],
            // Alive while its loop runs; a camera that is down is the camera's problem, not a restart's.
            readinessProbe: { httpGet: { path: "/healthz", port: "health" }, periodSeconds: 10 },
            livenessProbe: {
              httpGet: { path: "/healthz", port: "health" },
              initialDelaySeconds: 20,
              periodSeconds: 20,
              failureThreshold: 3,
            },
          },
        ],
        volumes: [
          {
            name: "cameras",
            projected: {
              sources: chunkMaps.map((cm) => ({
                configMap: { name: cm.metadata.name, items: Object.keys(cm.data).map((key) => ({ key, path: key })) },
              })),
            },
          },
        ],
      }),
    },
  };
  const service = clusterService(cfg, "publisher", [{ name: "health", port: cfg.publisher.ports.health }]);
  return {
    configMaps: chunkMaps,
    service: { ...service, spec: { ...service.spec, clusterIP: "None" } },
    statefulSet,
    podDisruptionBudget: disruptionBudget(cfg, "publisher"),
  };
}
