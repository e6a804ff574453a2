// Hand-written: doctor sums three counters; a parser of the whole exposition format
// (parse-prometheus-text-format, untyped) would add a dependency to replace a ten-line loop.
import { METRICS_USERNAME } from "../../schema";
import { get } from "./net";

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

/**
 * GETs a Prometheus endpoint, with basic auth as METRICS_USERNAME whenever a password is given
 * (the SFU's port asks for it).
 */
export function scrape(url: string, password: string | undefined, timeoutMs: number): ReturnType<typeof get> {
  const auth = password ? { authorization: `Basic ${Buffer.from(`${METRICS_USERNAME}:${password}`).toString("base64")}` } : undefined;
  return get(url, timeoutMs, auth);
}
