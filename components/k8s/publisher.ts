import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { publisherObjects, type PublisherObjects } from "../../templates";
import { configMapResource, pdbResource, serviceResource, statefulSetResource } from "./objects";
import { workloadObjects, type WorkloadArgs } from "./workload";
import { publisherImageFor } from "../publisherImage";

/** The passthrough publisher: relays each passthrough camera's own streams into its room. */
export class Publisher extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  /** One per chunk of passthrough cameras. */
  public readonly configMaps: k8s.core.v1.ConfigMap[];
  public readonly service: k8s.core.v1.Service;
  public readonly statefulSet: k8s.apps.v1.StatefulSet;
  public readonly podDisruptionBudget: k8s.policy.v1.PodDisruptionBudget;

  constructor(name: string, args: WorkloadArgs<PublisherObjects>, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:Publisher", name, {}, opts);
    const image = pulumi.output(publisherImageFor(name, args.config, this));
    const { secret, plain, resolved } = workloadObjects(this, name, "publisher", args, (c, input) => publisherObjects(c, input));
    this.secret = secret;
    this.configMaps = plain.configMaps.map((cm, i) => configMapResource(`${name}-cameras-${i}`, cm, { parent: this }));
    this.service = serviceResource(name, plain.service, { parent: this });
    this.statefulSet = statefulSetResource(
      name,
      // The planned objects carry the image config names; a build's pushed digest replaces it.
      pulumi.all([resolved, image]).apply(([o, img]) => withImage(o.statefulSet, img)),
      { parent: this, dependsOn: [...this.configMaps, this.secret] },
    );
    this.podDisruptionBudget = pdbResource(name, plain.podDisruptionBudget, { parent: this });
    this.registerOutputs({ statefulSet: this.statefulSet.metadata.name });
  }
}

function withImage(s: PublisherObjects["statefulSet"], image: string): PublisherObjects["statefulSet"] {
  const template = s.spec?.template;
  if (!s.spec || !template?.spec) return s;
  const containers = template.spec.containers.map((c) => (c.name === "publisher" ? { ...c, image } : c));
  return { ...s, spec: { ...s.spec, template: { ...template, spec: { ...template.spec, containers } } } };
}
