// The API groups one by one: the package's index loads Helm, YAML and Kustomize support too, which
// this stack never uses (about 0.06 s of CPU per run, bench/cli.ts).
import type * as k8s from "@pulumi/kubernetes";
import * as apiextensions from "@pulumi/kubernetes/apiextensions";
import * as appsV1 from "@pulumi/kubernetes/apps/v1";
import * as coreV1 from "@pulumi/kubernetes/core/v1";
import * as networkingV1 from "@pulumi/kubernetes/networking/v1";
import * as policyV1 from "@pulumi/kubernetes/policy/v1";
import * as pulumi from "@pulumi/pulumi";
import type { Deployment, StatefulSet } from "kubernetes-types/apps/v1";
import type { ConfigMap, Namespace, Service } from "kubernetes-types/core/v1";
import type { Ingress, NetworkPolicy } from "kubernetes-types/networking/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { labels, type CertManagerCertificate, type MonitoringObject } from "../../templates";
import type { ServiceId, StackConfig } from "../../schema";

/**
 * Thin wrappers from the pure manifests (templates/k8s) to Pulumi resources: the objects are built
 * and tested without Pulumi, these only hand them over. Workloads arrive as outputs because they
 * reference the auto-named Secret.
 */
export function configMapResource(name: string, o: ConfigMap, opts: pulumi.CustomResourceOptions): k8s.core.v1.ConfigMap {
  // Content-named and immutable: a change is a new object, created before the old one goes.
  return new coreV1.ConfigMap(name, { metadata: o.metadata, immutable: o.immutable, data: o.data }, opts);
}

export function namespaceResource(name: string, o: Namespace, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
  return new coreV1.Namespace(name, { metadata: o.metadata }, opts);
}

export function ingressResource(name: string, o: Ingress, opts: pulumi.CustomResourceOptions): k8s.networking.v1.Ingress {
  return new networkingV1.Ingress(name, { metadata: o.metadata, spec: o.spec }, opts);
}

export function serviceResource(name: string, o: Service, opts: pulumi.CustomResourceOptions): k8s.core.v1.Service {
  return new coreV1.Service(name, { metadata: o.metadata, spec: o.spec }, opts);
}

export function pdbResource(name: string, o: PodDisruptionBudget, opts: pulumi.CustomResourceOptions): k8s.policy.v1.PodDisruptionBudget {
  return new policyV1.PodDisruptionBudget(name, { metadata: o.metadata, spec: o.spec }, opts);
}

export function networkPolicyResource(name: string, o: NetworkPolicy, opts: pulumi.CustomResourceOptions): k8s.networking.v1.NetworkPolicy {
  return new networkingV1.NetworkPolicy(name, { metadata: o.metadata, spec: o.spec }, opts);
}

/**
 * kubernetes-types and Pulumi's generated input types describe the same API objects but disagree
 * on a few optional markers deep in PodSpec (e.g. HostAlias.ip). The objects themselves are
 * validated against the Kubernetes OpenAPI schema in the tests, so the hand-over is a plain cast.
 */
function asPulumiInput<T>(o: pulumi.Output<unknown>): pulumi.Output<T> {
  return o as pulumi.Output<T>;
}

export function deploymentResource(name: string, o: pulumi.Output<Deployment>, opts: pulumi.CustomResourceOptions): k8s.apps.v1.Deployment {
  return new appsV1.Deployment(
    name,
    { metadata: o.apply((d) => d.metadata ?? {}), spec: asPulumiInput<k8s.types.input.apps.v1.DeploymentSpec>(o.apply((d) => d.spec)) },
    opts,
  );
}

export function statefulSetResource(
  name: string,
  o: pulumi.Output<StatefulSet>,
  opts: pulumi.CustomResourceOptions,
): k8s.apps.v1.StatefulSet {
  return new appsV1.StatefulSet(
    name,
    { metadata: o.apply((d) => d.metadata ?? {}), spec: asPulumiInput<k8s.types.input.apps.v1.StatefulSetSpec>(o.apply((d) => d.spec)) },
    opts,
  );
}

export function customResource(
  name: string,
  o: MonitoringObject | CertManagerCertificate,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return new apiextensions.CustomResource(name, { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, spec: o.spec }, opts);
}

/** A monitoring object whose spec names an auto-named Secret (known once the Secret exists). */
export function monitoringResource(
  name: string,
  plain: MonitoringObject,
  o: pulumi.Output<MonitoringObject>,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return new apiextensions.CustomResource(
    name,
    { apiVersion: plain.apiVersion, kind: plain.kind, metadata: plain.metadata, spec: o.apply((x) => x.spec) },
    opts,
  );
}

/**
 * A workload's Secret. No metadata.name: Pulumi auto-names it, and since it is immutable a data
 * change replaces it under a new name, which changes the pod template and rolls the pods.
 */
export function secretResource(
  name: string,
  cfg: StackConfig,
  w: ServiceId,
  data: pulumi.Input<Record<string, string>>,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  return new coreV1.Secret(
    name,
    {
      metadata: { namespace: cfg.kubernetes.namespace, labels: labels(w) },
      type: "Opaque",
      immutable: true,
      stringData: pulumi.secret(data),
    },
    opts,
  );
}
