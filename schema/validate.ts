import { z } from "zod";
import { ConfigError, problemsFromZod, type ConfigProblem } from "./errors";
import { stackObjectSchema, type ResourceLimits, type StackConfigParsed } from "./stack";
import { SUPPORTED, isSupported, type Component } from "./versions";
import { inRange, rangeSize, rangesOverlap, sfuUdpPorts, UDP_PORTS_PER_PARTICIPANT } from "./ports";
import { listeners, type Listener } from "./listeners";
import { parseCidr, cidrContains, DEFAULT_DENIED_PEERS, type Cidr } from "./net";
import { controlCharProblems } from "./text";
import { nodeLoad, participantBudget, replicasForRange, formatBytes, layerRates, sfuResourcesFor } from "./capacity";
import { parseMemory, parseValkeyMemory } from "./quantity";
import { DEFAULTS } from "./defaults";
import { dockerGatewayIp } from "./topology";
import { checkPlatform } from "./platform";
import { cameraIngest } from "./cameraIngest";
import { cameraIngestProblems } from "./cameraIngestChecks";
import { checkPublisher, resolvePublisherResources } from "./publisher";
import { checkIngressAdmission, resolveIngressResources } from "./ingressAdmission";
import { certificateTargetProblem, checkEdge } from "./edge";

type NodeIp = NonNullable<StackConfigParsed["sfu"]["nodeIp"]>;

/** A validated stack: defaults filled in and the values derived from other fields resolved. */
export type StackConfig = Omit<StackConfigParsed, "sfu" | "turn" | "ingress" | "publisher"> & {
  publisher: Omit<StackConfigParsed["publisher"], "resources"> & { resources: ResourceLimits };
  ingress: Omit<StackConfigParsed["ingress"], "resources"> & { resources: ResourceLimits };
  sfu: Omit<StackConfigParsed["sfu"], "nodeIp" | "resources"> & { nodeIp: NodeIp; resources: ResourceLimits };
  turn: StackConfigParsed["turn"] & { realm: string };
};

/** The parts of a zod definition the schema walkers read (this key walker, the tests' leaf walker). */
export interface ZodDefView {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  keyType?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
}

function defOf(t: z.core.$ZodType): ZodDefView {
  return t._zod.def as unknown as ZodDefView;
}

/** The type under its wrappers: those the stack schema uses (default, prefault, optional) all carry `innerType`. */
function unwrap(t: z.core.$ZodType): z.core.$ZodType {
  let inner = defOf(t).innerType;
  while (inner) {
    t = inner;
    inner = defOf(t).innerType;
  }
  return t;
}

/** The type at `seg` under `t`: an object's key, an array's element, or whichever shape of a union has it. */
function childAt(t: z.core.$ZodType, seg: PropertyKey): z.core.$ZodType | undefined {
  const def = defOf(unwrap(t));
  if (def.type === "union") return (def.options ?? []).map((option) => childAt(option, seg)).find((child) => child !== undefined);
  return typeof seg === "number" ? def.element : def.shape?.[String(seg)];
}

/** The keys an object takes, or every shape's keys for a union. */
function keysOf(t: z.core.$ZodType): string[] {
  const def = defOf(unwrap(t));
  if (def.type === "union") return [...new Set((def.options ?? []).flatMap(keysOf))];
  return Object.keys(def.shape ?? {});
}

/** Keys zod knows at a path, for "did you mean" hints on unknown keys. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const node = path.reduce<z.core.$ZodType | undefined>((n, seg) => n && childAt(n, seg), stackObjectSchema);
  // (zod reports unknown keys only on objects, which the walk always finds.)
  return node ? keysOf(node) : [];
}

type PortClaim = Pick<Listener, "path" | "what" | "range">;

function checkPorts(c: StackConfigParsed, out: ConfigProblem[]): void {
  const all = listeners(c);
  // A single port each: what may collide, or sit inside a media range.
  const claims: PortClaim[] = all.filter((l) => !l.mediaRange);
  // The Docker edge publishes its port on the host, next to the host-network SFU and coturn.
  if (c.target === "docker" && c.edge.enabled && c.edge.docker.kind === "caddy")
    claims.push({
      path: ["edge", "port"],
      what: "TLS edge",
      range: { start: c.edge.port, end: c.edge.port },
    });
  const seen = new Map<number, PortClaim>();
  for (const claim of claims) {
    const port = claim.range.start;
    const prior = seen.get(port);
    if (prior)
      out.push({
        path: claim.path,
        problem: `port ${port} (${claim.what}) collides with ${prior.what} at lkstack:${prior.path.join(".")}`,
        fix: "give each service its own port",
      });
    else seen.set(port, claim);
  }
  const ranges = all.filter((l) => l.mediaRange);
  for (const claim of claims)
    for (const r of ranges)
      if (inRange(claim.range.start, r.range))
        out.push({
          path: claim.path,
          problem: `port ${claim.range.start} (${claim.what}) lies inside ${r.what} ${r.range.start}-${r.range.end}`,
          fix: "move the port outside the range or shrink the range",
        });
  // listeners() lists the SFU's range first, then TURN's relay range when TURN is on.
  const [sfu, relay] = ranges;
  if (relay && rangesOverlap(sfu.range, relay.range))
    out.push({
      path: relay.path,
      problem: `TURN relay range ${relay.range.start}-${relay.range.end} overlaps ${sfu.what} ${sfu.range.start}-${sfu.range.end} (both bind on the node)`,
      fix: "make them disjoint, e.g. relay 40000-49999 with the SFU on 50000-50500",
    });
}

/** The SFU's resources: as configured, or sized by the capacity model. */
function resolveSfuResources(c: StackConfigParsed): ResourceLimits {
  if (c.sfu.resources) return c.sfu.resources;
  return sfuResourcesFor(
    c.cameras.length,
    c.capacity.concurrentViewers,
    c.sfu.replicas,
    layerRates(c.simulcast.layers),
    c.simulcast.layers.length,
  );
}

function checkCapacity(c: StackConfigParsed, sfuResources: ResourceLimits, out: ConfigProblem[]): void {
  const load = nodeLoad(c.cameras.length, c.capacity.concurrentViewers, c.sfu.replicas, c.sfu.ports.udpMode);
  const size = rangeSize(sfuUdpPorts(c.sfu.ports));
  if (load.udpPortsNeeded > size) {
    const replicas = replicasForRange(c.cameras.length, c.capacity.concurrentViewers, c.sfu.ports.udp, c.sfu.ports.udpMode);
    out.push({
      path: ["sfu", "ports", "udp"],
      problem:
        `${c.cameras.length} cameras + ${c.capacity.concurrentViewers} viewers on ${c.sfu.replicas} SFU node(s) is ` +
        `${load.participantsPerNode} participants per node, needing ${load.udpPortsNeeded} UDP ports; ` +
        `the range ${c.sfu.ports.udp.start}-${c.sfu.ports.udp.end} has ${size} (budget ${participantBudget(c.sfu.ports.udp)} participants at ${UDP_PORTS_PER_PARTICIPANT} ports each)`,
      fix: `raise lkstack:sfu.replicas to ${replicas}, or widen the range to at least ${load.udpPortsNeeded} ports, or set lkstack:sfu.ports.udpMode: single (one port for every participant)`,
    });
  }
  const limit = parseMemory(sfuResources.limits.memory);
  if (limit !== undefined && limit < load.memoryNeededBytes)
    out.push({
      path: ["sfu", "resources", "limits", "memory"],
      problem: `${load.roomsPerNode} camera rooms per node need about ${formatBytes(load.memoryNeededBytes)} (10 MB per room + 1 GiB overhead); the limit is ${sfuResources.limits.memory}`,
      fix: `raise it to at least ${Math.ceil(load.memoryNeededBytes / 1024 ** 3)}Gi or add SFU replicas`,
    });
}

function checkVersions(c: StackConfigParsed, out: ConfigProblem[]): void {
  for (const component of Object.keys(SUPPORTED) as Component[]) {
    const v = c.versions[component];
    if (!isSupported(component, v))
      out.push({
        path: ["versions", component],
        problem: `version ${v} has no key allow-list in this release of lkstack (supported: ${SUPPORTED[component].series})`,
        fix: "pin a supported version (optionally by digest: <version>@sha256:<64 hex>), or extend schema/keys and the conformance tests first",
      });
  }
}

function resolveNodeIp(c: StackConfigParsed, out: ConfigProblem[]): NodeIp {
  const ip = c.sfu.nodeIp;
  if (c.target === "docker") {
    if (ip?.strategy === "hostIP")
      out.push({
        path: ["sfu", "nodeIp", "strategy"],
        problem: "hostIP reads the Kubernetes downward API",
        fix: "use {strategy: static, address: <host LAN IP>} on Docker",
      });
    if (c.docker.mode === "swarm") {
      // Replicas sit behind host-mode published ports on different nodes: one static address
      // cannot describe them, and public STUN is wrong on a CCTV LAN. coturn answers STUN itself.
      if (ip && ip.strategy !== "stun")
        out.push({
          path: ["sfu", "nodeIp", "strategy"],
          problem: "Swarm replicas run on several nodes, so a single static address is wrong for all but one",
          fix: `use {strategy: stun, stunServers: ["${c.turn.domain}:${c.turn.ports.listening}"]} (coturn answers STUN on the LAN)`,
        });
      return ip ?? { strategy: "stun", stunServers: [`${c.turn.domain}:${c.turn.ports.listening}`] };
    }
    return ip ?? { strategy: "static", address: dockerGatewayIp(c.docker.subnet) };
  }
  return ip ?? { strategy: "hostIP" };
}

function checkTurn(c: StackConfigParsed, nodeIp: NodeIp, out: ConfigProblem[]): void {
  const t = c.turn;
  if (!t.enabled) return;
  if (t.tls.enabled && !t.tls.certificate)
    out.push({
      path: ["turn", "tls", "certificate"],
      problem: "TURN TLS is enabled without a certificate",
      fix:
        c.target === "kubernetes"
          ? "set certificate: {secretName: <kubernetes.io/tls Secret>}"
          : "set certificate: {certFile: /abs/cert.pem, keyFile: /abs/key.pem}",
    });
  if (t.tls.certificate) {
    const p = certificateTargetProblem(c.target, t.tls.certificate, ["turn", "tls", "certificate"]);
    if (p) out.push(p);
  }
  if (c.target === "docker" && c.docker.mode === "standalone" && t.replicas > 1)
    out.push({
      path: ["turn", "replicas"],
      problem: "a standalone Docker host runs one coturn on its host network",
      fix: 'set replicas to 1, or use lkstack:docker.mode "swarm" or the kubernetes target',
    });
  if (t.quotas.bpsCapacity > 0 && t.quotas.maxBps === 0)
    out.push({
      path: ["turn", "quotas", "bpsCapacity"],
      problem: "coturn refuses to start with bps-capacity but no max-bps",
      fix: "set lkstack:turn.quotas.maxBps as well",
    });
  if (t.privateIp && !t.externalIp)
    out.push({
      path: ["turn", "privateIp"],
      problem: "privateIp maps an external IP, but none is set",
      fix: "set lkstack:turn.externalIp too",
    });
  const allowed = t.allowedPeers.map(parseCidr).filter((x) => x !== undefined);
  const denied = t.deniedPeers.map(parseCidr).filter((x) => x !== undefined);
  if (nodeIp.strategy === "static") {
    const sfu = parseCidr(nodeIp.address);
    if (sfu && denied.some((d) => cidrContains(d, sfu)) && !allowed.some((a) => cidrContains(a, sfu)))
      out.push({
        path: ["turn", "allowedPeers"],
        problem: `the SFU node address ${nodeIp.address} lies in a denied peer range, so TURN could not relay to it`,
        fix: `add "${nodeIp.address}/${sfu.prefix}" (or the SFU subnet) to lkstack:turn.allowedPeers`,
      });
  } else if (allowed.length === 0 && denied.length > 0)
    out.push({
      path: ["turn", "allowedPeers"],
      problem: `with nodeIp strategy ${nodeIp.strategy} the SFU addresses are not known here, and private ranges are denied by default`,
      fix: "list the SFU nodes' CIDR(s) in lkstack:turn.allowedPeers",
    });
}

/** The override that lets allowedPeers re-open denied ranges (and the deny list shrink). */
export const PEER_FILTER_OVERRIDE = "dangerouslyAllowDeniedPeers";

/**
 * Peer filtering is what keeps a TURN client out of the city's private networks, so config may not
 * undo it: an allowed range may not cover a whole denied range (nor the address space), and the
 * deny list keeps every default range, unless lkstack:turn.dangerouslyAllowDeniedPeers is true.
 */
function checkPeerFilter(c: StackConfigParsed, out: ConfigProblem[]): void {
  const t = c.turn;
  if (!t.enabled || t[PEER_FILTER_OVERRIDE]) return;
  const override = `or, knowing TURN clients then reach every UDP port there, set lkstack:turn.${PEER_FILTER_OVERRIDE}: true`;
  const denied = t.deniedPeers.map((d) => ({ text: d, cidr: parseCidr(d) })).filter((d): d is { text: string; cidr: Cidr } => !!d.cidr);
  const guarded = [...denied, ...DEFAULT_DENIED_PEERS.map((d) => ({ text: d, cidr: parseCidr(d) as Cidr }))];
  t.allowedPeers.forEach((a, i) => {
    const allowed = parseCidr(a);
    if (!allowed) return;
    const covered = guarded.find((d) => cidrContains(allowed, d.cidr));
    if (allowed.prefix === 0)
      out.push({
        path: ["turn", "allowedPeers", i],
        problem: `${a} is the whole ${allowed.family === 4 ? "IPv4" : "IPv6"} address space: TURN would relay anywhere, private networks included`,
        fix: `list only the SFU node addresses (e.g. 10.20.0.5/32), ${override}`,
      });
    else if (covered)
      out.push({
        path: ["turn", "allowedPeers", i],
        problem: `${a} covers the whole denied range ${covered.text}, re-opening it to every TURN client`,
        fix: `list only the SFU node addresses or their subnet (e.g. 10.20.0.0/24), ${override}`,
      });
  });
  if (t.deniedPeers.length === 0)
    out.push({
      path: ["turn", "deniedPeers"],
      problem: "the deny list is empty: TURN clients could relay to loopback, RFC 1918, CGNAT and link-local (cloud metadata) addresses",
      fix: `remove lkstack:turn.deniedPeers to keep the defaults, ${override}`,
    });
  else {
    const dropped = DEFAULT_DENIED_PEERS.filter((d) => {
      const def = parseCidr(d) as Cidr;
      return !denied.some((x) => cidrContains(x.cidr, def));
    });
    if (dropped.length > 0)
      out.push({
        path: ["turn", "deniedPeers"],
        problem: `the deny list drops default range(s) ${dropped.join(", ")}`,
        fix: `keep every default range (add your own after them) and open single hosts with allowedPeers, ${override}`,
      });
  }
}

/** Node addresses the NetworkPolicies admit to Valkey and the Ingress (host-network traffic). */
function resolveNodeCidrs(c: StackConfigParsed, nodeIp: NodeIp, out: ConfigProblem[]): string[] {
  if (c.kubernetes.nodeCidrs.length > 0) return c.kubernetes.nodeCidrs;
  const derived = nodeIp.strategy === "static" ? [`${nodeIp.address}/${nodeIp.address.includes(":") ? 128 : 32}`] : c.turn.allowedPeers;
  if (c.target === "kubernetes" && derived.length === 0)
    out.push({
      path: ["kubernetes", "nodeCidrs"],
      problem: "the SFU runs on the host network, so its traffic to Valkey comes from node addresses the NetworkPolicies must admit",
      fix: "list the nodes' CIDR(s) in lkstack:kubernetes.nodeCidrs (or in lkstack:turn.allowedPeers)",
    });
  return derived;
}

function checkValkey(c: StackConfigParsed, out: ConfigProblem[]): void {
  const max = parseValkeyMemory(c.valkey.maxmemory);
  const limit = parseMemory(c.valkey.resources.limits.memory);
  if (max !== undefined && limit !== undefined && max > limit * DEFAULTS.valkeyMaxmemoryShareOfLimit)
    out.push({
      path: ["valkey", "maxmemory"],
      problem: `maxmemory ${c.valkey.maxmemory} leaves under 20% of the ${c.valkey.resources.limits.memory} container limit for buffers and AOF rewrites`,
      fix: `lower it to at most ${Math.floor((limit * DEFAULTS.valkeyMaxmemoryShareOfLimit) / 1024 ** 2)}mb or raise the memory limit`,
    });
  if (c.valkey.mode === "sentinel") {
    if (c.target !== "kubernetes")
      out.push({
        path: ["valkey", "mode"],
        problem: "Sentinel is deployed only on the kubernetes target",
        fix: 'use mode "standalone" on Docker',
      });
    if (c.valkey.sentinel.quorum > c.valkey.sentinel.replicas)
      out.push({
        path: ["valkey", "sentinel", "quorum"],
        problem: `quorum ${c.valkey.sentinel.quorum} exceeds ${c.valkey.sentinel.replicas} sentinels`,
        fix: "use a majority, e.g. 2 of 3",
      });
    if (!c.valkey.persistence)
      out.push({
        path: ["valkey", "persistence"],
        problem: "replication without persistence lets a restarted empty primary wipe its replicas",
        fix: "keep persistence on with Sentinel",
      });
  }
}

function checkCameras(c: StackConfigParsed, out: ConfigProblem[]): void {
  const seen = new Map<string, number>();
  c.cameras.forEach((cam, i) => {
    const id = cam.id.toLowerCase();
    const prior = seen.get(id);
    if (prior !== undefined)
      out.push({
        path: ["cameras", i, "id"],
        problem: `duplicate camera id (also lkstack:cameras[${prior}])`,
        fix: "give every camera its own UUID",
      });
    seen.set(id, i);
    out.push(...cameraIngestProblems(cam, ["cameras", i]));
  });
  if (c.cameras.length > 0 && !c.mediamtx.enabled)
    out.push({
      path: ["mediamtx", "enabled"],
      problem: "cameras are listed but MediaMTX is disabled; Ingress cannot pull rtsp:// itself",
      fix: "enable MediaMTX",
    });
  const transcoded = c.cameras.filter((cam) => cameraIngest(cam) === "transcode").length;
  if (transcoded > 0 && !c.ingress.enabled)
    out.push({
      path: ["ingress", "enabled"],
      problem: `${transcoded} camera(s) use ingest: transcode, which needs the Ingress, and the Ingress is disabled`,
      fix: "enable Ingress, or give those cameras a low stream (passthrough)",
    });
}

function checkTarget(c: StackConfigParsed, out: ConfigProblem[]): void {
  if (c.target === "docker" && c.docker.mode === "standalone" && c.sfu.replicas > 1)
    out.push({
      path: ["sfu", "replicas"],
      problem: "a standalone Docker host runs one SFU on its host network",
      fix: 'set replicas to 1, or use lkstack:docker.mode "swarm" or the kubernetes target',
    });
  const names = c.simulcast.layers.map((l) => l.name);
  if (new Set(names).size !== names.length)
    out.push({ path: ["simulcast", "layers"], problem: "layer names repeat", fix: "use each of high, medium, low at most once" });
  const areas = c.simulcast.layers.map((l) => l.width * l.height);
  if (areas.some((a, i) => i > 0 && a >= areas[i - 1]))
    out.push({
      path: ["simulcast", "layers"],
      problem: "layers must go from the largest resolution to the smallest",
      fix: "order them high, medium, low",
    });
}

function checkRotation(c: StackConfigParsed, out: ConfigProblem[]): void {
  for (const name of c.rotation.retainPrevious)
    if (c.rotation[name] < 2)
      out.push({
        path: ["rotation", "retainPrevious"],
        problem: `${name} is at generation 1, so there is no previous value to keep`,
        fix: `bump lkstack:rotation.${name} first, or drop "${name}" from retainPrevious`,
      });
}

/** Validates raw stack config (the `lkstack:*` keys as an object) and fills every default. */
export function parseStackConfig(raw: unknown): StackConfig {
  // Before any type check: no value may carry a line break or other control character into a file.
  const unsafe = controlCharProblems(raw);
  if (unsafe.length > 0) throw new ConfigError(unsafe);
  const parsed = stackObjectSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(problemsFromZod(parsed.error, knownKeysAt));
  const c = parsed.data;
  const out: ConfigProblem[] = [];
  checkVersions(c, out);
  checkPorts(c, out);
  checkPlatform(c, out);
  const sfuResources = resolveSfuResources(c);
  checkCapacity(c, sfuResources, out);
  const nodeIp = resolveNodeIp(c, out);
  checkTurn(c, nodeIp, out);
  checkPeerFilter(c, out);
  const nodeCidrs = resolveNodeCidrs(c, nodeIp, out);
  checkValkey(c, out);
  checkCameras(c, out);
  const ingressResources = resolveIngressResources(c);
  checkIngressAdmission(c, ingressResources, out);
  checkTarget(c, out);
  checkRotation(c, out);
  checkPublisher(c, out);
  checkEdge(c, out);
  if (out.length > 0) throw new ConfigError(out);
  return {
    ...c,
    kubernetes: { ...c.kubernetes, nodeCidrs },
    sfu: { ...c.sfu, nodeIp, resources: sfuResources },
    ingress: { ...c.ingress, resources: ingressResources },
    publisher: { ...c.publisher, resources: resolvePublisherResources(c) },
    turn: { ...c.turn, realm: c.turn.realm ?? c.turn.domain },
  };
}
