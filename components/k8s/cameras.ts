import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { camerasObjects, type CamerasObjects } from "../../templates";
import { configMapResource, deploymentResource } from "./objects";
import { workloadObjects, type WorkloadArgs } from "./workload";

export interface CamerasArgs extends WorkloadArgs<CamerasObjects> {
  /** The reconciler bundle the plan was built with (the pod template carries its digest). */
  code: string;
}

/** The camera reconciler: keeps one LiveKit RTMP ingress per configured camera. */
export class Cameras extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  /** The reconciler's code, then one per chunk of desired ingresses. */
  public readonly configMaps: k8s.core.v1.ConfigMap[];
  public readonly deployment: k8s.apps.v1.Deployment;

  constructor(name: string, args: CamerasArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:Cameras", name, {}, opts);
    const { secret, plain, resolved } = workloadObjects(this, name, "cameras", args, (c, input) => camerasObjects(c, input, args.code));
    this.secret = secret;
    this.configMaps = plain.configMaps.map((cm, i) =>
      configMapResource(i === 0 ? `${name}-code` : `${name}-ingresses-${i - 1}`, cm, { parent: this }),
    );
    this.deployment = deploymentResource(
      name,
      resolved.apply((o) => o.deployment),
      { parent: this, dependsOn: [...this.configMaps, this.secret] },
    );
    this.registerOutputs({ deployment: this.deployment.metadata.name });
  }
}
