import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ingressObjects } from "../../templates";
import { deploymentResource, pdbResource, secretResource, serviceResource } from "./objects";
import { buildWith, type WorkloadArgs } from "./workload";

/** LiveKit Ingress: pulls camera feeds from MediaMTX and publishes them into camera rooms. */
export class Ingress extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;
  public readonly podDisruptionBudget?: k8s.policy.v1.PodDisruptionBudget;

  constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:Ingress", name, {}, opts);
    const cfg = args.config;
    this.secret = secretResource(`${name}-secret`, cfg, "ingress", args.secretData, { parent: this });
    const { plain, resolved } = buildWith(cfg, "ingress", this.secret, ingressObjects);
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
