import { DEFAULTS } from "./defaults";
import { parseCidr, formatIp } from "./net";
import { SERVICE_NAMES } from "./services";
import type { StackConfigParsed } from "./stack";

/**
 * Where each service is reached from the others. Kubernetes uses Service DNS names; the Docker
 * target gives each bridge-network container a fixed address, because the SFU and coturn run on
 * the host network, where Docker's embedded DNS does not answer.
 */
export interface Topology {
  valkeyHost: string;
  /** The pod Sentinel monitors first (ordinal 0 of the Valkey StatefulSet). */
  valkeyInitialPrimary: string;
  sentinelHosts: string[];
  /** URL the Ingress joins rooms through (LiveKit signalling). */
  sfuWsUrl: string;
  mediamtxHost: string;
  /** Where MediaMTX forwards camera streams to (the Ingress's RTMP listener). */
  ingressHost: string;
  /** Docker only: the host as seen from the bridge network, which is also the SFU's address. */
  gatewayIp?: string;
  dockerAddresses?: { valkey: string; ingress: string; mediamtx: string; cameras: string; edge: string; publisher: string };
}

/** Each Docker-target container's host number in the bridge subnet (1 is the bridge's gateway). */
export const DOCKER_HOST_NUMBERS = { gateway: 1, valkey: 10, ingress: 11, mediamtx: 12, cameras: 13, edge: 14, publisher: 15 } as const;

const HIGHEST_HOST_NUMBER = Math.max(...Object.values(DOCKER_HOST_NUMBERS));

/** The longest prefix whose subnet keeps every host number below its broadcast address. */
const LONGEST_DOCKER_PREFIX = 32 - Math.ceil(Math.log2(HIGHEST_HOST_NUMBER + 2));

/** Why a Docker bridge subnet cannot hold the stack (IPv6, or too small), and what to use. */
export function dockerSubnetProblem(subnet: string): { problem: string; fix: string } | undefined {
  const c = parseCidr(subnet);
  if (!c) return undefined; // not a CIDR at all: the schema's own message says so
  const fix = `use a private IPv4 /${LONGEST_DOCKER_PREFIX} or wider, e.g. "${DEFAULTS.dockerSubnet}" (the default)`;
  if (c.family !== 4) return { problem: "the Docker bridge subnet must be IPv4 (the containers get fixed IPv4 addresses)", fix };
  if (c.last - c.first <= BigInt(HIGHEST_HOST_NUMBER))
    return {
      problem: `${subnet} is too small: the containers take host numbers up to ${HIGHEST_HOST_NUMBER}, below the broadcast address`,
      fix,
    };
  return undefined;
}

/** The Docker bridge's gateway: the host as the containers see it, and the SFU's address. */
export function dockerGatewayIp(subnet: string): string {
  return nthAddress(subnet, DOCKER_HOST_NUMBERS.gateway);
}

function nthAddress(subnet: string, n: number): string {
  const c = parseCidr(subnet);
  if (!c || c.family !== 4) throw new Error(`docker subnet must be IPv4: ${subnet}`);
  return formatIp(4, c.first + BigInt(n));
}

export function topology(cfg: Pick<StackConfigParsed, "target" | "kubernetes" | "docker" | "sfu" | "valkey">): Topology {
  if (cfg.target === "kubernetes") {
    const ns = cfg.kubernetes.namespace;
    const fqdn = (svc: string) => `${svc}.${ns}.svc.cluster.local`;
    return {
      valkeyHost: fqdn(SERVICE_NAMES.valkey),
      valkeyInitialPrimary: `${SERVICE_NAMES.valkey}-0.${fqdn(SERVICE_NAMES.valkey)}`,
      sentinelHosts: Array.from(
        { length: cfg.valkey.sentinel.replicas },
        (_, i) => `${SERVICE_NAMES.sentinel}-${i}.${SERVICE_NAMES.sentinel}.${ns}.svc.cluster.local`,
      ),
      sfuWsUrl: `ws://${fqdn(SERVICE_NAMES.sfu)}:${cfg.sfu.ports.http}`,
      mediamtxHost: fqdn(SERVICE_NAMES.mediamtx),
      ingressHost: fqdn(SERVICE_NAMES.ingress),
    };
  }
  if (cfg.docker.mode === "swarm")
    // Every service joins the stack's overlay network and is found by its service name.
    return {
      valkeyHost: SERVICE_NAMES.valkey,
      valkeyInitialPrimary: SERVICE_NAMES.valkey,
      sentinelHosts: [],
      sfuWsUrl: `ws://${SERVICE_NAMES.sfu}:${cfg.sfu.ports.http}`,
      mediamtxHost: SERVICE_NAMES.mediamtx,
      ingressHost: SERVICE_NAMES.ingress,
    };
  const at = (n: number) => nthAddress(cfg.docker.subnet, n);
  const h = DOCKER_HOST_NUMBERS;
  const gateway = dockerGatewayIp(cfg.docker.subnet);
  const addresses = {
    valkey: at(h.valkey),
    ingress: at(h.ingress),
    mediamtx: at(h.mediamtx),
    cameras: at(h.cameras),
    edge: at(h.edge),
    publisher: at(h.publisher),
  };
  return {
    valkeyHost: addresses.valkey,
    valkeyInitialPrimary: addresses.valkey,
    sentinelHosts: [],
    sfuWsUrl: `ws://${gateway}:${cfg.sfu.ports.http}`,
    mediamtxHost: addresses.mediamtx,
    ingressHost: addresses.ingress,
    gatewayIp: gateway,
    dockerAddresses: addresses,
  };
}
