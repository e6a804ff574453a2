import { createHash } from "node:crypto";
import type { Deployment, DeploymentStrategy } from "kubernetes-types/apps/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import type {
  Affinity,
  ConfigMap,
  Container,
  PodSecurityContext,
  PodSpec,
  PodTemplateSpec,
  ResourceRequirements,
  Secret,
  SecurityContext,
  Service,
  Volume,
  VolumeMount,
} from "kubernetes-types/core/v1";
import { SERVICE_NAMES, SERVICES, type ServiceId, type StackConfig } from "../../schema";

export const PART_OF = "lkstack";
export const LABEL = {
  name: "app.kubernetes.io/name",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  managedBy: "app.kubernetes.io/managed-by",
  /** Which rendered config a pod runs; a change rolls exactly the pods that use it. */
  configDigest: "lkstack.io/config-digest",
} as const;

export function selectorLabels(w: ServiceId): Record<string, string> {
  return { [LABEL.name]: SERVICE_NAMES[w], [LABEL.partOf]: PART_OF };
}

export function labels(w: ServiceId): Record<string, string> {
  return { ...selectorLabels(w), [LABEL.component]: w, [LABEL.managedBy]: "lkstack" };
}

/**
 * The last digests computed, with what they were computed from. The stack plans each workload,
 * then rebuilds it with its Secret's real name from the same files, megabytes for a city's cameras
 * (bench/cli): comparing the text again is far cheaper than hashing it again.
 */
const recentDigests: { names: string[]; bodies: string[]; value: string }[] = [];
const RECENT_DIGESTS = 16;

/** A short content digest of public material (never fed secret values). */
export function digest(files: Record<string, string>): string {
  const names = Object.keys(files).sort();
  const bodies = names.map((n) => files[n]);
  const known = recentDigests.find((d) => sameItems(d.names, names) && sameItems(d.bodies, bodies));
  if (known) return known.value;
  const h = createHash("sha256");
  names.forEach((name, i) => h.update(`${name}\0${bodies[i]}\0`));
  const value = h.digest("hex").slice(0, 10);
  recentDigests.unshift({ names, bodies, value });
  recentDigests.length = Math.min(recentDigests.length, RECENT_DIGESTS);
  return value;
}

const sameItems = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** A ConfigMap as `configMap` makes it: its name and data are always set, so readers need no fallback. */
export type NamedConfigMap = ConfigMap & { metadata: ConfigMap["metadata"] & { name: string }; data: Record<string, string> };

/**
 * Immutable and named by content: a new config is a new object, and the pods that mount it roll.
 * `part` tells apart several ConfigMaps of one workload (the reconciler's code and its input).
 */
export function configMap(cfg: StackConfig, w: ServiceId, files: Record<string, string>, part = "config"): NamedConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `${SERVICE_NAMES[w]}-${part}-${digest(files)}`, namespace: cfg.kubernetes.namespace, labels: labels(w) },
    immutable: true,
    data: files,
  };
}

/**
 * The Secret a workload reads its secret files and env from. Its name is chosen by the caller:
 * Pulumi auto-names it (a data change replaces it under a new name), so no hash of a secret value
 * ever appears in a name, label or annotation.
 */
export function secret(cfg: StackConfig, w: ServiceId, name: string, data: Record<string, string>): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: cfg.kubernetes.namespace, labels: labels(w) },
    type: "Opaque",
    immutable: true,
    stringData: data,
  };
}

export function resources(r: StackConfig["sfu"]["resources"]): ResourceRequirements {
  return {
    requests: { cpu: String(r.requests.cpu), memory: r.requests.memory },
    limits: { cpu: String(r.limits.cpu), memory: r.limits.memory },
  };
}

/**
 * Restricted Pod Security Standard for one container: no privilege, no capability, nothing
 * written outside its volumes. No server of the stack needs more (the SFU and coturn bind
 * unprivileged ports).
 */
export function containerSecurity(): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
  };
}

/** fsGroup makes Secret files (mode 0440) readable by the non-root user without "other" bits. */
export function podSecurity(uid: number): PodSecurityContext {
  return { runAsUser: uid, runAsGroup: uid, fsGroup: uid, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
}

/** Worker nodes only: control-plane nodes never carry media. */
export function nodeAffinity(): Affinity["nodeAffinity"] {
  return {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" }] }],
    },
  };
}

/** At most one pod of `w` per node (host-network workloads would collide on their ports anyway). */
export function onePerNode(w: ServiceId): Affinity["podAntiAffinity"] {
  return {
    requiredDuringSchedulingIgnoredDuringExecution: [
      { labelSelector: { matchLabels: selectorLabels(w) }, topologyKey: "kubernetes.io/hostname" },
    ],
  };
}

export function spreadAcrossZones(cfg: StackConfig, w: ServiceId) {
  return [
    {
      maxSkew: 1,
      topologyKey: cfg.kubernetes.zoneTopologyKey,
      // Single-zone clusters must still schedule.
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: selectorLabels(w) },
    },
  ];
}

/** Secret files are mounted 0440: LiveKit refuses key and TURN secret files with "other" bits. */
export const SECRET_FILE_MODE = 0o440;

/**
 * Volumes and mounts for a workload's public files (ConfigMap) and secret files (Secret), each file
 * at its layout path through subPath. Both objects are immutable, so subPath's lack of live update
 * costs nothing.
 */
export function fileVolumes(
  configMapName: string | undefined,
  publicFiles: Record<string, string>,
  secretName: string,
  secretFiles: Record<string, string>,
  paths: Record<string, string>,
): { volumes: Volume[]; mounts: VolumeMount[] } {
  const volumes: Volume[] = [];
  const mounts: VolumeMount[] = [];
  const publicNames = Object.keys(publicFiles).filter((f) => paths[f]);
  if (configMapName && publicNames.length > 0) {
    volumes.push({ name: "config", configMap: { name: configMapName } });
    for (const f of publicNames) mounts.push({ name: "config", mountPath: paths[f], subPath: f, readOnly: true });
  }
  const secretNames = Object.keys(secretFiles).filter((f) => paths[f]);
  if (secretNames.length > 0) {
    volumes.push({
      name: "secret",
      secret: { secretName, defaultMode: SECRET_FILE_MODE, items: secretNames.map((f) => ({ key: f, path: f })) },
    });
    for (const f of secretNames) mounts.push({ name: "secret", mountPath: paths[f], subPath: f, readOnly: true });
  }
  return { volumes, mounts };
}

/** Env entries that read each name from the workload's Secret. */
export function secretEnv(secretName: string, names: string[]): NonNullable<Container["env"]> {
  return names.map((name) => ({ name, valueFrom: { secretKeyRef: { name: secretName, key: name } } }));
}

export function objectMeta(cfg: StackConfig, w: ServiceId): { name: string; namespace: string; labels: Record<string, string> } {
  return { name: SERVICE_NAMES[w], namespace: cfg.kubernetes.namespace, labels: labels(w) };
}

/** At most one pod of the workload down at a time, for drains and node upgrades alike. */
export function disruptionBudget(cfg: StackConfig, w: ServiceId): PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: objectMeta(cfg, w),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(w) } },
  };
}

/** In-cluster Service; every port targets the container port of the same name. */
export function clusterService(cfg: StackConfig, w: ServiceId, ports: { name: string; port: number; protocol?: "TCP" | "UDP" }[]): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: objectMeta(cfg, w),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(w),
      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol ?? "TCP" })),
    },
  };
}

/**
 * The pod template every workload shares: its labels, the digest of the public config it reads
 * (a change rolls it), no service-link env, the non-root security context, worker nodes only.
 */
export function podTemplate(
  cfg: StackConfig,
  w: ServiceId,
  configDigest: string,
  spec: Omit<PodSpec, "securityContext" | "nodeSelector" | "enableServiceLinks">,
): PodTemplateSpec {
  const nodeSelector = cfg.kubernetes.nodeSelector;
  return {
    metadata: { labels: labels(w), annotations: { [LABEL.configDigest]: configDigest } },
    spec: {
      enableServiceLinks: false,
      // No workload calls the Kubernetes API (Sentinel discovery is DNS, the reconciler talks to
      // LiveKit and MediaMTX): no service account token in any pod.
      automountServiceAccountToken: false,
      securityContext: podSecurity(SERVICES[w].uid),
      nodeSelector: Object.keys(nodeSelector).length > 0 ? nodeSelector : undefined,
      ...spec,
      affinity: { nodeAffinity: nodeAffinity(), ...spec.affinity },
    },
  };
}

export function deploymentOf(
  cfg: StackConfig,
  w: ServiceId,
  replicas: number,
  strategy: DeploymentStrategy,
  template: PodTemplateSpec,
): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: objectMeta(cfg, w),
    spec: { replicas, selector: { matchLabels: selectorLabels(w) }, strategy, template },
  };
}
