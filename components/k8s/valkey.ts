import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { valkeyObjects, type ValkeyObjects } from "../../templates";
import { configMapResource, pdbResource, serviceResource, statefulSetResource } from "./objects";
import { workloadObjects, type WorkloadArgs } from "./workload";

/** Valkey: one StatefulSet pod, or a primary with replicas watched by Sentinels. */
export class Valkey extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  public readonly configMap: k8s.core.v1.ConfigMap;
  public readonly statefulSet: k8s.apps.v1.StatefulSet;
  public readonly service: k8s.core.v1.Service;
  public readonly podDisruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
  public readonly sentinel?: {
    statefulSet: k8s.apps.v1.StatefulSet;
    service: k8s.core.v1.Service;
    podDisruptionBudget: k8s.policy.v1.PodDisruptionBudget;
  };

  constructor(name: string, args: WorkloadArgs<ValkeyObjects>, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:Valkey", name, {}, opts);
    const { secret, plain, resolved } = workloadObjects(this, name, "valkey", args, valkeyObjects);
    this.secret = secret;
    this.configMap = configMapResource(`${name}-config`, plain.configMap, { parent: this });
    this.service = serviceResource(name, plain.service, { parent: this });
    this.statefulSet = statefulSetResource(
      name,
      resolved.apply((o) => o.statefulSet),
      { parent: this, dependsOn: [this.configMap, this.secret, this.service] },
    );
    if (plain.podDisruptionBudget) this.podDisruptionBudget = pdbResource(name, plain.podDisruptionBudget, { parent: this });
    if (plain.sentinel) {
      const sentinelName = `${name}-sentinel`;
      const service = serviceResource(sentinelName, plain.sentinel.service, { parent: this });
      this.sentinel = {
        service,
        statefulSet: statefulSetResource(
          sentinelName,
          resolved.apply((o) => {
            if (!o.sentinel) throw new pulumi.ResourceError("sentinel objects vanished between builds", this);
            return o.sentinel.statefulSet;
          }),
          { parent: this, dependsOn: [this.configMap, this.secret, service, this.statefulSet] },
        ),
        podDisruptionBudget: pdbResource(sentinelName, plain.sentinel.podDisruptionBudget, { parent: this }),
      };
    }
    this.registerOutputs({ statefulSet: this.statefulSet.metadata.name });
  }
}
