import { lookup } from "node:dns/promises";
import { connect } from "node:net";
import { METRICS_USERNAME, participantBudget, rangeSize, SECRET_ENV, topology, type StackConfig } from "../schema";
import { respCommandAt } from "./resp";
import { turnAllocate, turnRestCredentials } from "./turn";

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
  return {
    livekitUrl,
    ingressUrl: cfg.ingress.enabled ? (flags.ingressUrl ?? `http://${host}:${cfg.ingress.ports.health}`).replace(/\/$/, "") : undefined,
    turn: cfg.turn.enabled ? hostPort(flags.turn ?? cfg.turn.domain, cfg.turn.ports.listening) : undefined,
    valkey: hostPort(flags.valkey ?? topology(cfg).valkeyHost, cfg.valkey.port),
    turnSecret: env[SECRET_ENV.turnSecret],
    valkeyPassword: env[SECRET_ENV.valkeyPassword],
    metricsPassword: env[SECRET_ENV.metricsPassword],
    timeoutMs: 4000,
  };
}

async function get(
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; ms: number }> {
  const t = Date.now();
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text(), ms: Date.now() - t };
}

function why(e: unknown): string {
  if (typeof e === "object" && e !== null && "cause" in e && typeof e.cause === "object" && e.cause !== null && "code" in e.cause)
    return String(e.cause.code);
  return e instanceof Error ? e.message : String(e);
}

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      resolve(false);
    });
    s.once("connect", () => {
      s.end();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Sums every sample of a Prometheus counter in a text exposition. */
export function metricSum(body: string, name: string): number {
  let sum = 0;
  for (const line of body.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== "{" && rest[0] !== " ") continue;
    const value = Number(line.trim().split(/\s+/).pop());
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** The seed's NACK guidance as a threshold: more than 2 % of packets retransmitted means loss. */
export const NACK_RATIO_LIMIT = 0.02;

/** Why `host` does not resolve (e.g. ENOTFOUND), or undefined when it does. */
async function unresolvable(host: string): Promise<string | undefined> {
  try {
    await lookup(host.replace(/^\[|\]$/g, ""));
    return undefined;
  } catch (e) {
    return typeof e === "object" && e !== null && "code" in e ? String(e.code) : why(e);
  }
}

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
    ...(t.turn ? [{ host: t.turn.host, flag: "--turn host:port", drop: (x: DoctorTargets) => ({ ...x, turn: undefined }) }] : []),
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

export async function runDoctor(cfg: StackConfig, targets: DoctorTargets): Promise<Check[]> {
  const checks: Check[] = [];
  const resolved = await resolveTargets(targets, checks);
  if (!resolved) return checks;
  const t = resolved;
  const host = new URL(t.livekitUrl).hostname;
  try {
    const r = await get(`${t.livekitUrl}/`, t.timeoutMs);
    checks.push(
      r.status === 200
        ? { name: `LiveKit GET / (${cfg.sfu.ports.http})`, ok: true, figure: `200 ${r.body.trim()} in ${r.ms} ms` }
        : {
            name: `LiveKit GET / (${cfg.sfu.ports.http})`,
            ok: false,
            figure: `${r.status} ${r.body.trim()}`,
            fix: r.status === 406 ? "the node's stats are stale: check Valkey is reachable from the SFU" : "check the SFU logs",
          },
    );
  } catch (e) {
    checks.push({
      name: `LiveKit GET / (${cfg.sfu.ports.http})`,
      ok: false,
      figure: why(e),
      fix: `is livekit-server running and ${t.livekitUrl} reachable?`,
    });
  }
  try {
    // The port asks for basic auth (prometheus.username/password): send it whenever we have the password.
    const auth = t.metricsPassword
      ? { authorization: `Basic ${Buffer.from(`${METRICS_USERNAME}:${t.metricsPassword}`).toString("base64")}` }
      : undefined;
    const r = await get(`http://${host}:${cfg.sfu.ports.metrics}/metrics`, t.timeoutMs, auth);
    const ok = r.status === 200 && /^livekit_/m.test(r.body);
    const name = `LiveKit metrics (${cfg.sfu.ports.metrics})`;
    if (ok)
      checks.push({
        name,
        ok,
        figure: `rooms ${metricSum(r.body, "livekit_room_total")}, participants ${metricSum(r.body, "livekit_participant_total")}`,
      });
    else if (r.status === 401)
      checks.push(
        auth
          ? {
              name,
              ok,
              figure: `HTTP 401: basic auth as ${METRICS_USERNAME} refused`,
              fix: `the metrics password does not match the SFU's; export ${SECRET_ENV.metricsPassword} from the stack output metricsPassword`,
            }
          : {
              name,
              ok,
              figure: "HTTP 401: the port asks for basic auth and no password was given",
              fix: `export ${SECRET_ENV.metricsPassword} (the stack output metricsPassword)`,
            },
      );
    else
      checks.push({
        name,
        ok,
        figure: `HTTP ${r.status}`,
        fix: "set prometheus.port in livekit.yaml (lkstack renders it) and open the port to your monitoring",
      });
    if (ok) {
      const nacks = metricSum(r.body, "livekit_nack_total");
      const packets = metricSum(r.body, "livekit_packet_total");
      const ratio = packets > 0 ? nacks / packets : 0;
      checks.push({
        name: "NACK rate",
        ok: ratio <= NACK_RATIO_LIMIT,
        figure: `${nacks} NACKs / ${packets} packets (${(ratio * 100).toFixed(2)} %)`,
        fix:
          ratio <= NACK_RATIO_LIMIT
            ? undefined
            : "packet loss between SFU and viewers: check the network, the UDP range, or subscribe a lower layer",
      });
    }
  } catch (e) {
    checks.push({
      name: `LiveKit metrics (${cfg.sfu.ports.metrics})`,
      ok: false,
      figure: why(e),
      fix: "open the metrics port to this host",
    });
  }
  const tcp = await tcpOpen(host, cfg.sfu.ports.rtcTcp, t.timeoutMs);
  checks.push({
    name: `ICE over TCP (${cfg.sfu.ports.rtcTcp})`,
    ok: tcp,
    figure: tcp ? "accepts connections" : "closed",
    fix: tcp ? undefined : `open ${cfg.sfu.ports.rtcTcp}/tcp to viewers (the fallback when UDP is blocked)`,
  });
  const udp = cfg.sfu.ports.udp;
  checks.push({
    name: `UDP media range ${udp.start}-${udp.end}`,
    ok: true,
    figure: `${rangeSize(udp)} ports, ${participantBudget(udp)} participants per node (probed only by a WebRTC join: lkstack viewer)`,
  });
  const ip = cfg.sfu.nodeIp;
  const publicStun = ip.strategy === "stun" && ip.stunServers.length === 0;
  checks.push({
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
  });
  if (t.ingressUrl)
    try {
      const r = await get(`${t.ingressUrl}/health`, t.timeoutMs);
      checks.push({
        name: `Ingress /health (${cfg.ingress.ports.health})`,
        ok: r.status === 200,
        figure: `${r.status} ${r.body.trim()}`,
        fix: r.status === 200 ? undefined : "check the Ingress logs",
      });
    } catch (e) {
      checks.push({
        name: `Ingress /health (${cfg.ingress.ports.health})`,
        ok: false,
        figure: why(e),
        fix: `is the Ingress running and ${t.ingressUrl} reachable? (--ingress-url)`,
      });
    }
  if (t.turn) {
    const name = `TURN allocation (${t.turn.host}:${t.turn.port})`;
    if (!t.turnSecret) checks.push({ name, ok: false, figure: "no TURN secret", fix: "export TURN_SECRET (the stack output turnSecret)" });
    else {
      const c = turnRestCredentials(t.turnSecret, "lkstack-doctor");
      const r = await turnAllocate(t.turn.host, t.turn.port, c.username, c.password, t.timeoutMs);
      checks.push(
        r.ok
          ? { name, ok: true, figure: `relayed address ${r.relayed ?? "?"}` }
          : {
              name,
              ok: false,
              figure: r.error ?? "failed",
              fix: /401/.test(r.error ?? "")
                ? "the TURN secret does not match coturn's static-auth-secret"
                : `is coturn running and ${t.turn.port}/udp open? (--turn host:port)`,
            },
      );
    }
  }
  if (!t.valkey) return checks;
  const vname = `Valkey PING (${t.valkey.host}:${t.valkey.port})`;
  try {
    const cmds = t.valkeyPassword ? [["AUTH", t.valkeyPassword], ["PING"]] : [["PING"]];
    const replies = await respCommandAt(t.valkey.host, t.valkey.port, t.timeoutMs, ...cmds);
    const pong = replies[replies.length - 1];
    checks.push(
      pong === "+PONG"
        ? { name: vname, ok: true, figure: "PONG with the password" }
        : {
            name: vname,
            ok: false,
            figure: replies.join(" "),
            fix: t.valkeyPassword ? "the password is wrong" : "export VALKEY_PASSWORD (the stack output valkeyPassword)",
          },
    );
  } catch (e) {
    checks.push({ name: vname, ok: false, figure: why(e), fix: "is Valkey reachable from here? (--valkey host:port)" });
  }
  return checks;
}

export function formatChecks(checks: Check[]): string[] {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.flatMap((c) => [`${c.ok ? "✓" : "✗"} ${c.name.padEnd(width)}  ${c.figure}`, ...(c.fix ? [`    fix: ${c.fix}`] : [])]);
}
