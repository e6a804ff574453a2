import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { turnObjects, type TurnObjects } from "../../templates";
import { configMapResource, customResource, deploymentResource, pdbResource, serviceResource } from "./objects";
import { workloadObjects, type WorkloadArgs } from "./workload";

/** coturn on the host network (its relay range cannot go through a Service). */
export class Turn extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  public readonly configMap: k8s.core.v1.ConfigMap;
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;
  public readonly podDisruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
  public readonly certificate?: k8s.apiextensions.CustomResource;

  constructor(name: string, args: WorkloadArgs<TurnObjects>, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:Turn", name, {}, opts);
    const { secret, plain, resolved } = workloadObjects(this, name, "turn", args, turnObjects);
    this.secret = secret;
    this.configMap = configMapResource(`${name}-config`, plain.configMap, { parent: this });
    if (plain.certificate) this.certificate = customResource(`${name}-certificate`, plain.certificate, { parent: this });
    this.deployment = deploymentResource(
      name,
      resolved.apply((o) => o.deployment),
      { parent: this, dependsOn: [this.configMap, this.secret, ...(this.certificate ? [this.certificate] : [])] },
    );
    this.service = serviceResource(name, plain.service, { parent: this });
    if (plain.podDisruptionBudget) this.podDisruptionBudget = pdbResource(name, plain.podDisruptionBudget, { parent: this });
    this.registerOutputs({ deployment: this.deployment.metadata.name });
  }
}
