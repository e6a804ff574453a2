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
  dockerAddresses?: { valkey: string; ingress: string; mediamtx: string; cameras: string; publisher: string };
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
  const gateway = nthAddress(cfg.docker.subnet, 1);
  const addresses = {
    valkey: nthAddress(cfg.docker.subnet, 10),
    ingress: nthAddress(cfg.docker.subnet, 11),
    mediamtx: nthAddress(cfg.docker.subnet, 12),
    cameras: nthAddress(cfg.docker.subnet, 13),
    publisher: nthAddress(cfg.docker.subnet, 14),
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
