import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ingressObjects, type IngressObjects } from "../../templates";
import { deploymentResource, pdbResource, serviceResource } from "./objects";
import { workloadObjects, type WorkloadArgs } from "./workload";

/** LiveKit Ingress: pulls camera feeds from MediaMTX and publishes them into camera rooms. */
export class Ingress extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;
  public readonly podDisruptionBudget?: k8s.policy.v1.PodDisruptionBudget;

  constructor(name: string, args: WorkloadArgs<IngressObjects>, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:Ingress", name, {}, opts);
    const { secret, plain, resolved } = workloadObjects(this, name, "ingress", args, ingressObjects);
    this.secret = secret;
    this.deployment = deploymentResource(
      name,
      resolved.apply((o) => o.deployment),
      { parent: this, dependsOn: [this.secret] },
    );
    this.service = serviceResource(name, plain.service, { parent: this });
    if (plain.podDisruptionBudget) this.podDisruptionBudget = pdbResource(name, plain.podDisruptionBudget, { parent: this });
    this.registerOutputs({ deployment: this.deployment.metadata.name });
  }
}
