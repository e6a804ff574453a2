import { sfuUdpPorts, type PortRange } from "./ports";
import type { StackConfigParsed } from "./stack";

/** A port (or UDP range) a server of the stack binds, with the setting that holds it. */
export interface Listener {
  path: PropertyKey[];
  /** How the problems name it, e.g. "SFU HTTP/WebSocket". */
  what: string;
  range: PortRange;
  /** A UDP range for media (the SFU's, TURN's relay): other ports may not sit inside it. */
  mediaRange: boolean;
  /** Binds on the node itself (host network on Kubernetes, or Docker's host network). */
  hostNetwork: boolean;
}

type Config = Pick<StackConfigParsed, "sfu" | "valkey" | "ingress" | "turn" | "mediamtx">;

const one = (port: number): PortRange => ({ start: port, end: port });

/**
 * Every listener of the parts that are on, in one order: the collision checks name the earlier of
 * two claims on a port as the one that had it first.
 */
export function listeners(c: Config): Listener[] {
  const port = (path: PropertyKey[], what: string, p: number, hostNetwork: boolean): Listener => ({
    path,
    what,
    range: one(p),
    mediaRange: false,
    hostNetwork,
  });
  const l: Listener[] = [
    port(["sfu", "ports", "http"], "SFU HTTP/WebSocket", c.sfu.ports.http, true),
    port(["sfu", "ports", "rtcTcp"], "SFU ICE/TCP", c.sfu.ports.rtcTcp, true),
    port(["sfu", "ports", "metrics"], "SFU metrics", c.sfu.ports.metrics, true),
    {
      path: ["sfu", "ports", "udp"],
      what: c.sfu.ports.udpMode === "single" ? "the SFU UDP port" : "the SFU UDP range",
      range: sfuUdpPorts(c.sfu.ports),
      mediaRange: true,
      hostNetwork: true,
    },
    port(["valkey", "port"], "Valkey", c.valkey.port, false),
  ];
  if (c.valkey.mode === "sentinel") l.push(port(["valkey", "sentinel", "port"], "Sentinel", c.valkey.sentinel.port, false));
  if (c.ingress.enabled) {
    const p = c.ingress.ports;
    l.push(
      port(["ingress", "ports", "health"], "Ingress health", p.health, false),
      port(["ingress", "ports", "metrics"], "Ingress metrics", p.metrics, false),
      port(["ingress", "ports", "httpRelay"], "Ingress HTTP relay", p.httpRelay, false),
      port(["ingress", "ports", "rtmp"], "Ingress RTMP", p.rtmp, false),
    );
  }
  if (c.turn.enabled) {
    const p = c.turn.ports;
    l.push(
      port(["turn", "ports", "listening"], "TURN listening", p.listening, true),
      port(["turn", "ports", "metrics"], "TURN metrics", p.metrics, true),
      { path: ["turn", "ports", "relay"], what: "the TURN relay range", range: p.relay, mediaRange: true, hostNetwork: true },
    );
    if (c.turn.tls.enabled) l.push(port(["turn", "ports", "tls"], "TURN TLS", p.tls, true));
  }
  if (c.mediamtx.enabled) {
    const p = c.mediamtx.ports;
    l.push(
      port(["mediamtx", "ports", "rtsp"], "MediaMTX RTSP", p.rtsp, false),
      port(["mediamtx", "ports", "api"], "MediaMTX API", p.api, false),
      port(["mediamtx", "ports", "metrics"], "MediaMTX metrics", p.metrics, false),
    );
  }
  return l;
}
