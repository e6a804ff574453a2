import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { sfuObjects, type SfuObjects } from "../../templates";
import { configMapResource, deploymentResource, pdbResource, serviceResource } from "./objects";
import { workloadObjects, type WorkloadArgs } from "./workload";

/** LiveKit SFU: one host-network pod per node, drained within the configured grace period. */
export class Sfu extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  public readonly configMap: k8s.core.v1.ConfigMap;
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;
  public readonly podDisruptionBudget: k8s.policy.v1.PodDisruptionBudget;

  constructor(name: string, args: WorkloadArgs<SfuObjects>, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:Sfu", name, {}, opts);
    const { secret, plain, resolved } = workloadObjects(this, name, "sfu", args, sfuObjects);
    this.secret = secret;
    this.configMap = configMapResource(`${name}-config`, plain.configMap, { parent: this });
    this.deployment = deploymentResource(
      name,
      resolved.apply((o) => o.deployment),
      { parent: this, dependsOn: [this.configMap, this.secret] },
    );
    this.service = serviceResource(name, plain.service, { parent: this });
    this.podDisruptionBudget = pdbResource(name, plain.podDisruptionBudget, { parent: this });
    this.registerOutputs({ deployment: this.deployment.metadata.name, configMap: this.configMap.metadata.name });
  }
}
