import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from "kubernetes-types/networking/v1";
import { DEFAULT_PORTS, type StackConfig } from "../../schema";
import { LABEL, PART_OF, selectorLabels, type Workload } from "./common";

const ANYWHERE: NetworkPolicyPeer[] = [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }];

function tcp(port: number): NetworkPolicyPort {
  return { protocol: "TCP", port };
}
function udp(port: number, endPort?: number): NetworkPolicyPort {
  return endPort === undefined ? { protocol: "UDP", port } : { protocol: "UDP", port, endPort };
}

function policy(
  cfg: StackConfig,
  name: string,
  w: Workload | undefined,
  rules: { from?: NetworkPolicyPeer[]; ports: NetworkPolicyPort[] }[],
): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: cfg.kubernetes.namespace, labels: { [LABEL.partOf]: PART_OF, [LABEL.managedBy]: "lkstack" } },
    spec: { podSelector: w ? { matchLabels: selectorLabels(w) } : {}, policyTypes: ["Ingress"], ingress: rules },
  };
}

/**
 * Default deny, then one allow-list per workload. Only the SFU and TURN ports face outside.
 * Host-network pods (SFU, coturn) reach the others from node addresses, hence `nodeCidrs`; most
 * CNIs do not apply policies to host-network pods themselves, so theirs document intent and
 * cover CNIs that do.
 */
export function networkPolicies(cfg: StackConfig): NetworkPolicy[] {
  const stackPods: NetworkPolicyPeer = { podSelector: { matchLabels: { [LABEL.partOf]: PART_OF } } };
  const nodes: NetworkPolicyPeer[] = cfg.kubernetes.nodeCidrs.map((cidr) => ({ ipBlock: { cidr } }));
  const monitoring: NetworkPolicyPeer = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": cfg.kubernetes.monitoring.namespace } },
  };
  const internal = [stackPods, ...nodes];
  const out: NetworkPolicy[] = [policy(cfg, "lkstack-default-deny", undefined, [])];
  // An empty rule list denies all ingress to every pod in the namespace; the policies below add back.
  const s = cfg.sfu.ports;
  out.push(
    policy(cfg, "lkstack-sfu", "sfu", [
      { from: ANYWHERE, ports: [tcp(s.http), tcp(s.rtcTcp), udp(s.udp.start, s.udp.end)] },
      { from: [monitoring, ...nodes], ports: [tcp(s.metrics)] },
    ]),
  );
  if (cfg.turn.enabled) {
    const t = cfg.turn.ports;
    out.push(
      policy(cfg, "lkstack-turn", "turn", [
        {
          from: ANYWHERE,
          ports: [udp(t.listening), tcp(t.listening), ...(cfg.turn.tls.enabled ? [tcp(t.tls)] : []), udp(t.relay.start, t.relay.end)],
        },
        { from: [monitoring, ...nodes], ports: [tcp(t.metrics)] },
      ]),
    );
  }
  const v = cfg.valkey;
  out.push(policy(cfg, "lkstack-valkey", "valkey", [{ from: internal, ports: [tcp(v.port)] }]));
  if (v.mode === "sentinel")
    out.push(policy(cfg, "lkstack-valkey-sentinel", "sentinel", [{ from: internal, ports: [tcp(v.sentinel.port)] }]));
  if (cfg.ingress.enabled) {
    const i = cfg.ingress.ports;
    out.push(
      policy(cfg, "lkstack-ingress", "ingress", [
        // Kubelet probes arrive from the node.
        { from: nodes, ports: [tcp(i.health)] },
        { from: [monitoring, ...nodes], ports: [tcp(i.metrics)] },
        // Camera streams arrive only from MediaMTX; the stream key is the only other guard.
        ...(cfg.mediamtx.enabled ? [{ from: [{ podSelector: { matchLabels: selectorLabels("mediamtx") } }], ports: [tcp(i.rtmp)] }] : []),
      ]),
    );
  }
  if (cfg.mediamtx.enabled) {
    const m = cfg.mediamtx.ports;
    out.push(
      policy(cfg, "lkstack-mediamtx", "mediamtx", [
        // The reconciler sets each path's forward through the API (its own account).
        ...(cfg.cameras.length > 0 && cfg.ingress.enabled
          ? [{ from: [{ podSelector: { matchLabels: selectorLabels("cameras") } }], ports: [tcp(m.api)] }]
          : []),
        { from: nodes, ports: [tcp(m.rtsp)] },
      ]),
    );
  }
  if (cfg.cameras.length > 0 && cfg.ingress.enabled)
    // The reconciler only calls out; kubelet probes its health port from the node.
    out.push(policy(cfg, "lkstack-cameras", "cameras", [{ from: nodes, ports: [tcp(DEFAULT_PORTS.cameras.health)] }]));
  return out;
}
