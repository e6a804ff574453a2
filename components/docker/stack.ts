import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_NAMES, type StackConfig, type StackSecrets } from "../../schema";
import { dockerFiles, dockerServices, publicFilesOf, renderStack, renderWithoutSecrets, type DockerServiceSpec } from "../../templates";
import { reconcilerCode } from "../../reconciler/bundle";
import { DockerContainer } from "./container";
import { SwarmService } from "./swarmService";
import { publisherImageFor } from "../publisherImage";

/** One workload of the Docker target, whichever mode built it: its container or its Swarm service. */
export interface DockerWorkload extends pulumi.ComponentResource {
  readonly container?: docker.Container;
  readonly service?: docker.Service;
}

export interface DockerStackArgs {
  config: StackConfig;
  secrets: pulumi.Input<StackSecrets>;
}

/**
 * The dev target: the whole stack on one Docker host (standalone) or a Swarm (HA). Images are
 * pinned by the version table; the SFU and coturn run on the host network.
 */
export class DockerStack extends pulumi.ComponentResource {
  public readonly network: docker.Network;
  public readonly images: Record<string, docker.RemoteImage> = {};
  public readonly valkeyVolume?: docker.Volume;
  public readonly workloads: Record<string, DockerWorkload> = {};
  /** Every public file the stack deploys (livekit.yaml, …): no secret is in them. */
  public readonly publicFiles: Record<string, string>;

  constructor(name: string, args: DockerStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:docker:Stack", name, {}, opts);
    const cfg = args.config;
    const swarm = cfg.docker.mode === "swarm";
    this.network = new docker.Network(
      `${name}-network`,
      swarm
        ? { name: "lkstack", driver: "overlay", attachable: true }
        : { name: "lkstack", driver: "bridge", ipamConfigs: [{ subnet: cfg.docker.subnet }] },
      { parent: this },
    );
    const code = reconcilerCode();
    const withoutSecrets = renderWithoutSecrets(cfg);
    this.publicFiles = publicFilesOf(withoutSecrets);
    const specs = dockerServices(cfg, code, withoutSecrets);
    if (cfg.valkey.persistence)
      this.valkeyVolume = new docker.Volume(
        `${name}-valkey-data`,
        { name: `${SERVICE_NAMES.valkey}-data` },
        { parent: this, retainOnDelete: true },
      );
    const rendered = pulumi.secret(pulumi.output(args.secrets).apply((s) => renderStack(cfg, s)));
    const image = (spec: DockerServiceSpec) => {
      const existing = this.images[spec.image];
      if (existing) return existing;
      const img = new docker.RemoteImage(`${name}-image-${spec.workload}`, { name: spec.image, keepLocally: true }, { parent: this });
      this.images[spec.image] = img;
      return img;
    };
    const byWorkload: Record<string, DockerWorkload> = {};
    for (const spec of specs) {
      const r = rendered.apply((all) => {
        const one = all[spec.service];
        if (!one) throw new pulumi.ResourceError(`${spec.service} was not rendered`, this);
        return one;
      });
      const deps =
        spec.workload === "ingress"
          ? [byWorkload.valkey, byWorkload.sfu]
          : spec.workload === "sfu"
            ? [byWorkload.valkey]
            : spec.workload === "edge"
              ? [byWorkload.sfu]
              : spec.workload === "cameras"
                ? [byWorkload.ingress]
                : spec.workload === "publisher"
                  ? [byWorkload.sfu, byWorkload.mediamtx]
                  : [];
      // The publisher's image is built from publisher/ (or given); every other one is pulled.
      const pinned = spec.workload === "publisher" ? publisherImageFor(name, cfg, this) : swarm ? spec.image : image(spec).imageId;
      const Workload = swarm ? SwarmService : DockerContainer;
      byWorkload[spec.workload] = new Workload(
        `${name}-${spec.workload}`,
        {
          config: cfg,
          spec,
          // Standalone containers pin the exact pulled image; Swarm nodes pull the tag themselves.
          image: pinned,
          network: this.network,
          files: r.apply((one) => dockerFiles(cfg, spec, one, code)),
          secretEnv: r.apply((one) => one.secretEnv),
          volume: spec.workload === "valkey" ? this.valkeyVolume : undefined,
        },
        { parent: this, dependsOn: deps.filter((d) => d !== undefined) },
      );
    }
    Object.assign(this.workloads, byWorkload);
    this.registerOutputs({ network: this.network.name });
  }
}
