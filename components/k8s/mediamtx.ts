import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { mediamtxObjects, mediamtxPartNames, type MediamtxObjects } from "../../templates";
import type { StackConfig } from "../../schema";
import { deploymentResource, secretResource, serviceResource } from "./objects";
import type { WorkloadPlan } from "./workload";

export interface MediaMtxArgs {
  config: StackConfig;
  /** One data record per Secret (templates `secretGroups`): the body's parts, in order. */
  secretGroups: pulumi.Input<Record<string, string>[]>;
  plan: WorkloadPlan<MediamtxObjects>;
}

/** MediaMTX: pulls each camera over RTSP; the reconciler points each path's forward at its ingress. */
export class MediaMtx extends pulumi.ComponentResource {
  /** One per part of the Secret-held mediamtx.yml (the first keeps the single Secret's name). */
  public readonly secrets: k8s.core.v1.Secret[];
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;

  constructor(name: string, args: MediaMtxArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:MediaMtx", name, {}, opts);
    const cfg = args.config;
    const parts = mediamtxPartNames(cfg);
    const groups = pulumi.output(args.secretGroups);
    this.secrets = parts.map((_, i) =>
      secretResource(
        i === 0 ? `${name}-secret` : `${name}-secret-${i}`,
        cfg,
        "mediamtx",
        groups.apply((g) => {
          if (g.length !== parts.length)
            throw new pulumi.ResourceError(`mediamtx.yml has ${g.length} parts, planned ${parts.length}`, this);
          return g[i];
        }),
        { parent: this },
      ),
    );
    // Its Secrets are several (the parts), so it rebuilds from their real names itself rather than
    // through workloadObjects; the planned input is reused, nothing is rendered again.
    const plain = args.plan.objects;
    const resolved = pulumi
      .all(this.secrets.map((s) => s.metadata.name))
      .apply((names) => mediamtxObjects(cfg, { ...args.plan.input, secretName: names[0] }, names));
    this.deployment = deploymentResource(
      name,
      resolved.apply((o) => o.deployment),
      { parent: this, dependsOn: this.secrets },
    );
    this.service = serviceResource(name, plain.service, { parent: this });
    this.registerOutputs({ deployment: this.deployment.metadata.name });
  }
}
