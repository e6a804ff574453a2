import type { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { SERVICE_NAMES } from "../schema/services";
import { cidrToRange, parseCidr, parseIp } from "../schema/net";

/**
 * The lkstack policy pack: what a reviewer would otherwise check by eye in every `pulumi preview`.
 * Each policy reads only plain resource properties, so it also guards stacks not built by lkstack.
 */

type Props = Record<string, unknown>;

function at(o: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Props)[k] : undefined), o);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

const WORKLOADS = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet"];

export const containersHaveLimits: ResourceValidationPolicy = {
  name: "containers-have-limits",
  description: "Every container has CPU and memory limits (Kubernetes workloads, Docker containers and Swarm services).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const p: Props = args.props;
    if (WORKLOADS.includes(args.type)) {
      for (const c of list(at(p, "spec.template.spec.containers"))) {
        const name = String(at(c, "name"));
        if (!at(c, "resources.limits.cpu") || !at(c, "resources.limits.memory"))
          report(`container "${name}" has no CPU and memory limits; set resources.limits.cpu and .memory`);
      }
    } else if (args.type === "docker:index/container:Container") {
      if (!(Number(p.memory) > 0) || !(Number(p.cpus) > 0)) report("the container has no memory/cpus limit; set memory (MiB) and cpus");
    } else if (args.type === "docker:index/service:Service") {
      if (!(Number(at(p, "taskSpec.resources.limits.memoryBytes")) > 0) || !(Number(at(p, "taskSpec.resources.limits.nanoCpus")) > 0))
        report("the service has no memoryBytes/nanoCpus limit; set taskSpec.resources.limits");
    }
  },
};

/** Lines that only a secret value would produce in one of the stack's config files. */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/^\s*(requirepass|masterauth)\s+\S+/im, "a Valkey password directive"],
  [/^\s*sentinel\s+auth-pass\s+\S+\s+\S+/im, "a Sentinel password"],
  [/^\s*static-auth-secret\s*=?\s*\S+/im, "a coturn static-auth-secret"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/^\s*(password|pass|secret|api_secret|sentinel_password)\s*:\s*["']?[^\s"'#]{6,}/im, "a password or secret value"],
  [/^\s*API[A-Za-z0-9]{8,}\s*:\s*\S{16,}/m, "a LiveKit key: secret pair"],
];

export const noSecretInConfigMap: ResourceValidationPolicy = {
  name: "no-secret-in-configmap",
  description: "No ConfigMap holds a secret-looking value (passwords, TURN secrets, API key pairs, private keys).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== "kubernetes:core/v1:ConfigMap") return;
    const data = (at(args.props, "data") ?? {}) as Props;
    for (const [file, body] of Object.entries(data))
      for (const [re, what] of SECRET_PATTERNS)
        if (typeof body === "string" && re.test(body)) report(`ConfigMap key "${file}" contains ${what}; move it into a Secret`);
  },
};

function matches(selector: unknown, labels: unknown): boolean {
  const sel = (selector ?? {}) as Record<string, string>;
  const lab = (labels ?? {}) as Record<string, string>;
  return Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => lab[k] === v);
}

export const sfuDisruptionBudgetAndOnePerNode: StackValidationPolicy = {
  name: "sfu-pdb-and-one-pod-per-node",
  description: "The LiveKit SFU Deployment runs one pod per node (required anti-affinity, maxSurge 0) and has a PodDisruptionBudget.",
  enforcementLevel: "mandatory",
  validateStack: (args, report: ReportViolation) => {
    const sfus = args.resources.filter(
      (r: PolicyResource) => r.type === "kubernetes:apps/v1:Deployment" && at(r.props, "metadata.name") === SERVICE_NAMES.sfu,
    );
    const pdbs = args.resources.filter((r: PolicyResource) => r.type === "kubernetes:policy/v1:PodDisruptionBudget");
    for (const sfu of sfus) {
      const podLabels = at(sfu.props, "spec.template.metadata.labels");
      const anti = list(at(sfu.props, "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution"));
      if (!anti.some((t) => at(t, "topologyKey") === "kubernetes.io/hostname" && matches(at(t, "labelSelector.matchLabels"), podLabels)))
        report("the SFU has no required pod anti-affinity on kubernetes.io/hostname: two SFUs could share a node's ports", sfu.urn);
      if (at(sfu.props, "spec.strategy.rollingUpdate.maxSurge") !== 0)
        report("the SFU's rolling update must use maxSurge: 0 (a surge pod cannot bind the node's ports)", sfu.urn);
      if (!pdbs.some((p) => matches(at(p.props, "spec.selector.matchLabels"), podLabels)))
        report("no PodDisruptionBudget selects the SFU pods: a node drain could stop all of them at once", sfu.urn);
    }
  },
};

/** Private ranges coturn must never relay to (RFC 1918, CGNAT, loopback, link-local / cloud metadata). */
const REQUIRED_DENIED_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"];
export const REQUIRED_DENIED_RANGES = REQUIRED_DENIED_CIDRS.map(cidrToRange);

/** An `allowed-peer-ip` value (`IP` or `IP-IP`) as numbers, or undefined when coturn would not read it. */
function peerRange(text: string): { family: 4 | 6; first: bigint; last: bigint } | undefined {
  const [a, b, extra] = text.split("-");
  const first = parseIp(a ?? "");
  const last = b === undefined ? first : parseIp(b);
  if (extra !== undefined || !first || !last || first.family !== last.family) return undefined;
  return { family: first.family, first: first.value, last: last.value };
}

function turnserverConfs(type: string, props: Props): string[] {
  if (type === "kubernetes:core/v1:ConfigMap") {
    const conf = ((at(props, "data") ?? {}) as Props)["turnserver.conf"];
    return typeof conf === "string" ? [conf] : [];
  }
  if (type === "docker:index/serviceConfig:ServiceConfig" && String(props.name).includes("turnserver.conf"))
    return [Buffer.from(String(props.data ?? ""), "base64").toString()];
  if (type === "docker:index/container:Container")
    return list(props.uploads)
      .filter((u) => String(at(u, "file")).endsWith("turnserver.conf"))
      .map((u) => String(at(u, "content") ?? ""));
  return [];
}

export const coturnDeniesPrivatePeers: ResourceValidationPolicy = {
  name: "coturn-denies-private-peers",
  description: "coturn's config denies relaying to RFC 1918, CGNAT and loopback peers, and never allows loopback.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    for (const conf of turnserverConfs(args.type, args.props)) {
      const denied = new Set([...conf.matchAll(/^denied-peer-ip=(\S+)$/gm)].map((m) => m[1]));
      const missing = REQUIRED_DENIED_RANGES.filter((r) => !denied.has(r));
      if (missing.length > 0)
        report(`turnserver.conf does not deny ${missing.join(", ")}; add denied-peer-ip lines (lkstack:turn.deniedPeers)`);
      if (/^allow-loopback-peers/m.test(conf)) report("turnserver.conf allows loopback peers; remove allow-loopback-peers");
      // coturn lets an allowed range win over a denied one: one that spans a whole private range re-opens it.
      for (const m of conf.matchAll(/^allowed-peer-ip\s*[=\s]\s*(\S+)$/gm)) {
        const allowed = peerRange(m[1]);
        const reopened = REQUIRED_DENIED_CIDRS.filter((c) => {
          const d = parseCidr(c);
          return allowed && d && allowed.family === d.family && allowed.first <= d.first && d.last <= allowed.last;
        });
        if (reopened.length > 0)
          report(
            `turnserver.conf allowed-peer-ip=${m[1]} re-opens ${reopened.join(", ")} to every TURN client; allow only the SFU node addresses (lkstack:turn.allowedPeers)`,
          );
      }
    }
  },
};

/** Ports of services that must stay inside the cluster. */
const INTERNAL_PORTS = new Set([6379, 26379, 8554, 8890, 8086, 9997]);
const INTERNAL_NAMES = new Set<string>([SERVICE_NAMES.valkey, SERVICE_NAMES.sentinel, SERVICE_NAMES.mediamtx, SERVICE_NAMES.ingress]);

export const noPublicInternalServices: ResourceValidationPolicy = {
  name: "no-public-internal-services",
  description: "No LoadBalancer or NodePort Service exposes Valkey, MediaMTX or the Ingress health port.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== "kubernetes:core/v1:Service") return;
    const type = at(args.props, "spec.type");
    if (type !== "LoadBalancer" && type !== "NodePort") return;
    const selected = Object.values((at(args.props, "spec.selector") ?? {}) as Record<string, string>).find((v) => INTERNAL_NAMES.has(v));
    const ports = list(at(args.props, "spec.ports"))
      .map((p) => Number(at(p, "port")))
      .filter((p) => INTERNAL_PORTS.has(p));
    if (selected) report(`a ${type} Service selects ${selected}, which must stay inside the cluster; use ClusterIP`);
    else if (ports.length > 0) report(`a ${type} Service exposes internal port(s) ${ports.join(", ")}; use ClusterIP`);
  },
};

function imagesOf(type: string, p: Props): string[] {
  if (WORKLOADS.includes(type))
    return [...list(at(p, "spec.template.spec.containers")), ...list(at(p, "spec.template.spec.initContainers"))].map((c) =>
      String(at(c, "image")),
    );
  if (type === "docker:index/container:Container") return [String(p.image)];
  if (type === "docker:index/service:Service") return [String(at(p, "taskSpec.containerSpec.image"))];
  return [];
}

export const imagesPinnedByDigest: ResourceValidationPolicy = {
  name: "images-pinned-by-digest",
  description: "Every container image is pinned by digest (a tag can be moved to other content).",
  enforcementLevel: "advisory",
  validateResource: (args, report) => {
    for (const image of imagesOf(args.type, args.props))
      if (!/@sha256:[0-9a-f]{64}$/.test(image))
        report(`image ${image} is pinned by tag only; pin it by digest in lkstack:versions (e.g. "v1.13.5@sha256:<digest>")`);
  },
};

export const POLICIES = [
  containersHaveLimits,
  noSecretInConfigMap,
  sfuDisruptionBudgetAndOnePerNode,
  coturnDeniesPrivatePeers,
  noPublicInternalServices,
  imagesPinnedByDigest,
];
