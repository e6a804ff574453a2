import type {
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from "kubernetes-types/networking/v1";
import {
  CAMERA_SCHEMES,
  camerasWithIngest,
  DEFAULT_PORTS,
  exactCidrs,
  isUrlProblem,
  parseIp,
  parseUrl,
  sfuUdpPorts,
  type ServiceId,
  type StackConfig,
} from "../../schema";
import { LABEL, PART_OF, selectorLabels } from "./common";
import { publisherWebhookUrls } from "../publisher";

const ANYWHERE: NetworkPolicyPeer[] = [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }];

function tcp(port: number): NetworkPolicyPort {
  return { protocol: "TCP", port };
}
function udp(port: number, endPort?: number): NetworkPolicyPort {
  // A one-port "range" (single-port ICE) is a plain port: endPort equal to port says nothing more.
  return endPort === undefined || endPort === port ? { protocol: "UDP", port } : { protocol: "UDP", port, endPort };
}

/** Every policy governs both directions: an empty list denies that direction for the selected pods. */
function policy(
  cfg: StackConfig,
  name: string,
  w: ServiceId | undefined,
  rules: NetworkPolicyIngressRule[],
  egress: NetworkPolicyEgressRule[],
): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: cfg.kubernetes.namespace, labels: { [LABEL.partOf]: PART_OF, [LABEL.managedBy]: "lkstack" } },
    spec: { podSelector: w ? { matchLabels: selectorLabels(w) } : {}, policyTypes: ["Ingress", "Egress"], ingress: rules, egress },
  };
}

function pods(w: ServiceId): NetworkPolicyPeer {
  return { podSelector: { matchLabels: selectorLabels(w) } };
}

function hostBlock(ip: string): NetworkPolicyPeer {
  return { ipBlock: { cidr: exactCidrs([ip])[0] } };
}

/**
 * One egress rule per destination port for hosts named in URLs. An IP literal becomes an ipBlock;
 * a DNS name cannot be expressed in a NetworkPolicy (it selects addresses, never names), so a port
 * with any named host is open to every address.
 */
function urlEgress(urls: string[], schemes: readonly string[]): NetworkPolicyEgressRule[] {
  const byPort = new Map<number, Set<string> | "anywhere">();
  for (const raw of urls) {
    const u = parseUrl(raw, schemes);
    if (isUrlProblem(u)) throw new Error(`${raw}: ${u.problem}`);
    const port = u.port ?? DEFAULT_PORTS.urlDefault[u.scheme as keyof typeof DEFAULT_PORTS.urlDefault];
    const seen = byPort.get(port) ?? new Set<string>();
    if (seen === "anywhere") continue;
    if (!parseIp(u.host)) byPort.set(port, "anywhere");
    else byPort.set(port, seen.add(u.host));
  }
  return [...byPort.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, hosts]) => ({
      to: hosts === "anywhere" ? ANYWHERE : exactCidrs([...hosts]).map((cidr) => ({ ipBlock: { cidr } })),
      ports: [tcp(port)],
    }));
}

/**
 * Default deny in both directions, then one allow-list per workload: what may reach it, and what it
 * may reach. Only the SFU and TURN ports face outside. Host-network pods (SFU, coturn) reach the
 * others from node addresses, hence `nodeCidrs`; most CNIs do not apply policies to host-network
 * pods themselves, so theirs document intent and cover CNIs that do. Egress ports are destination
 * ports; replies on a connection the pod accepted need no egress rule (every CNI tracks them).
 */
export function networkPolicies(cfg: StackConfig): NetworkPolicy[] {
  const stackPods: NetworkPolicyPeer = { podSelector: { matchLabels: { [LABEL.partOf]: PART_OF } } };
  const nodes: NetworkPolicyPeer[] = cfg.kubernetes.nodeCidrs.map((cidr) => ({ ipBlock: { cidr } }));
  const monitoring: NetworkPolicyPeer = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": cfg.kubernetes.monitoring.namespace } },
  };
  const internal = [stackPods, ...nodes];
  const d = cfg.kubernetes.dns;
  // Every pod that resolves a name (Service names, camera and webhook hosts) asks the cluster DNS.
  const dns: NetworkPolicyEgressRule = {
    to: [
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": d.namespace } },
        podSelector: { matchLabels: d.podLabels },
      },
      ...d.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
    ],
    ports: [udp(d.port), tcp(d.port)],
  };
  const v = cfg.valkey;
  const sentinelMode = v.mode === "sentinel";
  // A Sentinel client asks the sentinels for the primary, then talks to that Valkey pod.
  const valkeyClient: NetworkPolicyEgressRule[] = [
    ...(sentinelMode ? [{ to: [pods("sentinel")], ports: [tcp(v.sentinel.port)] }] : []),
    { to: [pods("valkey")], ports: [tcp(v.port)] },
  ];
  const s = cfg.sfu.ports;
  const media = sfuUdpPorts(s);
  // The SFU Service's endpoints are node addresses (host network); the pod selector states intent.
  const sfuSignalling: NetworkPolicyEgressRule = { to: [pods("sfu"), ...nodes], ports: [tcp(s.http)] };
  // Where the SFU's ICE candidates point: the node (hostIP), the configured address (static), or
  // a public address learnt by STUN that no config names (then: anywhere).
  const ip = cfg.sfu.nodeIp;
  const sfuAddresses: NetworkPolicyPeer[] =
    ip.strategy === "stun" ? ANYWHERE : ip.strategy === "static" ? [...nodes, hostBlock(ip.address)] : nodes;
  const out: NetworkPolicy[] = [policy(cfg, "lkstack-default-deny", undefined, [], [])];
  // Empty rule lists deny all ingress and egress to every pod in the namespace; the policies below add back.
  out.push(
    policy(
      cfg,
      "lkstack-sfu",
      "sfu",
      [
        { from: ANYWHERE, ports: [tcp(s.http), tcp(s.rtcTcp), udp(media.start, media.end)] },
        { from: [monitoring, ...nodes], ports: [tcp(s.metrics)] },
      ],
      [
        dns,
        ...valkeyClient,
        // Webhook receivers (lkstack:webhook.urls), and the publishers when they publish on demand.
        ...urlEgress(cfg.webhook.urls, ["http", "https"]),
        ...(publisherWebhookUrls(cfg).length > 0 ? [{ to: [pods("publisher")], ports: [tcp(cfg.publisher.ports.health)] }] : []),
        // Media and ICE: packets leave the SFU's UDP range for each viewer's own port (or a TURN
        // relay's), which no config knows, so the destination is any UDP port anywhere. ICE over TCP
        // (rtcTcp) is accepted, never initiated: its replies need no rule.
        { to: ANYWHERE, ports: [{ protocol: "UDP" }] },
      ],
    ),
  );
  if (cfg.turn.enabled) {
    const t = cfg.turn.ports;
    out.push(
      policy(
        cfg,
        "lkstack-turn",
        "turn",
        [
          {
            from: ANYWHERE,
            ports: [udp(t.listening), tcp(t.listening), ...(cfg.turn.tls.enabled ? [tcp(t.tls)] : []), udp(t.relay.start, t.relay.end)],
          },
          { from: [monitoring, ...nodes], ports: [tcp(t.metrics)] },
        ],
        // coturn relays UDP only (no-tcp-relay), and the one peer a viewer has is an SFU: its UDP
        // range on the SFU's addresses. Every address in turnserver.conf is a literal: no DNS.
        [{ to: sfuAddresses, ports: [udp(media.start, media.end)] }],
      ),
    );
  }
  // Valkey reaches only its own kind: replicas follow the primary, and in Sentinel mode each pod asks
  // the sentinels who the primary is (by DNS name). A standalone Valkey reaches nothing.
  const valkeyPeers: NetworkPolicyEgressRule[] = sentinelMode
    ? [dns, { to: [pods("valkey")], ports: [tcp(v.port)] }, { to: [pods("sentinel")], ports: [tcp(v.sentinel.port)] }]
    : [];
  out.push(policy(cfg, "lkstack-valkey", "valkey", [{ from: internal, ports: [tcp(v.port)] }], valkeyPeers));
  if (sentinelMode)
    out.push(policy(cfg, "lkstack-valkey-sentinel", "sentinel", [{ from: internal, ports: [tcp(v.sentinel.port)] }], valkeyPeers));
  const cameraPath = cfg.cameras.length > 0 && cfg.ingress.enabled;
  const publisher = camerasWithIngest(cfg.cameras, "passthrough").length > 0 && cfg.mediamtx.enabled;
  if (cfg.ingress.enabled) {
    const i = cfg.ingress.ports;
    out.push(
      policy(
        cfg,
        "lkstack-ingress",
        "ingress",
        [
          // Kubelet probes arrive from the node.
          { from: nodes, ports: [tcp(i.health)] },
          { from: [monitoring, ...nodes], ports: [tcp(i.metrics)] },
          // Camera streams arrive only from MediaMTX; the stream key is the only other guard.
          ...(cfg.mediamtx.enabled ? [{ from: [pods("mediamtx")], ports: [tcp(i.rtmp)] }] : []),
        ],
        [
          dns,
          ...valkeyClient,
          // It joins each camera's room through the SFU's signalling port, then publishes to the SFU's
          // UDP range (ICE over TCP as the fallback) like any participant.
          sfuSignalling,
          { to: sfuAddresses, ports: [udp(media.start, media.end), tcp(s.rtcTcp)] },
        ],
      ),
    );
  }
  if (cfg.mediamtx.enabled) {
    const m = cfg.mediamtx.ports;
    out.push(
      policy(
        cfg,
        "lkstack-mediamtx",
        "mediamtx",
        [
          // The reconciler sets each path's forward through the API (its own account).
          ...(cameraPath ? [{ from: [pods("cameras")], ports: [tcp(m.api)] }] : []),
          { from: nodes, ports: [tcp(m.rtsp)] },
          // The publisher reads passthrough cameras' streams (its read-only account).
          ...(publisher ? [{ from: [pods("publisher")], ports: [tcp(m.rtsp)] }] : []),
        ],
        [
          dns,
          // RTSP pulls from the cameras (TCP interleaved by default; UDP transport also needs the
          // cameras' RTP to reach the pod, which these policies do not admit).
          ...urlEgress(
            cfg.cameras.map((c) => c.rtsp),
            CAMERA_SCHEMES,
          ),
          // Each camera is forwarded to the Ingress over RTMP.
          ...(cfg.ingress.enabled ? [{ to: [pods("ingress")], ports: [tcp(cfg.ingress.ports.rtmp)] }] : []),
        ],
      ),
    );
  }
  if (cameraPath)
    // The reconciler calls LiveKit (ingresses) and MediaMTX's API (forwards); kubelet probes its
    // health port from the node.
    out.push(
      policy(
        cfg,
        "lkstack-cameras",
        "cameras",
        [{ from: nodes, ports: [tcp(DEFAULT_PORTS.cameras.health)] }],
        // Cameras come with MediaMTX: the schema refuses one without the other.
        [dns, sfuSignalling, { to: [pods("mediamtx")], ports: [tcp(cfg.mediamtx.ports.api)] }],
      ),
    );
  if (publisher)
    // The publisher reads MediaMTX over RTSP, joins each room through the SFU's signalling port and
    // sends media to its UDP range (ICE over TCP as the fallback); kubelet and Prometheus reach its
    // health port (/healthz, /metrics).
    out.push(
      policy(
        cfg,
        "lkstack-publisher",
        "publisher",
        [{ from: [monitoring, ...nodes], ports: [tcp(cfg.publisher.ports.health)] }],
        [
          dns,
          sfuSignalling,
          { to: sfuAddresses, ports: [udp(s.udp.start, s.udp.end), tcp(s.rtcTcp)] },
          { to: [pods("mediamtx")], ports: [tcp(cfg.mediamtx.ports.rtsp)] },
        ],
      ),
    );
  return out;
}
