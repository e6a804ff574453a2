import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { mediamtxObjects } from "../../templates";
import { deploymentResource, secretResource, serviceResource } from "./objects";
import { buildWith, type WorkloadArgs } from "./workload";

/** MediaMTX: pulls each camera over RTSP and re-serves it over SRT inside the cluster. */
export class MediaMtx extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;

  constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:MediaMtx", name, {}, opts);
    const cfg = args.config;
    this.secret = secretResource(`${name}-secret`, cfg, "mediamtx", args.secretData, { parent: this });
    const { plain, resolved } = buildWith(cfg, "mediamtx", this.secret, mediamtxObjects);
    this.deployment = deploymentResource(
      name,
      resolved.apply((o) => o.deployment),
      { parent: this, dependsOn: [this.secret] },
    );
    this.service = serviceResource(name, plain.service, { parent: this });
    this.registerOutputs({ deployment: this.deployment.metadata.name });
  }
}
