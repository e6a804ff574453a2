import { z } from "zod";
import { DEFAULTS } from "./defaults";
import { DEFAULT_PORTS, UDP_MODES } from "./ports";
import { VERSIONS } from "./versions";
import { isCidr, isIp } from "./net";
import { dockerSubnetProblem } from "./topology";
import { parseCpu, parseMemory, parseValkeyMemory } from "./quantity";
import { CAMERA_INGEST_MODES } from "./cameraIngest";
import { cameraUrlProblem, webhookUrlProblem, type UrlProblem } from "./urls";
import { INT32_MAX, UINT32_MAX, dnsName, hostPath, isDnsName, k8sLabelName, k8sObjectName, labelKey, labelValue, utf8Length } from "./text";

/** A `custom` issue carrying its own fix, so errors.ts can print both. */
export function fail(ctx: z.RefinementCtx, path: PropertyKey[], message: string, fix: string): void {
  ctx.addIssue({ code: "custom", path, message, params: { fix } });
}

const port = z.number().int().min(1).max(65535);

const portRange = (def: { start: number; end: number }) =>
  z
    .object({ start: port, end: port })
    .strict()
    .default({ ...def })
    .superRefine((r, ctx) => {
      if (r.start > r.end) fail(ctx, ["end"], `range ends (${r.end}) before it starts (${r.start})`, "set end >= start");
    });

const cpuQuantity = z
  .union([z.string(), z.number()])
  .refine((q) => parseCpu(q) !== undefined, { message: "not a CPU quantity", params: { fix: 'use e.g. "500m", "2" or 1.5' } });
const memoryQuantity = z
  .string()
  .refine((q) => parseMemory(q) !== undefined, { message: "not a memory quantity", params: { fix: 'use e.g. "512Mi" or "4Gi"' } });

const resourceLimits = z
  .object({
    requests: z.object({ cpu: cpuQuantity, memory: memoryQuantity }).strict(),
    limits: z.object({ cpu: cpuQuantity, memory: memoryQuantity }).strict(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const rc = parseCpu(r.requests.cpu);
    const lc = parseCpu(r.limits.cpu);
    if (rc !== undefined && lc !== undefined && rc > lc)
      fail(
        ctx,
        ["requests", "cpu"],
        `CPU request ${r.requests.cpu} exceeds the limit ${r.limits.cpu}`,
        "lower the request or raise the limit",
      );
    const rm = parseMemory(r.requests.memory);
    const lm = parseMemory(r.limits.memory);
    if (rm !== undefined && lm !== undefined && rm > lm)
      fail(
        ctx,
        ["requests", "memory"],
        `memory request ${r.requests.memory} exceeds the limit ${r.limits.memory}`,
        "lower the request or raise the limit",
      );
  });

export type ResourceLimits = z.output<typeof resourceLimits>;

const resources = (def: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } }) =>
  resourceLimits.default({ requests: { ...def.requests }, limits: { ...def.limits } });

const ipAddress = z.string().refine(isIp, { message: "not an IP address", params: { fix: "use a literal IPv4 or IPv6 address" } });
const cidr = z
  .string()
  .refine(isCidr, { message: "not a CIDR", params: { fix: 'write it as address/prefix, e.g. "10.20.0.0/16" or "10.20.0.5/32"' } });

const versionsSchema = z
  .object({
    livekitServer: z.string().default(VERSIONS.livekitServer),
    livekitIngress: z.string().default(VERSIONS.livekitIngress),
    coturn: z.string().default(VERSIONS.coturn),
    valkey: z.string().default(VERSIONS.valkey),
    mediamtx: z.string().default(VERSIONS.mediamtx),
    caddy: z.string().default(VERSIONS.caddy),
  })
  .strict()
  .default({ ...VERSIONS });

/** `host:port` as LiveKit's rtc.stun_servers reads it (a DNS name or IPv4 address, then a port). */
const hostAndPort = z.string().refine(
  (s) => {
    const m = /^(.+):(\d{1,5})$/.exec(s);
    return m !== null && (isDnsName(m[1]) || isIp(m[1])) && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
  },
  { message: "not host:port", params: { fix: 'write it as "stun.example.org:3478"' } },
);

const nodeIpSchema = z.discriminatedUnion("strategy", [
  /** Kubernetes: the downward API puts status.hostIP into NODE_IP. */
  z.object({ strategy: z.literal("hostIP") }).strict(),
  z.object({ strategy: z.literal("static"), address: ipAddress }).strict(),
  /** Public STUN discovery: wrong for LAN or air-gapped CCTV networks, so never the default. */
  z.object({ strategy: z.literal("stun"), stunServers: z.array(hostAndPort).default([]) }).strict(),
]);

const sfuSchema = z
  .object({
    replicas: z.number().int().min(1).max(INT32_MAX).default(1),
    ports: z
      .object({
        http: port.default(DEFAULT_PORTS.sfu.http),
        rtcTcp: port.default(DEFAULT_PORTS.sfu.rtcTcp),
        metrics: port.default(DEFAULT_PORTS.sfu.metrics),
        udp: portRange(DEFAULT_PORTS.sfu.udp),
        /** `range`: a port per peer connection and node address; `single`: all on `udp.start` (rtc.udp_port). */
        udpMode: z.enum(UDP_MODES).default(DEFAULTS.sfuUdpMode),
      })
      .strict()
      .default({
        http: DEFAULT_PORTS.sfu.http,
        rtcTcp: DEFAULT_PORTS.sfu.rtcTcp,
        metrics: DEFAULT_PORTS.sfu.metrics,
        udp: { ...DEFAULT_PORTS.sfu.udp },
        udpMode: DEFAULTS.sfuUdpMode,
      }),
    nodeIp: nodeIpSchema.optional(),
    congestionControl: z.boolean().default(true),
    tcpFallback: z.boolean().default(true),
    drainSeconds: z.number().int().min(0).max(86400).default(DEFAULTS.sfuDrainSeconds),
    logLevel: z.enum(["debug", "info", "warn", "error"]).default(DEFAULTS.logLevel),
    /** Unset: sized by the capacity model from cameras and viewers (never below the seed's 2-4 cores, 2-4 GB). */
    resources: resourceLimits.optional(),
  })
  .strict()
  .prefault({});

const roomsSchema = z
  .object({
    // uint32 in LiveKit's room config (empty_timeout, departure_timeout, max_participants).
    emptyTimeoutSeconds: z.number().int().min(1).max(UINT32_MAX).default(DEFAULTS.rooms.emptyTimeoutSeconds),
    departureTimeoutSeconds: z.number().int().min(1).max(UINT32_MAX).default(DEFAULTS.rooms.departureTimeoutSeconds),
    autoCreate: z.boolean().default(DEFAULTS.rooms.autoCreate),
    maxParticipants: z.number().int().min(0).max(UINT32_MAX).default(0),
  })
  .strict()
  .prefault({});

const layerSchema = z
  .object({
    name: z.enum(["high", "medium", "low"]),
    width: z.number().int().min(16).max(7680),
    height: z.number().int().min(16).max(4320),
    bitrateKbps: z.number().int().min(50).max(50000),
    fps: z.number().int().min(1).max(60),
  })
  .strict();

const simulcastSchema = z
  .object({
    layers: z
      .array(layerSchema)
      .min(1)
      .max(3)
      .default(DEFAULTS.simulcastLayers.map((l) => ({ ...l }))),
  })
  .strict()
  .prefault({});

const ingressSchema = z
  .object({
    enabled: z.boolean().default(true),
    replicas: z.number().int().min(1).default(1),
    ports: z
      .object({
        health: port.default(DEFAULT_PORTS.ingress.health),
        metrics: port.default(DEFAULT_PORTS.ingress.metrics),
        httpRelay: port.default(DEFAULT_PORTS.ingress.httpRelay),
        rtmp: port.default(DEFAULT_PORTS.ingress.rtmp),
      })
      .strict()
      .prefault({}),
    /** Cores the Ingress reserves per camera stream before admitting it (upstream: 2). */
    rtmpCpuCost: z.number().min(1).max(64).default(DEFAULTS.ingressRtmpCpuCost),
    /** Ingress drops the preroll it buffered before the room join (enable_stream_latency_reduction, upstream: experimental, off). */
    latencyReduction: z.boolean().default(false),
    logLevel: z.enum(["debug", "info", "warn", "error"]).default(DEFAULTS.logLevel),
    /** Unset: sized so each replica admits its share of the cameras (never below the seed's 1-2 cores, 1-2 GB). */
    resources: resourceLimits.optional(),
  })
  .strict()
  .prefault({});

/** Where a TLS certificate comes from: a kubernetes.io/tls Secret, files on the Docker host, or cert-manager. */
const certificateSource = z.union([
  z.object({ secretName: k8sObjectName }).strict(),
  z.object({ certFile: hostPath, keyFile: hostPath }).strict(),
  /** cert-manager issues the certificate for the host name into a Secret the stack names. */
  z
    .object({
      issuer: z.object({ name: k8sObjectName, kind: z.enum(["Issuer", "ClusterIssuer"]).default("ClusterIssuer") }).strict(),
    })
    .strict(),
]);

export type CertificateSource = z.output<typeof certificateSource>;

const tlsSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Kubernetes Secret of type kubernetes.io/tls, or files on the Docker host. */
    certificate: certificateSource.optional(),
  })
  .strict()
  .prefault({});

/**
 * coturn copies the realm into a 127-byte buffer (STUN_MAX_REALM_SIZE) and its config reader strips
 * a leading '"', '=' or blank and trailing blanks: printable ASCII without blanks, quotes or '\\'.
 */
const turnRealm = z
  .string()
  .refine((r) => /^[A-Za-z0-9][!#-&(-[\]-~]*$/.test(r), {
    message: "not a TURN realm (printable ASCII starting with a letter or digit, no blanks, quotes or backslashes)",
    params: { fix: "use the TURN domain, e.g. turn.example.org (the default)" },
  })
  .refine((r) => utf8Length(r) <= 127, { message: "longer than coturn's 127-byte realm", params: { fix: "use a shorter realm" } });

const turnSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** One coturn per node (host network); more replicas need more nodes. */
    replicas: z.number().int().min(1).default(1),
    domain: dnsName,
    realm: turnRealm.optional(),
    /** Public address clients reach; `privateIp` maps it 1:1 onto the node address (NAT). */
    externalIp: ipAddress.optional(),
    privateIp: ipAddress.optional(),
    listeningIps: z.array(ipAddress).default([]),
    relayIps: z.array(ipAddress).default([]),
    ports: z
      .object({
        listening: port.default(DEFAULT_PORTS.turn.listening),
        tls: port.default(DEFAULT_PORTS.turn.tls),
        metrics: port.default(DEFAULT_PORTS.turn.metrics),
        relay: portRange(DEFAULT_PORTS.turn.relay),
      })
      .strict()
      .prefault({}),
    tls: tlsSchema,
    quotas: z
      .object({
        // coturn parses the quotas with atoi into an int, the rates with strtoul.
        userQuota: z.number().int().min(0).max(INT32_MAX).default(DEFAULTS.turnUserQuota),
        totalQuota: z.number().int().min(0).max(INT32_MAX).default(0),
        maxBps: z.number().int().min(0).max(UINT32_MAX).default(0),
        bpsCapacity: z.number().int().min(0).max(UINT32_MAX).default(0),
      })
      .strict()
      .prefault({}),
    deniedPeers: z.array(cidr).default([...DEFAULTS.deniedPeers]),
    allowedPeers: z.array(cidr).default([]),
    /** Lets allowedPeers cover a denied range and the deny list drop defaults (refused otherwise). */
    dangerouslyAllowDeniedPeers: z.boolean().default(false),
    resources: resources(DEFAULTS.resources.turn),
  })
  .strict();

const valkeySchema = z
  .object({
    mode: z.enum(["standalone", "sentinel"]).default("standalone"),
    port: port.default(DEFAULT_PORTS.valkey.port),
    maxmemory: z
      .string()
      .refine((q) => parseValkeyMemory(q) !== undefined, {
        message: "not a Valkey memory size",
        params: { fix: 'use e.g. "768mb" or "2gb"' },
      })
      .default(DEFAULTS.valkeyMaxmemory),
    /** AOF on a volume: LiveKit keeps Ingress definitions in Valkey without a TTL. */
    persistence: z.boolean().default(true),
    sentinel: z
      .object({
        replicas: z.number().int().min(3).default(3),
        quorum: z.number().int().min(1).default(2),
        masterName: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,128}$/)
          .default("lkstack"),
        port: port.default(DEFAULT_PORTS.valkey.sentinel),
      })
      .strict()
      .prefault({}),
    resources: resources(DEFAULTS.resources.valkey),
  })
  .strict()
  .prefault({});

const mediamtxSchema = z
  .object({
    enabled: z.boolean().default(true),
    ports: z
      .object({
        rtsp: port.default(DEFAULT_PORTS.mediamtx.rtsp),
        api: port.default(DEFAULT_PORTS.mediamtx.api),
        metrics: port.default(DEFAULT_PORTS.mediamtx.metrics),
      })
      .strict()
      .prefault({}),
    /** Pod and bridge NAT break RTP over UDP from cameras; TCP interleaving survives it. */
    rtspTransport: z.enum(["tcp", "udp", "automatic"]).default("tcp"),
    resources: resources(DEFAULTS.resources.mediamtx),
  })
  .strict()
  .prefault({});

/** `registry[:port]/path`: the place an image is pushed to (no tag, no credentials). */
const IMAGE_REPOSITORY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]{1,5})?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
/** A pullable reference: repository, then a tag and/or a digest. */
const IMAGE_REFERENCE = new RegExp(
  `${IMAGE_REPOSITORY.source.slice(0, -1)}(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);

const publisherSchema = z
  .object({
    /**
     * The publisher's image, built from publisher/Dockerfile and pushed by you (a digest pins it).
     * Unset: the program builds it, and pushes it to `build.repository` (Kubernetes).
     */
    image: z.string().max(512).regex(IMAGE_REFERENCE, "not an image reference (registry/repository:tag or @sha256:…)").optional(),
    build: z
      .object({
        /** Where the built image is pushed, e.g. registry.example.org/cctv/lkstack-publisher (docker login first). */
        repository: z.string().max(255).regex(IMAGE_REPOSITORY, "not a repository (registry[:port]/path, no tag)"),
      })
      .strict()
      .optional(),
    /**
     * Publish a passthrough camera only while its room has a viewer: the publisher takes LiveKit's
     * webhooks, starts the camera when a viewer joins and stops it `idleStopSeconds` after the last
     * one left, so the camera path's cost follows the cameras being watched.
     */
    onDemand: z.boolean().default(false),
    /** @default lkstack:rooms.emptyTimeoutSeconds (the seed's 60 s) */
    idleStopSeconds: z.number().int().min(5).max(3600).optional(),
    /** Passthrough cameras per publisher process; cameras are spread by a hash of their id. */
    camerasPerReplica: z.number().int().min(1).max(500).default(DEFAULTS.publisherCamerasPerReplica),
    ports: z
      .object({ health: port.default(DEFAULT_PORTS.publisher.health) })
      .strict()
      .prefault({}),
    /** Unset: sized from the cameras per replica (DEFAULTS.publisherPerCamera). */
    resources: resourceLimits.optional(),
  })
  .strict()
  .prefault({});

/** A URL held to one of schema/urls.ts's checks; its problem and fix become the config error. */
function checkedUrl(check: (raw: string) => UrlProblem | undefined) {
  return z.string().superRefine((raw, ctx) => {
    const p = check(raw);
    if (p) ctx.addIssue({ code: "custom", message: p.problem, params: { fix: p.fix } });
  });
}

/** One stream a camera encodes, as it encodes it: the publisher relays it byte for byte. */
const cameraStreamSchema = z
  .object({
    /** The RTSP path (and query) on the camera, e.g. /Streaming/Channels/102. */
    path: z.string().min(1).max(512),
    width: z.number().int().min(16).max(8192),
    height: z.number().int().min(16).max(8192),
    /** What the camera is set to send; the capacity model and the viewer's layer choice read it. */
    bitrateKbps: z.number().int().min(16).max(100_000),
    fps: z.number().int().min(1).max(60).default(25),
    codec: z.enum(["h264", "h265"]).default("h264"),
  })
  .strict();

const cameraSchema = z
  .object({
    id: z.uuid({ message: "not a UUID" }),
    name: z.string().min(1).max(128).optional(),
    rtsp: checkedUrl(cameraUrlProblem),
    /** Name of an entry in the secret config object `lkstack:cameraCredentials`. */
    credentials: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .optional(),
    /** Which of the stack's simulcast layers the Ingress encodes for this camera (default: all; transcode only). */
    layers: z
      .array(z.enum(["high", "medium", "low"]))
      .min(1)
      .max(3)
      .optional(),
    /**
     * The streams the camera itself encodes, by the simulcast layer each becomes (passthrough).
     * With streams, `rtsp` names the camera only (rtsp://host:port) and each stream gives its path.
     */
    streams: z
      .object({ high: cameraStreamSchema, medium: cameraStreamSchema.optional(), low: cameraStreamSchema.optional() })
      .strict()
      .optional(),
    /**
     * passthrough: the camera's own streams become the simulcast layers, nothing is re-encoded.
     * transcode: LiveKit Ingress decodes the camera and encodes the stack's layers.
     * @default "passthrough" when the camera lists a low stream, else "transcode"
     */
    ingest: z.enum(CAMERA_INGEST_MODES).optional(),
  })
  .strict();

const capacitySchema = z
  .object({
    /** Planned concurrent viewer sessions (one per viewer per camera room watched). */
    concurrentViewers: z.number().int().min(0).default(0),
  })
  .strict()
  .prefault({});

const labelMap = z.record(labelKey, labelValue);

const monitoringSchema = z
  .object({
    /** Namespace Prometheus scrapes from; NetworkPolicies open the metrics ports to it. */
    namespace: k8sLabelName.default(DEFAULTS.monitoring.namespace),
    /** Needs the Prometheus Operator CRDs in the cluster. */
    serviceMonitor: z.boolean().default(false),
    prometheusRule: z.boolean().default(false),
    /** A ConfigMap the Grafana dashboard sidecar picks up by label. */
    grafanaDashboard: z.boolean().default(false),
    /** Extra labels on the monitoring objects (e.g. the label your Prometheus selects on). */
    labels: labelMap.default({}),
  })
  .strict()
  .prefault({});

const kubernetesSchema = z
  .object({
    namespace: k8sLabelName.default(DEFAULTS.kubernetesNamespace),
    createNamespace: z.boolean().default(true),
    /** Extra node labels every pod must match; control-plane nodes are always excluded. */
    nodeSelector: labelMap.default({}),
    zoneTopologyKey: labelKey.default(DEFAULTS.zoneTopologyKey),
    /**
     * Where the nodes' own addresses live. The SFU and coturn run on the host network, so their
     * traffic to Valkey and the Ingress comes from node addresses. Defaults to turn.allowedPeers.
     */
    nodeCidrs: z.array(cidr).default([]),
    /**
     * The cluster DNS every pod's egress policy admits. `cidrs` adds resolver addresses that are not
     * the DNS pods themselves (NodeLocal DNSCache's 169.254.20.10/32, or the DNS Service IP it binds).
     */
    dns: z
      .object({
        namespace: k8sLabelName.default(DEFAULTS.clusterDns.namespace),
        podLabels: labelMap.default({ ...DEFAULTS.clusterDns.podLabels }),
        port: port.default(DEFAULT_PORTS.dns),
        cidrs: z.array(cidr).default([]),
      })
      .strict()
      .prefault({}),
    storageClass: k8sObjectName.optional(),
    valkeyStorage: memoryQuantity.default(DEFAULTS.valkeyStorage),
    monitoring: monitoringSchema,
  })
  .strict()
  .prefault({});

const dockerSchema = z
  .object({
    mode: z.enum(["standalone", "swarm"]).default("standalone"),
    /** Private bridge network; the SFU and coturn (host network) reach it through the gateway. */
    subnet: cidr
      .superRefine((s, ctx) => {
        const p = dockerSubnetProblem(s);
        if (p) fail(ctx, [], p.problem, p.fix);
      })
      .default(DEFAULTS.dockerSubnet),
  })
  .strict()
  .prefault({});

/**
 * The TLS edge in front of the SFU's signalling port (7880): browsers on an https page open only
 * wss://. ICE/TCP and the UDP range stay direct on the nodes; TURN/TLS is lkstack:turn.tls.
 */
const edgeSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The public host name viewers connect to (wss://<host>); the certificate must name it. */
    host: dnsName.optional(),
    /** The public https port (Docker publishes it; on Kubernetes the cluster's edge owns it). */
    port: port.default(DEFAULT_PORTS.edge.https),
    certificate: certificateSource.optional(),
    websocketTimeoutSeconds: z.number().int().min(60).max(86400).default(DEFAULTS.edge.websocketTimeoutSeconds),
    kubernetes: z
      .object({
        /** "ingress": the stack creates an Ingress; "external": your own load balancer terminates TLS. */
        kind: z.enum(["ingress", "external"]).default("ingress"),
        /** spec.ingressClassName; unset, the cluster's default class. */
        className: k8sObjectName.optional(),
        /** Extra Ingress annotations (another controller's timeout keys, for instance). */
        annotations: z.record(labelKey, z.string().max(4096)).default({}),
      })
      .strict()
      .prefault({}),
    docker: z
      .object({
        /** "caddy": the stack runs a Caddy container; "external": your own proxy terminates TLS. */
        kind: z.enum(["caddy", "external"]).default("caddy"),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

/** A generation counter: bumping it makes a new value; old generations are dropped unless retained. */
const generation = z.number().int().min(1).default(1);

const rotationSchema = z
  .object({
    apiKey: generation,
    turnSecret: generation,
    valkeyPassword: generation,
    mediamtxApiPassword: generation,
    mediamtxReadPassword: generation,
    metricsPassword: generation,
    /** Secrets whose previous generation stays accepted (step 1 of a zero-downtime rotation). */
    retainPrevious: z.array(z.enum(["apiKey", "turnSecret"])).default([]),
  })
  .strict()
  .prefault({});

const webhookSchema = z
  .object({
    /** Where LiveKit POSTs room and participant events, signed with the current API key. */
    urls: z.array(checkedUrl(webhookUrlProblem)).default([]),
  })
  .strict()
  .prefault({});

export const stackShape = {
  target: z.enum(["kubernetes", "docker"]),
  versions: versionsSchema,
  kubernetes: kubernetesSchema,
  docker: dockerSchema,
  capacity: capacitySchema,
  sfu: sfuSchema,
  rooms: roomsSchema,
  webhook: webhookSchema,
  simulcast: simulcastSchema,
  ingress: ingressSchema,
  turn: turnSchema,
  valkey: valkeySchema,
  mediamtx: mediamtxSchema,
  edge: edgeSchema,
  cameras: z.array(cameraSchema).default([]),
  publisher: publisherSchema,
  rotation: rotationSchema,
};

export const stackObjectSchema = z.object(stackShape).strict();

/** The top-level `lkstack:*` config keys a stack file may set. */
export const STACK_KEYS = Object.keys(stackShape);

export type StackConfigInput = z.input<typeof stackObjectSchema>;
export type StackConfigParsed = z.output<typeof stackObjectSchema>;
