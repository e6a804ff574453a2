import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EdgeObjects } from "../../templates";
import { customResource, ingressResource } from "./objects";

/** The SFU's signalling behind the cluster's Ingress controller, with its cert-manager Certificate. */
export class Edge extends pulumi.ComponentResource {
  public readonly ingress: k8s.networking.v1.Ingress;
  public readonly certificate?: k8s.apiextensions.CustomResource;

  constructor(name: string, args: { objects: EdgeObjects }, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:Edge", name, {}, opts);
    const o = args.objects;
    if (o.certificate) this.certificate = customResource(`${name}-certificate`, o.certificate, { parent: this });
    this.ingress = ingressResource(name, o.ingress, { parent: this, dependsOn: this.certificate ? [this.certificate] : [] });
    this.registerOutputs({ ingress: this.ingress.metadata.name });
  }
}
