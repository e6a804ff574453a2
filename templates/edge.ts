import { DEFAULT_PORTS, topology, type FileLayout, type StackConfig } from "../schema";
import { certWatchScript } from "./certWatch";
import { banner } from "./common";

/** Where Caddy listens and what it proxies to, when a caller (a test) runs it outside the container. */
export interface EdgeListen {
  /** The port inside the container (published on the host as lkstack:edge.port). */
  port: number;
  /** The SFU's signalling address as the edge reaches it: the bridge gateway (standalone) or the service name (Swarm). */
  upstream: string;
  /** Bind to this address only (unset: every address of the container). */
  bind?: string;
}

export function defaultEdgeListen(cfg: StackConfig): EdgeListen {
  return { port: DEFAULT_PORTS.edge.container, upstream: new URL(topology(cfg).sfuWsUrl).host };
}

function adminAddress(layout: FileLayout): string {
  return `unix/${layout.edge.stateDir}/admin.sock`;
}

/**
 * The Docker edge's Caddyfile: TLS with the configured certificate files, everything proxied to the
 * SFU's port 7880 (Caddy passes WebSocket upgrades through and sets no timeout on an upgraded
 * stream, so signalling lives as long as the client keeps it). No automatic HTTPS: the certificate
 * is the operator's, and port 80 is not the stack's to take.
 */
export function renderCaddyfile(cfg: StackConfig, layout: FileLayout, listen: EdgeListen = defaultEdgeListen(cfg)): string {
  const host = cfg.edge.host;
  if (!host) throw new Error("lkstack:edge.host is unset (validation requires it with the edge on)");
  const header = banner(
    "#",
    "Caddy",
    cfg.versions.caddy,
    `Signalling for wss://${host}; the certificate is reloaded when its files change.`,
  );
  return [
    header.trimEnd(),
    "{",
    // The admin API only on a private socket: the reload command talks to it, nothing else can.
    `\tadmin ${adminAddress(layout)}`,
    "\tauto_https off",
    `\tstorage file_system ${layout.edge.stateDir}/data`,
    "}",
    "",
    `https://${host}:${listen.port} {`,
    ...(listen.bind ? [`\tbind ${listen.bind}`] : []),
    `\ttls ${layout.edge.tlsCert} ${layout.edge.tlsKey}`,
    `\treverse_proxy ${listen.upstream}`,
    "}",
    "",
  ].join("\n");
}

/**
 * Runs Caddy with a watcher that reloads it (re-reading the certificate files) when they change:
 * Caddy does not watch manually loaded certificates itself.
 */
export function edgeStartScript(layout: FileLayout, watchSeconds?: number): string {
  const e = layout.edge;
  const reload = `echo "lkstack: TLS certificate changed, caddy reloads it" >&2; caddy reload --config ${e.config} --adapter caddyfile --address ${adminAddress(layout)} --force`;
  return `${certWatchScript({ cert: e.tlsCert, key: e.tlsKey }, reload, watchSeconds)} exec caddy run --config ${e.config} --adapter caddyfile`;
}
