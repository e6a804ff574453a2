import type { StatefulSet } from "kubernetes-types/apps/v1";
import type { ConfigMap, Container, PersistentVolumeClaim, Service, Volume } from "kubernetes-types/core/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { CONTAINER_LAYOUT, SERVICE_NAMES, serviceImage, topology, type FileLayout, type ServiceId, type StackConfig } from "../../schema";
import { FILE_NAMES } from "../stack";
import type { WorkloadInput } from "./input";
import {
  configMap,
  containerSecurity,
  digest,
  disruptionBudget,
  fileVolumes,
  labels,
  objectMeta,
  onePerNode,
  podTemplate,
  resources,
  secretEnv,
  selectorLabels,
  spreadAcrossZones,
} from "./common";

/** The valkey image's own user. */

export interface ValkeyObjects {
  configMap: ConfigMap;
  statefulSet: StatefulSet;
  service: Service;
  podDisruptionBudget?: PodDisruptionBudget;
  sentinel?: { statefulSet: StatefulSet; service: Service; podDisruptionBudget: PodDisruptionBudget };
}

/**
 * Sentinel mode: a pod asks the sentinels who the primary is and follows it, so a restarted
 * former primary rejoins as a replica instead of splitting the brain. Ordinal 0 is primary only
 * when no sentinel answers (first start).
 */
export function dataStartScript(cfg: StackConfig, layout: FileLayout = CONTAINER_LAYOUT): string {
  const L = layout.valkey;
  const v = cfg.valkey;
  const ns = cfg.kubernetes.namespace;
  const self = `$(hostname).${SERVICE_NAMES.valkey}.${ns}.svc.cluster.local`;
  const sentinel = `${SERVICE_NAMES.sentinel}.${ns}.svc.cluster.local`;
  return [
    "set -eu",
    `self="${self}"`,
    `primary="$(valkey-cli -h ${sentinel} -p ${v.sentinel.port} --no-auth-warning sentinel get-master-addr-by-name ${v.sentinel.masterName} 2>/dev/null | head -n 1 || true)"`,
    `[ -n "$primary" ] || primary="${topology(cfg).valkeyInitialPrimary}"`,
    `if [ "$primary" = "$self" ]; then exec valkey-server ${L.config} --replica-announce-ip "$self"; fi`,
    `exec valkey-server ${L.config} --replica-announce-ip "$self" --replicaof "$primary" ${v.port}`,
  ].join("\n");
}

/** Sentinel rewrites its file, so every start rebuilds a writable copy from the mounted parts. */
export function sentinelStartScript(layout: FileLayout = CONTAINER_LAYOUT): string {
  const L = layout.valkey;
  return `umask 077 && cat ${L.sentinelConfig} ${L.sentinelAuth} > ${L.sentinelRuntime} && exec valkey-server ${L.sentinelRuntime} --sentinel`;
}

function pingProbe(port: number) {
  return {
    exec: { command: ["sh", "-c", `valkey-cli -p ${port} --no-auth-warning ping | grep -q PONG`] },
    periodSeconds: 10,
    timeoutSeconds: 5,
  };
}

function headlessService(cfg: StackConfig, w: ServiceId, port: number, portName: string): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: objectMeta(cfg, w),
    spec: {
      clusterIP: "None",
      // Pods must be resolvable before they are ready: replicas find the primary during start-up.
      publishNotReadyAddresses: true,
      selector: selectorLabels(w),
      ports: [{ name: portName, port, targetPort: portName, protocol: "TCP" }],
    },
  };
}

function statefulSet(
  cfg: StackConfig,
  w: ServiceId,
  replicas: number,
  container: Container,
  volumes: Volume[],
  claims: PersistentVolumeClaim[],
  configDigest: string,
): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: objectMeta(cfg, w),
    spec: {
      serviceName: SERVICE_NAMES[w],
      replicas,
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate" },
      selector: { matchLabels: selectorLabels(w) },
      template: podTemplate(cfg, w, configDigest, {
        terminationGracePeriodSeconds: 30,
        affinity: replicas > 1 ? { podAntiAffinity: onePerNode(w) } : {},
        topologySpreadConstraints: spreadAcrossZones(cfg, w),
        containers: [container],
        volumes,
      }),
      volumeClaimTemplates: claims.length > 0 ? claims : undefined,
    },
  };
}

export function valkeyObjects(cfg: StackConfig, input: WorkloadInput): ValkeyObjects {
  const v = cfg.valkey;
  const sentinelMode = v.mode === "sentinel";
  const dataFiles = Object.fromEntries(Object.entries(input.publicFiles).filter(([f]) => f === FILE_NAMES.valkey));
  const dataSecretFiles = Object.fromEntries(Object.entries(input.secretFiles).filter(([f]) => f === FILE_NAMES.valkeyAuth));
  const cm = configMap(cfg, "valkey", input.publicFiles);
  const cmName = cm.metadata.name;
  const data = fileVolumes(cmName, dataFiles, input.secretName, dataSecretFiles, input.paths);
  const persistent = v.persistence;
  const claims: PersistentVolumeClaim[] = persistent
    ? [
        {
          metadata: { name: "data", labels: labels("valkey") },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: cfg.kubernetes.storageClass,
            resources: { requests: { storage: cfg.kubernetes.valkeyStorage } },
          },
        },
      ]
    : [];
  const replicas = sentinelMode ? v.sentinel.replicas : 1;
  const container: Container = {
    name: "valkey",
    image: serviceImage(cfg.versions, "valkey"),
    command: sentinelMode ? ["/bin/sh", "-c", dataStartScript(cfg)] : ["valkey-server", CONTAINER_LAYOUT.valkey.config],
    env: secretEnv(input.secretName, input.secretEnvNames),
    ports: [{ name: "valkey", containerPort: v.port, protocol: "TCP" }],
    resources: resources(v.resources),
    securityContext: containerSecurity(),
    volumeMounts: [...data.mounts, { name: "data", mountPath: CONTAINER_LAYOUT.valkey.dataDir }],
    readinessProbe: pingProbe(v.port),
    // Liveness is the TCP listener only: a slow AOF load must not end in a restart loop.
    livenessProbe: { tcpSocket: { port: "valkey" }, initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 6 },
  };
  const volumes: Volume[] = [...data.volumes, ...(persistent ? [] : [{ name: "data", emptyDir: {} }])];
  const objects: ValkeyObjects = {
    configMap: cm,
    statefulSet: statefulSet(cfg, "valkey", replicas, container, volumes, claims, digest(dataFiles)),
    service: headlessService(cfg, "valkey", v.port, "valkey"),
    podDisruptionBudget: replicas > 1 ? disruptionBudget(cfg, "valkey") : undefined,
  };
  if (!sentinelMode) return objects;

  const sentinelFiles = Object.fromEntries(Object.entries(input.publicFiles).filter(([f]) => f === FILE_NAMES.sentinel));
  const sentinelSecretFiles = Object.fromEntries(Object.entries(input.secretFiles).filter(([f]) => f === FILE_NAMES.sentinelAuth));
  const s = fileVolumes(cmName, sentinelFiles, input.secretName, sentinelSecretFiles, input.paths);
  const sentinelContainer: Container = {
    name: "sentinel",
    image: serviceImage(cfg.versions, "valkey"),
    command: ["/bin/sh", "-c", sentinelStartScript()],
    env: secretEnv(input.secretName, input.secretEnvNames),
    ports: [{ name: "sentinel", containerPort: v.sentinel.port, protocol: "TCP" }],
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } },
    securityContext: containerSecurity(),
    volumeMounts: [...s.mounts, { name: "data", mountPath: CONTAINER_LAYOUT.valkey.dataDir }],
    readinessProbe: pingProbe(v.sentinel.port),
    livenessProbe: { tcpSocket: { port: "sentinel" }, initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3 },
  };
  objects.sentinel = {
    statefulSet: statefulSet(
      cfg,
      "sentinel",
      v.sentinel.replicas,
      sentinelContainer,
      [...s.volumes, { name: "data", emptyDir: {} }],
      [],
      digest(sentinelFiles),
    ),
    service: headlessService(cfg, "sentinel", v.sentinel.port, "sentinel"),
    podDisruptionBudget: disruptionBudget(cfg, "sentinel"),
  };
  return objects;
}
