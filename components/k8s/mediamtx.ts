import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaultSecretNames, mediamtxObjects, mediamtxPartNames, workloadInputs, type WorkloadInput } from "../../templates";
import type { StackConfig } from "../../schema";
import { deploymentResource, secretResource, serviceResource } from "./objects";

export interface MediaMtxArgs {
  config: StackConfig;
  /** One data record per Secret (templates `secretGroups`): the body's parts, in order. */
  secretGroups: pulumi.Input<Record<string, string>[]>;
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
    const input = (secretName: string): WorkloadInput => {
      const i = workloadInputs(cfg, { ...defaultSecretNames(), mediamtx: secretName }).mediamtx;
      if (!i) throw new Error("mediamtx is disabled in this config");
      return i;
    };
    const plain = mediamtxObjects(cfg, input(defaultSecretNames().mediamtx));
    const resolved = pulumi.all(this.secrets.map((s) => s.metadata.name)).apply((names) => mediamtxObjects(cfg, input(names[0]), names));
    this.deployment = deploymentResource(
      name,
      resolved.apply((o) => o.deployment),
      { parent: this, dependsOn: this.secrets },
    );
    this.service = serviceResource(name, plain.service, { parent: this });
    this.registerOutputs({ deployment: this.deployment.metadata.name });
  }
}
