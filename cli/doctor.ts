import {
  DEFAULTS,
  METRICS_USERNAME,
  participantBudget,
  rangeSize,
  SECRET_ENV,
  sfuUdpPorts,
  signallingUrl,
  topology,
  type StackConfig,
} from "../schema";
import { metricSum, scrape } from "./probes/metrics";
import { get, tcpOpen, unresolvable, why } from "./probes/net";
import { inspectTls } from "./probes/tls";
import { turnAllocate, turnAllocateTls, turnRestCredentials } from "./probes/turn";
import { valkeyPing } from "./probes/valkey";

/** One row of the seed's troubleshooting guide, checked. */
export interface Check {
  name: string;
  ok: boolean;
  figure: string;
  fix?: string;
}

export interface DoctorTargets {
  /** LiveKit's HTTP base, e.g. http://10.20.0.11:7880. */
  livekitUrl: string;
  ingressUrl?: string;
  turn?: { host: string; port: number };
  /** TURN over TLS (lkstack:turn.tls), checked by name: the certificate must name turn.domain. */
  turnTls?: { host: string; port: number; servername: string };
  /** The TLS edge in front of signalling: wss://<host> from --url or lkstack:edge. */
  edge?: { host: string; port: number; servername: string };
  /** Extra trusted root (PEM) besides the system's and NODE_EXTRA_CA_CERTS (tests with a private CA). */
  tlsCa?: string;
  /** Left out when its host does not resolve. */
  valkey?: { host: string; port: number };
  turnSecret?: string;
  valkeyPassword?: string;
  /** The SFU's metrics basic-auth password (user METRICS_USERNAME). */
  metricsPassword?: string;
  timeoutMs: number;
}

function hostPort(text: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(text);
  return { host: m?.[1] ?? text, port: m?.[2] ? Number(m[2]) : defaultPort };
}

/** Where each service is, from the stack config unless a flag says otherwise. */
export function doctorTargets(
  cfg: StackConfig,
  flags: { url?: string; ingressUrl?: string; turn?: string; valkey?: string },
  env: Record<string, string | undefined>,
): DoctorTargets {
  const livekitUrl = (flags.url ?? `http://127.0.0.1:${cfg.sfu.ports.http}`).replace(/^ws(s?):\/\//, "http$1://").replace(/\/$/, "");
  const host = new URL(livekitUrl).hostname;
  // The edge is what --url names when it is wss:// (https://), else the stack's own public URL.
  const edgeUrl = livekitUrl.startsWith("https://") ? livekitUrl : signallingUrl(cfg)?.replace(/^wss:/, "https:");
  const edge = edgeUrl ? new URL(edgeUrl) : undefined;
  const turn = cfg.turn.enabled ? hostPort(flags.turn ?? cfg.turn.domain, cfg.turn.ports.listening) : undefined;
  return {
    livekitUrl,
    edge: edge ? { host: edge.hostname, port: Number(edge.port || 443), servername: edge.hostname } : undefined,
    turnTls: turn && cfg.turn.tls.enabled ? { host: turn.host, port: cfg.turn.ports.tls, servername: cfg.turn.domain } : undefined,
    ingressUrl: cfg.ingress.enabled ? (flags.ingressUrl ?? `http://${host}:${cfg.ingress.ports.health}`).replace(/\/$/, "") : undefined,
    turn,
    valkey: hostPort(flags.valkey ?? topology(cfg).valkeyHost, cfg.valkey.port),
    turnSecret: env[SECRET_ENV.turnSecret],
    valkeyPassword: env[SECRET_ENV.valkeyPassword],
    metricsPassword: env[SECRET_ENV.metricsPassword],
    timeoutMs: 4000,
  };
}

/** The seed's NACK guidance as a threshold: more than 2 % of packets retransmitted means loss. */
export const NACK_RATIO_LIMIT = 0.02;

/**
 * Each host a check talks to must resolve first; one that does not becomes one failing row naming
 * the flag that sets it, and the checks against it are left out.
 */
async function resolveTargets(t: DoctorTargets, checks: Check[]): Promise<DoctorTargets | undefined> {
  const hosts: { host: string; flag: string; drop: (t: DoctorTargets) => DoctorTargets | undefined }[] = [
    { host: new URL(t.livekitUrl).hostname, flag: "--url", drop: () => undefined },
    ...(t.ingressUrl
      ? [{ host: new URL(t.ingressUrl).hostname, flag: "--ingress-url", drop: (x: DoctorTargets) => ({ ...x, ingressUrl: undefined }) }]
      : []),
    ...(t.turn
      ? [{ host: t.turn.host, flag: "--turn host:port", drop: (x: DoctorTargets) => ({ ...x, turn: undefined, turnTls: undefined }) }]
      : []),
    ...(t.edge && t.edge.host !== new URL(t.livekitUrl).hostname
      ? [{ host: t.edge.host, flag: "--url wss://HOST", drop: (x: DoctorTargets) => ({ ...x, edge: undefined }) }]
      : []),
    ...(t.valkey ? [{ host: t.valkey.host, flag: "--valkey host:port", drop: (x: DoctorTargets) => ({ ...x, valkey: undefined }) }] : []),
  ];
  let out: DoctorTargets | undefined = t;
  for (const h of hosts) {
    const bad = await unresolvable(h.host);
    if (!bad) continue;
    checks.push({
      name: `resolve ${h.host}`,
      ok: false,
      figure: bad,
      fix: `name a host this machine can resolve, or its address, with ${h.flag}`,
    });
    out = out && h.drop(out);
  }
  return out;
}

async function livekitRoot(cfg: StackConfig, t: DoctorTargets): Promise<Check> {
  const name = `LiveKit GET / (${cfg.sfu.ports.http})`;
  try {
    const r = await get(`${t.livekitUrl}/`, t.timeoutMs);
    if (r.status === 200) return { name, ok: true, figure: `200 ${r.body.trim()} in ${r.ms} ms` };
    const fix = r.status === 406 ? "the node's stats are stale: check Valkey is reachable from the SFU" : "check the SFU logs";
    return { name, ok: false, figure: `${r.status} ${r.body.trim()}`, fix };
  } catch (e) {
    return { name, ok: false, figure: why(e), fix: `is livekit-server running and ${t.livekitUrl} reachable?` };
  }
}

/** The SFU's metrics row and, when it scraped, the NACK-rate row. */
async function livekitMetrics(cfg: StackConfig, t: DoctorTargets, host: string): Promise<Check[]> {
  const name = `LiveKit metrics (${cfg.sfu.ports.metrics})`;
  try {
    const r = await scrape(`http://${host}:${cfg.sfu.ports.metrics}/metrics`, t.metricsPassword, t.timeoutMs);
    if (r.status === 200 && /^livekit_/m.test(r.body)) {
      const figure = `rooms ${metricSum(r.body, "livekit_room_total")}, participants ${metricSum(r.body, "livekit_participant_total")}`;
      return [{ name, ok: true, figure }, nackRate(r.body)];
    }
    if (r.status !== 401)
      return [
        {
          name,
          ok: false,
          figure: `HTTP ${r.status}`,
          fix: "set prometheus.port in livekit.yaml (lkstack renders it) and open the port to your monitoring",
        },
      ];
    return [
      t.metricsPassword
        ? {
            name,
            ok: false,
            figure: `HTTP 401: basic auth as ${METRICS_USERNAME} refused`,
            fix: `the metrics password does not match the SFU's; export ${SECRET_ENV.metricsPassword} from the stack output metricsPassword`,
          }
        : {
            name,
            ok: false,
            figure: "HTTP 401: the port asks for basic auth and no password was given",
            fix: `export ${SECRET_ENV.metricsPassword} (the stack output metricsPassword)`,
          },
    ];
  } catch (e) {
    return [{ name, ok: false, figure: why(e), fix: "open the metrics port to this host" }];
  }
}

function nackRate(body: string): Check {
  const nacks = metricSum(body, "livekit_nack_total");
  const packets = metricSum(body, "livekit_packet_total");
  const ratio = packets > 0 ? nacks / packets : 0;
  const ok = ratio <= NACK_RATIO_LIMIT;
  return {
    name: "NACK rate",
    ok,
    figure: `${nacks} NACKs / ${packets} packets (${(ratio * 100).toFixed(2)} %)`,
    fix: ok ? undefined : "packet loss between SFU and viewers: check the network, the UDP range, or subscribe a lower layer",
  };
}

async function iceTcp(cfg: StackConfig, t: DoctorTargets, host: string): Promise<Check> {
  const port = cfg.sfu.ports.rtcTcp;
  const open = await tcpOpen(host, port, t.timeoutMs);
  return {
    name: `ICE over TCP (${port})`,
    ok: open,
    figure: open ? "accepts connections" : "closed",
    fix: open ? undefined : `open ${port}/tcp to viewers (the fallback when UDP is blocked)`,
  };
}

/** The settings rows: what the stack file says, checked without the network. */
function settings(cfg: StackConfig): Check[] {
  const udp = sfuUdpPorts(cfg.sfu.ports);
  const single = cfg.sfu.ports.udpMode === "single";
  const ip = cfg.sfu.nodeIp;
  const publicStun = ip.strategy === "stun" && ip.stunServers.length === 0;
  return [
    {
      name: single ? `UDP media port ${udp.start} (single-port mode)` : `UDP media range ${udp.start}-${udp.end}`,
      ok: true,
      figure:
        (single ? "every participant on one port" : `${rangeSize(udp)} ports, ${participantBudget(udp)} participants per node`) +
        " (probed only by a WebRTC join: lkstack viewer)",
    },
    {
      name: "node IP setting",
      ok: !publicStun,
      figure:
        ip.strategy === "static"
          ? `static ${ip.address}`
          : ip.strategy === "stun"
            ? `stun ${ip.stunServers.join(", ") || "(public servers)"}`
            : "hostIP (NODE_IP from the downward API)",
      fix: publicStun
        ? "public STUN is wrong on a CCTV LAN: use {strategy: static, address} or hostIP, or list your own stunServers"
        : undefined,
    },
  ];
}

async function ingressHealth(cfg: StackConfig, t: DoctorTargets, url: string): Promise<Check> {
  const name = `Ingress /health (${cfg.ingress.ports.health})`;
  try {
    const r = await get(`${url}/health`, t.timeoutMs);
    return {
      name,
      ok: r.status === 200,
      figure: `${r.status} ${r.body.trim()}`,
      fix: r.status === 200 ? undefined : "check the Ingress logs",
    };
  } catch (e) {
    return { name, ok: false, figure: why(e), fix: `is the Ingress running and ${url} reachable? (--ingress-url)` };
  }
}

async function turnAllocation(t: DoctorTargets, turn: { host: string; port: number }): Promise<Check> {
  const name = `TURN allocation (${turn.host}:${turn.port})`;
  if (!t.turnSecret) return { name, ok: false, figure: "no TURN secret", fix: "export TURN_SECRET (the stack output turnSecret)" };
  const c = turnRestCredentials(t.turnSecret, "lkstack-doctor");
  const r = await turnAllocate(turn.host, turn.port, c.username, c.password, t.timeoutMs);
  if (r.ok) return { name, ok: true, figure: `relayed address ${r.relayed ?? "?"}` };
  const fix = /401/.test(r.error ?? "")
    ? "the TURN secret does not match coturn's static-auth-secret"
    : `is coturn running and ${turn.port}/udp open? (--turn host:port)`;
  return { name, ok: false, figure: r.error ?? "failed", fix };
}

/** A certificate as viewers' browsers judge it: chain to a trusted root, the host name, the days left. */
async function certificate(what: string, t: DoctorTargets, e: { host: string; port: number; servername: string }): Promise<Check> {
  const name = `${what} certificate (${e.servername}:${e.port})`;
  try {
    const c = await inspectTls(e.host, e.port, e.servername, t.timeoutMs, t.tlsCa);
    const days = c.daysLeft ?? -1;
    const problems = [
      ...(c.chainOk ? [] : [`chain: ${c.chainError ?? "not trusted"}`]),
      ...(c.nameOk ? [] : [`name: ${c.nameError ?? "mismatch"}`]),
      ...(days >= DEFAULTS.edge.minCertDays ? [] : [`${days} days left`]),
    ];
    const figure = `issuer ${c.issuer ?? "?"}, serial ${c.serial ?? "?"}, ${days} days left`;
    if (problems.length === 0) return { name, ok: true, figure };
    return {
      name,
      ok: false,
      figure: `${problems.join("; ")} (${figure})`,
      fix: !c.chainOk
        ? "serve the full chain (leaf and intermediates) from a CA viewers trust"
        : !c.nameOk
          ? `the certificate must name ${e.servername} (subjectAltName: ${c.subjectAltName ?? "none"})`
          : `renew it: fewer than ${DEFAULTS.edge.minCertDays} days left (is cert-manager or your renewal job running?)`,
    };
  } catch (err) {
    return { name, ok: false, figure: why(err), fix: `is the TLS listener up and ${e.host}:${e.port} reachable?` };
  }
}

async function turnTlsAllocation(t: DoctorTargets, e: { host: string; port: number; servername: string }): Promise<Check> {
  const name = `TURN/TLS allocation (${e.servername}:${e.port})`;
  if (!t.turnSecret) return { name, ok: false, figure: "no TURN secret", fix: "export TURN_SECRET (the stack output turnSecret)" };
  const c = turnRestCredentials(t.turnSecret, "lkstack-doctor");
  const r = await turnAllocateTls(e.host, e.port, e.servername, c.username, c.password, t.timeoutMs, t.tlsCa);
  if (r.ok) return { name, ok: true, figure: `relayed address ${r.relayed ?? "?"} (certificate serial ${r.serial ?? "?"})` };
  return {
    name,
    ok: false,
    figure: r.error ?? "failed",
    fix: `is coturn serving TLS on ${e.port}/tcp with a certificate for ${e.servername}?`,
  };
}

async function valkey(t: DoctorTargets, v: { host: string; port: number }): Promise<Check> {
  const name = `Valkey PING (${v.host}:${v.port})`;
  try {
    const r = await valkeyPing(v.host, v.port, t.valkeyPassword, t.timeoutMs);
    if (r.ok) return { name, ok: true, figure: "PONG with the password" };
    const fix = t.valkeyPassword ? "the password is wrong" : "export VALKEY_PASSWORD (the stack output valkeyPassword)";
    return { name, ok: false, figure: r.refusal, fix };
  } catch (e) {
    return { name, ok: false, figure: why(e), fix: "is Valkey reachable from here? (--valkey host:port)" };
  }
}

export async function runDoctor(cfg: StackConfig, targets: DoctorTargets): Promise<Check[]> {
  const checks: Check[] = [];
  const t = await resolveTargets(targets, checks);
  if (!t) return checks;
  const host = new URL(t.livekitUrl).hostname;
  checks.push(await livekitRoot(cfg, t));
  checks.push(...(await livekitMetrics(cfg, t, host)));
  checks.push(await iceTcp(cfg, t, host));
  checks.push(...settings(cfg));
  if (t.ingressUrl) checks.push(await ingressHealth(cfg, t, t.ingressUrl));
  if (t.edge) checks.push(await certificate("signalling (wss://)", t, t.edge));
  if (t.turn) checks.push(await turnAllocation(t, t.turn));
  if (t.turnTls) checks.push(await certificate("TURN/TLS", t, t.turnTls), await turnTlsAllocation(t, t.turnTls));
  if (t.valkey) checks.push(await valkey(t, t.valkey));
  return checks;
}

export function formatChecks(checks: Check[]): string[] {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.flatMap((c) => [`${c.ok ? "✓" : "✗"} ${c.name.padEnd(width)}  ${c.figure}`, ...(c.fix ? [`    fix: ${c.fix}`] : [])]);
}
