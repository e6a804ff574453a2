import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerToken, environment, fileContent, healthcheckOf, labelList, type DockerWorkloadArgs } from "./workload";

/**
 * One service of the standalone Docker target: a container on a single host. Files reach it as
 * uploads owned by the service user (secret ones 0400); tmpfs mounts take the spec's options as
 * written (size, mode, owner).
 */
export class DockerContainer extends pulumi.ComponentResource {
  public readonly container: docker.Container;

  constructor(name: string, args: DockerWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super(dockerToken(args.spec), name, {}, opts);
    const { spec, config: cfg } = args;
    const files = pulumi.output(args.files);
    const uid = String(spec.uid);
    const envs = pulumi.secret(pulumi.output(args.secretEnv).apply((se) => environment(spec, se).map(([k, v]) => `${k}=${v}`)));
    const uploads = spec.files.map((f) => ({
      file: f.path,
      content: fileContent(files, f.name, f.secret),
      owner: uid,
      group: uid,
      permissions: f.secret ? "0400" : "0444",
    }));
    this.container = new docker.Container(
      name,
      {
        name: spec.name,
        image: args.image,
        entrypoints: spec.entrypoint,
        command: spec.command,
        user: spec.user,
        envs: spec.secretEnvNames.length > 0 || Object.keys(spec.env).length > 0 ? envs : undefined,
        uploads,
        networkMode: spec.hostNetwork ? "host" : undefined,
        networksAdvanced: spec.hostNetwork ? undefined : [{ name: args.network.name, ipv4Address: spec.ipv4Address }],
        // Only the TLS edge publishes: host-network services own their ports; the rest stay on the bridge.
        ports: spec.publishedPorts.map((p) => ({ internal: p.target, external: p.published, protocol: "tcp" })),
        healthcheck: healthcheckOf(spec),
        restart: "unless-stopped",
        memory: spec.memoryMiB,
        memoryReservation: spec.memoryReservationMiB,
        cpus: spec.cpus,
        readOnly: spec.readOnly,
        tmpfs: Object.keys(spec.tmpfs).length > 0 ? spec.tmpfs : undefined,
        volumes: args.volume ? spec.volumes.map((v) => ({ volumeName: args.volume?.name, containerPath: v.containerPath })) : undefined,
        // Certificates on the host: a renewal that rewrites the file in place is seen at once.
        mounts:
          spec.hostFiles.length > 0
            ? spec.hostFiles.map((f) => ({ type: "bind", source: f.source, target: f.target, readOnly: true }))
            : undefined,
        capabilities: { drops: ["ALL"], adds: spec.capAdd.length > 0 ? spec.capAdd : undefined },
        securityOpts: ["no-new-privileges:true"],
        labels: labelList(spec, cfg),
        stopTimeout: spec.stopTimeoutSeconds,
        destroyGraceSeconds: spec.stopTimeoutSeconds,
        logDriver: "json-file",
        logOpts: { "max-size": "50m", "max-file": "3" },
      },
      // Fixed container names and host ports: the old container must go before the new one starts.
      { parent: this, deleteBeforeReplace: true },
    );
    this.registerOutputs({});
  }
}
