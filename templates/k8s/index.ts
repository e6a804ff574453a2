import type { Namespace, Secret } from "kubernetes-types/core/v1";
import { RENDERED_BY, type ServiceId, type StackConfig, type StackSecrets } from "../../schema";
import { renderStack, type RenderedStack, type Service } from "../stack";
import { LABEL, PART_OF, secret } from "./common";
import { ingressObjects, type IngressObjects } from "./ingress";
import { defaultSecretNames, secretGroups, workloadInputs, type WorkloadInput } from "./input";
import { mediamtxObjects, mediamtxPartSecretNames, type MediamtxObjects } from "./mediamtx";
import { camerasObjects, type CamerasObjects } from "./cameras";
import { publisherObjects, type PublisherObjects } from "./publisher";
import { METRICS_AUTH_SECRET, metricsAuthSecret, monitoringObjects, type MonitoringObjects } from "./monitoring";
import { networkPolicies } from "./network";
import { sfuObjects, type SfuObjects } from "./sfu";
import { turnObjects, type TurnObjects } from "./turn";
import { valkeyObjects, type ValkeyObjects } from "./valkey";
import { edgeObjects, type EdgeObjects } from "./edge";

export * from "./common";
export * from "./input";
export * from "./sfu";
export * from "./ingress";
export * from "./turn";
export * from "./valkey";
export * from "./mediamtx";
export * from "./cameras";
export * from "./publisher";
export * from "./network";
export * from "./monitoring";
export * from "./edge";

/** Every Kubernetes object of a stack except the Secrets' data, grouped the way the components are. */
export interface K8sManifests {
  namespace?: Namespace;
  sfu: SfuObjects;
  ingress?: IngressObjects;
  turn?: TurnObjects;
  valkey: ValkeyObjects;
  mediamtx?: MediamtxObjects;
  cameras?: CamerasObjects;
  publisher?: PublisherObjects;
  networkPolicies: ReturnType<typeof networkPolicies>;
  monitoring: MonitoringObjects;
  /** The SFU's signalling behind the cluster's Ingress (lkstack:edge). */
  edge?: EdgeObjects;
}

/** The workload whose Secret each rendered service's material goes into. */
export const SECRET_OWNER: Record<Service, ServiceId> = RENDERED_BY;

/**
 * Builds the objects from config alone: which objects exist never depends on secret values or on
 * what the Secrets end up being called, only their references do.
 */
export function k8sManifests(
  cfg: StackConfig,
  reconcilerCode: string,
  secretNames: Record<Service, string> = defaultSecretNames(),
  /** The services' inputs when the caller already has them (`workloadInputs`): the stack renders once. */
  inputs: Partial<Record<Service, WorkloadInput>> = workloadInputs(cfg, secretNames),
): K8sManifests {
  const need = <S extends Service>(s: S) => {
    const i = inputs[s];
    if (!i) throw new Error(`${s} is not rendered for this config`);
    return i;
  };
  return {
    namespace: cfg.kubernetes.createNamespace
      ? {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: {
            name: cfg.kubernetes.namespace,
            labels: {
              [LABEL.partOf]: PART_OF,
              // host network and hostPort-style ports are outside "restricted"; the rest is enforced by the pods' contexts.
              "pod-security.kubernetes.io/enforce": "privileged",
              "pod-security.kubernetes.io/warn": "restricted",
            },
          },
        }
      : undefined,
    sfu: sfuObjects(cfg, need("sfu")),
    ingress: inputs.ingress ? ingressObjects(cfg, inputs.ingress) : undefined,
    turn: inputs.turn ? turnObjects(cfg, inputs.turn) : undefined,
    valkey: valkeyObjects(cfg, need("valkey")),
    mediamtx: inputs.mediamtx ? mediamtxObjects(cfg, inputs.mediamtx) : undefined,
    cameras: inputs.cameras ? camerasObjects(cfg, inputs.cameras, reconcilerCode) : undefined,
    publisher: inputs.publisher ? publisherObjects(cfg, inputs.publisher) : undefined,
    networkPolicies: networkPolicies(cfg),
    monitoring: monitoringObjects(cfg),
    edge: edgeObjects(cfg),
  };
}

/**
 * The Secrets with their data (offline manifests; the Pulumi components build the same from outputs),
 * and the one the SFU's ServiceMonitor reads its basic auth from.
 */
export function k8sSecrets(
  cfg: StackConfig,
  secrets: StackSecrets,
  secretNames: Record<Service, string> = defaultSecretNames(),
  /** The stack rendered with these same secrets, when the caller has it (it is not rendered again). */
  rendered: RenderedStack = renderStack(cfg, secrets),
): Secret[] {
  const services = (Object.entries(rendered) as [Service, NonNullable<(typeof rendered)[Service]>][]).flatMap(([service, r]) => {
    const groups = secretGroups(cfg, service, r);
    const names = service === "mediamtx" ? mediamtxPartSecretNames(cfg, secretNames[service]) : [secretNames[service]];
    return groups.map((data, i) => secret(cfg, SECRET_OWNER[service], names[i], data));
  });
  const monitoring = cfg.kubernetes.monitoring.serviceMonitor ? [metricsAuthSecret(cfg, METRICS_AUTH_SECRET, secrets.metricsPassword)] : [];
  return [...services, ...monitoring];
}

/** Any object of the stack, as far as listing and writing them needs to know. */
export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

/** Every object except the Secrets, in apply order (for `lkstack render --manifests`). */
export function k8sObjectList(m: K8sManifests): K8sObject[] {
  const v = m.valkey;
  const parts: (K8sObject | undefined)[] = [
    m.namespace,
    v.configMap,
    v.service,
    v.statefulSet,
    v.podDisruptionBudget,
    v.sentinel?.service,
    v.sentinel?.statefulSet,
    v.sentinel?.podDisruptionBudget,
    m.sfu.configMap,
    m.sfu.service,
    m.sfu.deployment,
    m.sfu.podDisruptionBudget,
    m.edge?.certificate,
    m.edge?.ingress,
    m.turn?.configMap,
    m.turn?.certificate,
    m.turn?.service,
    m.turn?.deployment,
    m.turn?.podDisruptionBudget,
    m.mediamtx?.service,
    m.mediamtx?.deployment,
    m.ingress?.service,
    m.ingress?.deployment,
    m.ingress?.podDisruptionBudget,
    ...(m.cameras?.configMaps ?? []),
    m.cameras?.deployment,
    ...(m.publisher?.configMaps ?? []),
    m.publisher?.service,
    m.publisher?.statefulSet,
    m.publisher?.podDisruptionBudget,
    ...m.networkPolicies,
    m.monitoring.serviceMonitor,
    m.monitoring.sfuServiceMonitor,
    m.monitoring.prometheusRule,
    m.monitoring.dashboard,
  ];
  return parts.filter((o): o is K8sObject => o !== undefined);
}
