import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { camerasObjects } from "../../templates";
import { reconcilerCode } from "../reconcilerCode";
import { configMapResource, deploymentResource, secretResource } from "./objects";
import { buildWith, type WorkloadArgs } from "./workload";

/** The camera reconciler: keeps one LiveKit URL ingress per configured camera. */
export class Cameras extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  public readonly configMap: k8s.core.v1.ConfigMap;
  public readonly deployment: k8s.apps.v1.Deployment;

  constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:Cameras", name, {}, opts);
    const cfg = args.config;
    const code = reconcilerCode();
    this.secret = secretResource(`${name}-secret`, cfg, "cameras", args.secretData, { parent: this });
    const { plain, resolved } = buildWith(cfg, "cameras", this.secret, (c, input) => camerasObjects(c, input, code));
    this.configMap = configMapResource(`${name}-config`, plain.configMap, { parent: this });
    this.deployment = deploymentResource(
      name,
      resolved.apply((o) => o.deployment),
      { parent: this, dependsOn: [this.configMap, this.secret] },
    );
    this.registerOutputs({ deployment: this.deployment.metadata.name });
  }
}
