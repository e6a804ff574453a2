import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../schema";
import { LABEL, type DockerServiceSpec, type Workload } from "../../templates";

/** Type token per workload: `lkstack:docker:Sfu`, `…:Ingress`, `…:Turn`, `…:Valkey`, `…:MediaMtx`. */
export const DOCKER_TOKENS: Record<Exclude<Workload, "sentinel">, string> = {
  sfu: "lkstack:docker:Sfu",
  ingress: "lkstack:docker:Ingress",
  turn: "lkstack:docker:Turn",
  valkey: "lkstack:docker:Valkey",
  mediamtx: "lkstack:docker:MediaMtx",
  cameras: "lkstack:docker:Cameras",
};

export interface DockerWorkloadArgs {
  config: StackConfig;
  spec: DockerServiceSpec;
  image: pulumi.Input<string>;
  network: docker.Network;
  /** Every file of the service by name (secret ones are only read inside secret outputs). */
  files: pulumi.Input<Record<string, string>>;
  /** Secret env values by name. */
  secretEnv: pulumi.Input<Record<string, string>>;
  volume?: docker.Volume;
}

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

const seconds = (s: string | number): string => (typeof s === "number" ? `${s}s` : s);

function labelList(spec: DockerServiceSpec, cfg: StackConfig) {
  return Object.entries({ ...spec.labels, "lkstack.io/stack": pulumi.getStack(), "lkstack.io/target": cfg.target }).map(
    ([label, value]) => ({
      label,
      value,
    }),
  );
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
 * One service of the Docker target: a container on a single host, or a Swarm service with the
 * seed's update/rollback policy. Files reach it as uploads (standalone) or Swarm configs and
 * secrets; secret files belong to the service user with mode 0400.
 */
export class DockerWorkload extends pulumi.ComponentResource {
  public readonly container?: docker.Container;
  public readonly service?: docker.Service;
  public readonly configs: docker.ServiceConfig[] = [];
  public readonly secrets: docker.Secret[] = [];

  constructor(name: string, args: DockerWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    const w = args.spec.workload === "sentinel" ? "valkey" : args.spec.workload;
    super(DOCKER_TOKENS[w], name, {}, opts);
    const { spec, config: cfg } = args;
    const files = pulumi.output(args.files);
    const secretEnv = pulumi.secret(pulumi.output(args.secretEnv));
    const uid = String(spec.uid);
    const healthcheck = {
      tests: spec.healthcheck.tests,
      interval: seconds(spec.healthcheck.interval),
      timeout: seconds(spec.healthcheck.timeout),
      retries: spec.healthcheck.retries,
      startPeriod: seconds(spec.healthcheck.startPeriod),
    };

    if (cfg.docker.mode === "standalone") {
      const envs = pulumi.secret(
        secretEnv.apply((se) =>
          [...Object.entries(spec.env), ...spec.secretEnvNames.map((n): [string, string] => [n, se[n] ?? ""])].map(([k, v]) => `${k}=${v}`),
        ),
      );
      const uploads = spec.files.map((f) => ({
        file: f.path,
        content: f.secret ? pulumi.secret(files.apply((all) => all[f.name] ?? "")) : files.apply((all) => all[f.name] ?? ""),
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
          // Nothing is published: host-network services own their ports; the rest stay on the bridge.
          ports: [],
          healthcheck,
          restart: "unless-stopped",
          memory: spec.memoryMiB,
          memoryReservation: spec.memoryReservationMiB,
          cpus: spec.cpus,
          readOnly: spec.readOnly,
          tmpfs: Object.keys(spec.tmpfs).length > 0 ? spec.tmpfs : undefined,
          volumes: args.volume ? spec.volumes.map((v) => ({ volumeName: args.volume?.name, containerPath: v.containerPath })) : undefined,
          capabilities: { drops: ["ALL"] },
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
    } else {
      const configs = spec.files
        .filter((f) => !f.secret)
        .map((f) => {
          const c = new docker.ServiceConfig(
            `${name}-${f.name}`,
            {
              name: `${spec.name}-${f.name.replace(/[^A-Za-z0-9_.-]/g, "-")}-${spec.labels[LABEL.configDigest]}`,
              data: files.apply((all) => Buffer.from(all[f.name] ?? "").toString("base64")),
            },
            { parent: this },
          );
          this.configs.push(c);
          return { configId: c.id, configName: c.name, fileName: f.path, fileUid: uid, fileGid: uid, fileMode: 0o444 };
        });
      const secrets = spec.files
        .filter((f) => f.secret)
        .map((f) => {
          // Unnamed: a new value is a new Swarm secret, and the service update rolls the tasks.
          const s = new docker.Secret(
            `${name}-${f.name}`,
            { data: pulumi.secret(files.apply((all) => Buffer.from(all[f.name] ?? "").toString("base64"))) },
            { parent: this },
          );
          this.secrets.push(s);
          return { secretId: s.id, secretName: s.name, fileName: f.path, fileUid: uid, fileGid: uid, fileMode: 0o400 };
        });
      const replicated =
        spec.workload === "sfu"
          ? cfg.sfu.replicas
          : spec.workload === "turn"
            ? cfg.turn.replicas
            : spec.workload === "ingress"
              ? cfg.ingress.replicas
              : 1;
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
              env: pulumi.secret(
                secretEnv.apply((se) => ({ ...spec.env, ...Object.fromEntries(spec.secretEnvNames.map((n) => [n, se[n] ?? ""])) })),
              ),
              configs,
              secrets,
              healthcheck,
              readOnly: spec.readOnly,
              capDrops: ["ALL"],
              stopGracePeriod: `${spec.stopTimeoutSeconds}s`,
              mounts: [
                ...Object.entries(spec.tmpfs).map(([target, options]) => ({ target, type: "tmpfs", tmpfsOptions: swarmTmpfs(options) })),
                ...(args.volume ? spec.volumes.map((v) => ({ target: v.containerPath, type: "volume", source: args.volume?.name })) : []),
              ],
            },
            resources: {
              limits: { memoryBytes: spec.memoryMiB * 1024 ** 2, nanoCpus: Math.round(Number(spec.cpus) * 1e9) },
              reservation: { memoryBytes: spec.memoryReservationMiB * 1024 ** 2 },
            },
            restartPolicy: { condition: "any", delay: "5s", window: "60s" },
            // Host ports (SFU) and the host network (coturn) allow one task per node.
            placement: spec.hostNetwork ? { ...SWARM_HA.placement, maxReplicas: 1 } : SWARM_HA.placement,
            // coturn needs the node's own network for its relay range; the rest share the overlay.
            networksAdvanceds: spec.workload === "turn" ? [{ name: "host" }] : [{ name: args.network.name }],
          },
          mode: { replicated: { replicas: replicated } },
          updateConfig: SWARM_HA.updateConfig,
          rollbackConfig: SWARM_HA.rollbackConfig,
          endpointSpec: spec.workload === "sfu" ? { ports: sfuPublishedPorts(cfg) } : undefined,
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
