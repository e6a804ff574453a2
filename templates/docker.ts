import {
  CONTAINER_LAYOUT,
  DEFAULTS,
  RECONCILER_IMAGE,
  SERVICE_NAMES,
  SERVICES,
  serviceImage,
  memoryToMiB,
  parseCpu,
  topology,
  type CertificateSource,
  type ServiceId,
  type StackConfig,
} from "../schema";
import { defaultEdgeListen, edgeStartScript } from "./edge";
import { turnserverStartScript } from "./coturn";
import { digest, LABEL, PART_OF } from "./k8s/common";
import { mediamtxJoinScript, mediamtxPartNames } from "./mediamtx";
import {
  deployedSecretFiles,
  FILE_NAMES,
  mountPath,
  renderWithoutSecrets,
  type RenderedService,
  type RenderedStack,
  type Service,
} from "./stack";
import { reconcilerEnv } from "./reconciler";
import { PUBLISHER_BINARY, PUBLISHER_HEALTHCHECK_ARG, publisherEnv, publisherImage } from "./publisher";

/** One file placed into a container: public files may be reviewed, secret ones only reach the container. */
export interface DockerFile {
  name: string;
  path: string;
  secret: boolean;
}

/** A Docker container (standalone) or Swarm service, described without Pulumi. */
export interface DockerServiceSpec {
  workload: ServiceId;
  service: Service;
  name: string;
  image: string;
  /** Replaces the image's entrypoint (coturn's evals its arguments). */
  entrypoint?: string[];
  command?: string[];
  /** uid:gid the process runs as; uploaded secret files belong to it with mode 0400. */
  user: string;
  uid: number;
  /** SFU and coturn: Docker cannot publish a port range as one container port. */
  hostNetwork: boolean;
  /** Fixed address on the private bridge (host-network services reach these through it). */
  ipv4Address?: string;
  env: Record<string, string>;
  secretEnvNames: string[];
  files: DockerFile[];
  healthcheck: { tests: string[]; interval: string; timeout: string; retries: number; startPeriod: string };
  memoryMiB: number;
  memoryReservationMiB: number;
  cpus: string;
  readOnly: boolean;
  tmpfs: Record<string, string>;
  /** Named volumes (Valkey's AOF). */
  volumes: { volumeName: string; containerPath: string }[];
  /** Files on the Docker host mounted read-only (TLS certificates): a renewal rewrites them in place. */
  hostFiles: { source: string; target: string }[];
  /** Ports published on the host (the TLS edge only; the SFU and coturn own theirs on the host network). */
  publishedPorts: { target: number; published: number }[];
  /** Capabilities kept although every other is dropped. */
  capAdd: string[];
  stopTimeoutSeconds: number;
  labels: Record<string, string>;
}

function limits(r: StackConfig["sfu"]["resources"]) {
  return {
    memoryMiB: memoryToMiB(r.limits.memory),
    memoryReservationMiB: memoryToMiB(r.requests.memory),
    cpus: String(parseCpu(r.limits.cpu) ?? 1),
  };
}

function filesOf(publicFiles: Record<string, string>, secretFiles: Record<string, string>, mountPublic: boolean): DockerFile[] {
  const placed = (name: string, secret: boolean): DockerFile[] => {
    const path = mountPath(CONTAINER_LAYOUT, name);
    return path === undefined ? [] : [{ name, path, secret }];
  };
  return [
    ...(mountPublic ? Object.keys(publicFiles).flatMap((name) => placed(name, false)) : []),
    ...Object.keys(secretFiles).flatMap((name) => placed(name, true)),
  ];
}

/** A certificate from files on the Docker host, mounted where the service's config reads it. */
function hostCertificate(c: CertificateSource | undefined, cert: string, key: string): DockerServiceSpec["hostFiles"] {
  if (!c || !("certFile" in c)) return [];
  return [
    { source: c.certFile, target: cert },
    { source: c.keyFile, target: key },
  ];
}

/**
 * Every file a Docker service is given, by name (`DockerFile.name`): uploads on a single host,
 * one Swarm config or secret each in a Swarm (public ones under 1000 KiB, secret ones under 500 KiB).
 */
export function dockerFiles(cfg: StackConfig, spec: DockerServiceSpec, r: RenderedService, reconcilerCode: string): Record<string, string> {
  return {
    ...r.publicFiles,
    ...deployedSecretFiles(cfg, spec.service, r),
    ...(spec.workload === "cameras" ? { [FILE_NAMES.reconciler]: reconcilerCode } : {}),
  };
}

/**
 * The Docker target's services. Valkey, Ingress and MediaMTX live on a private bridge with fixed
 * addresses and publish nothing; the SFU and coturn use the host network, the only way to offer a
 * UDP port range.
 */
export function dockerServices(
  cfg: StackConfig,
  reconcilerCode: string,
  /** The stack rendered without secrets, when the caller has it (it is not rendered again). */
  rendered: RenderedStack = renderWithoutSecrets(cfg, CONTAINER_LAYOUT),
): DockerServiceSpec[] {
  const addr = topology(cfg).dockerAddresses;
  const spec = (
    workload: ServiceId,
    service: Service,
    rest: Omit<
      DockerServiceSpec,
      "workload" | "service" | "name" | "uid" | "user" | "secretEnvNames" | "labels" | "files" | "hostFiles" | "publishedPorts" | "capAdd"
    > & {
      capAdd?: string[];
      mountPublic: boolean;
      hostFiles?: DockerServiceSpec["hostFiles"];
      publishedPorts?: DockerServiceSpec["publishedPorts"];
      extraPublicFiles?: Record<string, string>;
    },
  ): DockerServiceSpec => {
    const r = rendered[service];
    if (!r) throw new Error(`${service} is not rendered for this config`);
    const { mountPublic, extraPublicFiles, hostFiles = [], publishedPorts = [], capAdd = [], ...fields } = rest;
    const publicFiles = { ...r.publicFiles, ...extraPublicFiles };
    const uid = SERVICES[workload].uid;
    return {
      workload,
      service,
      name: SERVICE_NAMES[workload],
      uid,
      user: `${uid}:${uid}`,
      secretEnvNames: Object.keys(r.secretEnv),
      files: filesOf(publicFiles, deployedSecretFiles(cfg, service, r), mountPublic),
      hostFiles,
      publishedPorts,
      capAdd,
      labels: {
        [LABEL.partOf]: PART_OF,
        [LABEL.component]: workload,
        // Public config only: a change replaces exactly the containers that read it.
        [LABEL.configDigest]: digest(publicFiles),
      },
      ...fields,
    };
  };
  const out: DockerServiceSpec[] = [];
  const v = cfg.valkey;
  out.push(
    spec("valkey", "valkey", {
      image: serviceImage(cfg.versions, "valkey"),
      command: ["valkey-server", CONTAINER_LAYOUT.valkey.config],
      hostNetwork: false,
      ipv4Address: addr?.valkey,
      env: {},
      healthcheck: {
        tests: ["CMD-SHELL", `valkey-cli -p ${v.port} --no-auth-warning ping | grep -q PONG`],
        interval: "10s",
        timeout: "5s",
        retries: 3,
        startPeriod: "10s",
      },
      ...limits(v.resources),
      readOnly: true,
      tmpfs: {},
      volumes: [{ volumeName: `${SERVICE_NAMES.valkey}-data`, containerPath: CONTAINER_LAYOUT.valkey.dataDir }],
      stopTimeoutSeconds: 30,
      mountPublic: true,
    }),
  );
  const s = cfg.sfu;
  out.push(
    spec("sfu", "sfu", {
      image: serviceImage(cfg.versions, "sfu"),
      command: ["--config", CONTAINER_LAYOUT.sfu.config],
      hostNetwork: true,
      env: {},
      healthcheck: {
        // The image has busybox wget; readiness-style: 406 while stats are stale fails the check.
        tests: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${s.ports.http}/`],
        interval: "10s",
        timeout: "3s",
        retries: 3,
        startPeriod: "15s",
      },
      ...limits(s.resources),
      readOnly: true,
      tmpfs: {},
      volumes: [],
      stopTimeoutSeconds: s.drainSeconds,
      mountPublic: true,
    }),
  );
  if (cfg.turn.enabled) {
    const t = cfg.turn;
    const runtimeDir = CONTAINER_LAYOUT.turn.runtimeConfig.replace(/\/[^/]+$/, "");
    out.push(
      spec("turn", "turn", {
        image: serviceImage(cfg.versions, "turn"),
        entrypoint: ["/bin/sh", "-c", turnserverStartScript(CONTAINER_LAYOUT, cfg.turn.tls.enabled && {})],
        hostNetwork: true,
        env: {},
        healthcheck: {
          // A real STUN binding request against the listener (turnutils ship in the image).
          tests: ["CMD", "turnutils_stunclient", "-p", String(t.ports.listening), t.listeningIps[0] ?? "127.0.0.1"],
          interval: "15s",
          timeout: "3s",
          retries: 3,
          startPeriod: "10s",
        },
        ...limits(t.resources),
        readOnly: true,
        // The joined config holds the auth secret: memory only, owner-only.
        tmpfs: { [runtimeDir]: `rw,noexec,nosuid,size=16m,mode=0700,uid=${SERVICES.turn.uid},gid=${SERVICES.turn.uid}` },
        volumes: [],
        hostFiles: t.tls.enabled ? hostCertificate(t.tls.certificate, CONTAINER_LAYOUT.turn.tlsCert, CONTAINER_LAYOUT.turn.tlsKey) : [],
        stopTimeoutSeconds: 30,
        mountPublic: true,
      }),
    );
  }
  if (rendered.edge) {
    const e = CONTAINER_LAYOUT.edge;
    const listen = defaultEdgeListen(cfg);
    out.push(
      spec("edge", "edge", {
        image: serviceImage(cfg.versions, "edge"),
        entrypoint: ["/bin/sh", "-c", edgeStartScript(CONTAINER_LAYOUT)],
        hostNetwork: false,
        ipv4Address: addr?.edge,
        // Caddy keeps its admin socket, autosave and storage here (a tmpfs under the read-only root).
        env: { HOME: e.stateDir, XDG_DATA_HOME: e.stateDir, XDG_CONFIG_HOME: e.stateDir },
        healthcheck: {
          // The TLS listener accepts connections (busybox nc in the Alpine-based image).
          tests: ["CMD", "nc", "-z", "127.0.0.1", String(listen.port)],
          interval: "15s",
          timeout: "5s",
          retries: 3,
          startPeriod: "10s",
        },
        ...limits(DEFAULTS.resources.edge),
        readOnly: true,
        tmpfs: { [e.stateDir]: `rw,noexec,nosuid,size=16m,mode=0700,uid=${SERVICES.edge.uid},gid=${SERVICES.edge.uid}` },
        volumes: [],
        hostFiles: hostCertificate(cfg.edge.certificate, e.tlsCert, e.tlsKey),
        publishedPorts: [{ target: listen.port, published: cfg.edge.port }],
        // The image's caddy binary carries cap_net_bind_service as a file capability; with that
        // capability outside the bounding set the kernel refuses to exec it at all (EPERM).
        capAdd: ["NET_BIND_SERVICE"],
        stopTimeoutSeconds: 10,
        mountPublic: true,
      }),
    );
  }
  if (cfg.mediamtx.enabled) {
    const config = CONTAINER_LAYOUT.mediamtx.config;
    out.push(
      spec("mediamtx", "mediamtx", {
        // The plain image is FROM scratch (nothing to run a check with); the -ffmpeg variant has a shell.
        image: serviceImage(cfg.versions, "mediamtx", "-ffmpeg"),
        // The body comes in parts (a Swarm secret holds under 500 KiB): joined, then run.
        entrypoint: ["/bin/sh", "-c", `${mediamtxJoinScript(CONTAINER_LAYOUT, mediamtxPartNames(cfg))} && exec /mediamtx ${config}`],
        hostNetwork: false,
        ipv4Address: addr?.mediamtx,
        env: {},
        healthcheck: {
          // The API admits loopback callers only, which is where the check runs.
          tests: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${cfg.mediamtx.ports.api}/v3/paths/list`],
          interval: "15s",
          timeout: "5s",
          retries: 3,
          startPeriod: "10s",
        },
        ...limits(cfg.mediamtx.resources),
        readOnly: true,
        // The joined body holds every camera credential: memory only, owner-only.
        tmpfs: {
          [config.replace(/\/[^/]+$/, "")]: `rw,noexec,nosuid,size=64m,mode=0700,uid=${SERVICES.mediamtx.uid},gid=${SERVICES.mediamtx.uid}`,
        },
        volumes: [],
        stopTimeoutSeconds: 15,
        mountPublic: false,
      }),
    );
  }
  if (cfg.ingress.enabled)
    out.push(
      spec("ingress", "ingress", {
        image: serviceImage(cfg.versions, "ingress"),
        command: ["--config", CONTAINER_LAYOUT.ingress.config],
        hostNetwork: false,
        ipv4Address: addr?.ingress,
        env: { HOME: "/tmp" },
        healthcheck: {
          // The image installs wget for exactly this check.
          tests: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${cfg.ingress.ports.health}/health`],
          interval: "15s",
          timeout: "5s",
          retries: 3,
          startPeriod: "20s",
        },
        ...limits(cfg.ingress.resources),
        readOnly: true,
        tmpfs: { "/tmp": `rw,nosuid,size=1g,mode=1777` },
        volumes: [],
        stopTimeoutSeconds: 60,
        mountPublic: false,
      }),
    );
  if (rendered.cameras) {
    const env = reconcilerEnv(cfg);
    out.push(
      spec("cameras", "cameras", {
        image: RECONCILER_IMAGE,
        command: ["node", CONTAINER_LAYOUT.cameras.code],
        hostNetwork: false,
        ipv4Address: addr?.cameras,
        env,
        healthcheck: {
          tests: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${env.LKSTACK_HEALTH_PORT}/healthz`],
          interval: "30s",
          timeout: "5s",
          retries: 3,
          startPeriod: "30s",
        },
        ...limits(DEFAULTS.resources.cameras),
        readOnly: true,
        tmpfs: {},
        volumes: [],
        stopTimeoutSeconds: 10,
        mountPublic: true,
        extraPublicFiles: { [FILE_NAMES.reconciler]: reconcilerCode },
      }),
    );
  }
  if (rendered.publisher) {
    // One publisher serves every passthrough camera on the Docker target (the schema holds the count
    // to lkstack:publisher.camerasPerReplica); a cluster runs one per shard.
    const env = publisherEnv(cfg, { count: 1, index: 0 });
    out.push(
      spec("publisher", "publisher", {
        image: publisherImage(cfg),
        hostNetwork: false,
        ipv4Address: addr?.publisher,
        env,
        healthcheck: {
          // The image is distroless: the binary checks its own /healthz.
          tests: ["CMD", PUBLISHER_BINARY, PUBLISHER_HEALTHCHECK_ARG],
          interval: "15s",
          timeout: "5s",
          retries: 3,
          startPeriod: "20s",
        },
        ...limits(cfg.publisher.resources),
        readOnly: true,
        tmpfs: {},
        volumes: [],
        stopTimeoutSeconds: 10,
        mountPublic: true,
      }),
    );
  }
  return out;
}
