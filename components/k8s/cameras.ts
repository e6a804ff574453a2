import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { camerasObjects } from "../../templates";
import { reconcilerCode } from "../../reconciler/bundle";
import { configMapResource, deploymentResource, secretResource } from "./objects";
import { buildWith, type WorkloadArgs } from "./workload";

/** The camera reconciler: keeps one LiveKit RTMP ingress per configured camera. */
export class Cameras extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  /** The reconciler's code, then one per chunk of desired ingresses. */
  public readonly configMaps: k8s.core.v1.ConfigMap[];
  public readonly deployment: k8s.apps.v1.Deployment;

  constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:Cameras", name, {}, opts);
    const cfg = args.config;
    const code = reconcilerCode();
    this.secret = secretResource(`${name}-secret`, cfg, "cameras", args.secretData, { parent: this });
    const { plain, resolved } = buildWith(cfg, "cameras", this.secret, (c, input) => camerasObjects(c, input, code));
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
