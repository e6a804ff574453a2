/**
 * Default ports, one place. The seed fixes 7880/7881/7882, 50000-50500/udp, 3478, 5349,
 * 8086/8087; the others are each server's upstream default.
 */
export const DEFAULT_PORTS = {
  sfu: {
    http: 7880,
    rtcTcp: 7881,
    metrics: 7882,
    udp: { start: 50000, end: 50500 },
  },
  ingress: {
    health: 8086,
    metrics: 8087,
    // Loopback relay between the Ingress service and its per-session handler processes.
    httpRelay: 9090,
    /** MediaMTX forwards each camera here (in-cluster only; the stream key is the credential). */
    rtmp: 1935,
  },
  turn: {
    listening: 3478,
    tls: 5349,
    metrics: 9641,
    // coturn's default relay range (49152-65535) overlaps LiveKit's; this one sits below it.
    relay: { start: 40000, end: 49999 },
  },
  valkey: { port: 6379, sentinel: 26379 },
  /** The TLS edge: the public https/wss port, and the unprivileged port Caddy listens on in its container. */
  edge: { https: 443, container: 8443 },
  mediamtx: { rtsp: 8554, api: 9997, metrics: 9998 },
  /** The reconciler's health endpoint (loopback and kubelet only). */
  cameras: { health: 8089 },
  /** The passthrough publisher's /healthz and /metrics. */
  publisher: { health: 9210 },
  /** The cluster DNS pods' port (kube-dns/CoreDNS; OpenShift's DNS pods listen on 5353). */
  dns: 53,
  /** The port a URL without one reaches, by scheme (gortsplib: rtsp 554, rtsps 322). */
  urlDefault: { http: 80, https: 443, rtsp: 554, rtsps: 322 },
} as const;

/**
 * The UDP port budget, measured on livekit-server (test/conformance/udp-ports.test.ts pins it): in
 * range mode every peer connection the server negotiates takes one port of the range for each
 * node address ICE gathers on (every non-loopback address, IPv6 link-local included). A camera
 * (publish only) and a viewer (subscribe only) each negotiate one peer connection.
 */
export const PEER_CONNECTIONS_PER_PARTICIPANT = 1;
/**
 * Node addresses ICE gathers on, for planning: an IPv4 address plus the IPv6 link-local address
 * most Linux NICs carry. A node with more (`ip -brief addr`, not counting loopback) takes more.
 */
export const ICE_ADDRESSES_PER_NODE = 2;
export const UDP_PORTS_PER_PARTICIPANT = PEER_CONNECTIONS_PER_PARTICIPANT * ICE_ADDRESSES_PER_NODE;

/**
 * How the SFU takes UDP ports: `range`, a port per peer connection and address from the range
 * (LiveKit's port_range_start/end); `single`, every participant on the range's first port
 * (LiveKit's rtc.udp_port: one socket per address, whatever the participant count).
 */
export const UDP_MODES = ["range", "single"] as const;
export type UdpMode = (typeof UDP_MODES)[number];

export interface PortRange {
  start: number;
  end: number;
}

/** The UDP ports the SFU listens on and the firewall must open: the range, or its first port alone. */
export function sfuUdpPorts(ports: { udp: PortRange; udpMode: UdpMode }): PortRange {
  return ports.udpMode === "single" ? { start: ports.udp.start, end: ports.udp.start } : ports.udp;
}

export function rangeSize(r: PortRange): number {
  return r.end - r.start + 1;
}

export function rangesOverlap(a: PortRange, b: PortRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export function inRange(port: number, r: PortRange): boolean {
  return port >= r.start && port <= r.end;
}
