import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../schema";
import { LABEL, type DockerServiceSpec } from "../../templates";
import { dockerToken, environment, fileContent, healthcheckOf, labelList, type DockerWorkloadArgs } from "./workload";

/** The seed's HA block (docker-compose.prod.yml `deploy:`), applied to every replicated service. */
export const SWARM_HA = {
  updateConfig: { parallelism: 1, delay: "30s", order: "stop-first", failureAction: "rollback" },
  rollbackConfig: { parallelism: 1, order: "stop-first" },
  placement: { constraints: ["node.role == worker"] },
};

/**
 * A tmpfs option string (`size=16m,mode=0700,uid=…`) as Swarm's tmpfs options. Swarm cannot set the
 * owner, so a tmpfs meant for a non-root user is world-writable with the sticky bit: the files the
 * service writes there are still its own (its start scripts set umask 077).
 */
export function swarmTmpfs(options: string): { sizeBytes: number; mode: number } {
  const opt = (k: string) =>
    options
      .split(",")
      .find((o) => o.startsWith(`${k}=`))
      ?.slice(k.length + 1);
  const size = /^(\d+)([kmg]?)$/i.exec(opt("size") ?? "16m");
  const unit: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  const sizeBytes = size ? Number(size[1]) * unit[size[2].toLowerCase()] : 16 * 1024 ** 2;
  const mode = opt("uid") !== undefined ? 0o1777 : parseInt(opt("mode") ?? "700", 8);
  return { sizeBytes, mode };
}

/** Host-mode published ports for the SFU in Swarm: the ports and the whole UDP range, one by one. */
function sfuPublishedPorts(cfg: StackConfig) {
  const p = cfg.sfu.ports;
  const tcp = [p.http, p.rtcTcp, p.metrics].map((port) => ({
    targetPort: port,
    publishedPort: port,
    protocol: "tcp",
    publishMode: "host",
  }));
  const udp: { targetPort: number; publishedPort: number; protocol: string; publishMode: string }[] = [];
  for (let port = p.udp.start; port <= p.udp.end; port++)
    udp.push({ targetPort: port, publishedPort: port, protocol: "udp", publishMode: "host" });
  return [...tcp, ...udp];
}

/**
 * Where a service runs in the Swarm, the three places the workloads differ: how many replicas,
 * which network (coturn needs the node's own for its relay range; the rest share the overlay) and
 * which ports the routing mesh leaves to the host (only the SFU publishes, in host mode).
 */
function swarmPlacement(cfg: StackConfig, spec: DockerServiceSpec, network: docker.Network) {
  const replicas: Partial<Record<DockerServiceSpec["workload"], number>> = {
    sfu: cfg.sfu.replicas,
    // One edge per SFU node's worth of signalling; the routing mesh spreads connections over them.
    edge: cfg.sfu.replicas,
    turn: cfg.turn.replicas,
    ingress: cfg.ingress.replicas,
  };
  return {
    replicas: replicas[spec.workload] ?? 1,
    networks: spec.workload === "turn" ? [{ name: "host" }] : [{ name: network.name }],
    endpointSpec:
      spec.workload === "sfu"
        ? { ports: sfuPublishedPorts(cfg) }
        : spec.publishedPorts.length > 0
          ? {
              ports: spec.publishedPorts.map((p) => ({
                targetPort: p.target,
                publishedPort: p.published,
                protocol: "tcp",
                publishMode: "ingress",
              })),
            }
          : undefined,
  };
}

/** A file as a Swarm config or secret mount, owned by the service user. */
interface FileMount {
  fileName: string;
  fileUid: string;
  fileGid: string;
  fileMode: number;
}

/**
 * One service of the Swarm target, with the seed's update/rollback policy. Files reach it as Swarm
 * configs (content-named, 0444) and secrets (0400), owned by the service user; tmpfs mounts keep the
 * spec's sizes, and a non-root user's tmpfs is 1777 since Swarm cannot chown (see swarmTmpfs).
 */
export class SwarmService extends pulumi.ComponentResource {
  public readonly service: docker.Service;
  public readonly configs: docker.ServiceConfig[] = [];
  public readonly secrets: docker.Secret[] = [];

  constructor(name: string, args: DockerWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super(dockerToken(args.spec), name, {}, opts);
    const { spec, config: cfg } = args;
    const files = pulumi.output(args.files);
    const uid = String(spec.uid);
    const mount = (path: string, mode: number): FileMount => ({ fileName: path, fileUid: uid, fileGid: uid, fileMode: mode });
    const base64 = (f: { name: string; secret: boolean }) =>
      fileContent(files, f.name, f.secret).apply((s) => Buffer.from(s).toString("base64"));
    const configs = spec.files
      .filter((f) => !f.secret)
      .map((f) => {
        // Content-named: Swarm configs are immutable, a changed file is a new config.
        const configName = `${spec.name}-${f.name.replace(/[^A-Za-z0-9_.-]/g, "-")}-${spec.labels[LABEL.configDigest]}`;
        const c = new docker.ServiceConfig(`${name}-${f.name}`, { name: configName, data: base64(f) }, { parent: this });
        this.configs.push(c);
        return { configId: c.id, configName: c.name, ...mount(f.path, 0o444) };
      });
    const secrets = spec.files
      .filter((f) => f.secret)
      .map((f) => {
        // Unnamed: a new value is a new Swarm secret, and the service update rolls the tasks.
        const s = new docker.Secret(`${name}-${f.name}`, { data: pulumi.secret(base64(f)) }, { parent: this });
        this.secrets.push(s);
        return { secretId: s.id, secretName: s.name, ...mount(f.path, 0o400) };
      });
    const where = swarmPlacement(cfg, spec, args.network);
    this.service = new docker.Service(
      name,
      {
        name: spec.name,
        labels: labelList(spec, cfg),
        taskSpec: {
          containerSpec: {
            image: args.image,
            commands: spec.entrypoint,
            args: spec.command,
            user: spec.user,
            env: pulumi.secret(pulumi.output(args.secretEnv).apply((se) => Object.fromEntries(environment(spec, se)))),
            configs,
            secrets,
            healthcheck: healthcheckOf(spec),
            readOnly: spec.readOnly,
            capDrops: ["ALL"],
            capAdds: spec.capAdd.length > 0 ? spec.capAdd : undefined,
            stopGracePeriod: `${spec.stopTimeoutSeconds}s`,
            mounts: [
              ...Object.entries(spec.tmpfs).map(([target, options]) => ({ target, type: "tmpfs", tmpfsOptions: swarmTmpfs(options) })),
              ...(args.volume ? spec.volumes.map((v) => ({ target: v.containerPath, type: "volume", source: args.volume?.name })) : []),
              // Certificates on each node's disk (the same path on every node that runs the task).
              ...spec.hostFiles.map((f) => ({ target: f.target, type: "bind", source: f.source, readOnly: true })),
            ],
          },
          resources: {
            limits: { memoryBytes: spec.memoryMiB * 1024 ** 2, nanoCpus: Math.round(Number(spec.cpus) * 1e9) },
            reservation: { memoryBytes: spec.memoryReservationMiB * 1024 ** 2 },
          },
          restartPolicy: { condition: "any", delay: "5s", window: "60s" },
          // Host ports (SFU) and the host network (coturn) allow one task per node.
          placement: spec.hostNetwork ? { ...SWARM_HA.placement, maxReplicas: 1 } : SWARM_HA.placement,
          networksAdvanceds: where.networks,
        },
        mode: { replicated: { replicas: where.replicas } },
        updateConfig: SWARM_HA.updateConfig,
        rollbackConfig: SWARM_HA.rollbackConfig,
        endpointSpec: where.endpointSpec,
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
