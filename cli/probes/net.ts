import { lookup } from "node:dns/promises";
import { connect } from "node:net";

/** An HTTP GET with a deadline: status, body and how long it took. */
export async function get(
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; ms: number }> {
  const t = Date.now();
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text(), ms: Date.now() - t };
}

/** The short reason a probe failed: fetch hides the socket's code (ECONNREFUSED) in its cause. */
export function why(e: unknown): string {
  if (typeof e === "object" && e !== null && "cause" in e && typeof e.cause === "object" && e.cause !== null && "code" in e.cause)
    return String(e.cause.code);
  return e instanceof Error ? e.message : String(e);
}

/** Whether a TCP connection to host:port opens within the deadline. */
export function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
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

/** Why `host` does not resolve (e.g. ENOTFOUND), or undefined when it does. */
export async function unresolvable(host: string): Promise<string | undefined> {
  try {
    await lookup(host.replace(/^\[|\]$/g, ""));
    return undefined;
  } catch (e) {
    return typeof e === "object" && e !== null && "code" in e ? String(e.code) : why(e);
  }
}
