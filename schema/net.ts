// Hand-written, not ipaddr.js: it reads ::a.b.c.d as ::ffff:a.b.c.d and accepts zone ids (fe80::1%eth0), and a peer filter must mean what it says.
/**
 * IP and CIDR arithmetic without Node imports, so the schema stays pure.
 * coturn takes peer filters only as `IP` or `IP-IP` ranges (4.11+ aborts on CIDR), so the
 * schema accepts CIDRs and these helpers turn them into first-last ranges.
 */

export type IpFamily = 4 | 6;

export interface ParsedIp {
  family: IpFamily;
  value: bigint;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  // Number arithmetic (exact below 2^53), one BigInt at the end: a city's camera list parses
  // thousands of addresses per render.
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return BigInt(value);
}

function parseIpv6(text: string): bigint | undefined {
  // (Anything but hex groups and one IPv4 tail fails the group checks below, ":::" included.)
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const expand = (s: string): number[] | undefined => {
    if (s === "") return [];
    const groups: number[] = [];
    const items = s.split(":");
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item.includes(".")) {
        // An embedded IPv4 tail (e.g. ::ffff:10.0.0.1) counts as two groups.
        if (i !== items.length - 1) return undefined;
        const v4 = parseIpv4(item);
        if (v4 === undefined) return undefined;
        groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
        groups.push(parseInt(item, 16));
      }
    }
    return groups;
  };
  const head = expand(halves[0]);
  const tail = halves.length === 2 ? expand(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<number>(missing).fill(0), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export function parseIp(text: string): ParsedIp | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return { family: 6, value: v6 };
  return undefined;
}

export function isIp(text: string): boolean {
  return parseIp(text) !== undefined;
}

export interface Cidr {
  family: IpFamily;
  first: bigint;
  last: bigint;
  prefix: number;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

export function parseCidr(text: string): Cidr | undefined {
  const parts = text.split("/");
  if (parts.length > 2) return undefined;
  const [addr, prefixText] = parts;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const bits = BITS[ip.family];
  // Digits only: Number() would also read " 8", "8.0", "0x8" and "1e1".
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << hostBits) - 1n);
  const first = ip.value & mask;
  const last = first | ((1n << hostBits) - 1n);
  return { family: ip.family, first, last, prefix };
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String(Number((value >> s) & 0xffn))).join(".");
}

function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((value >> s) & 0xffffn));
  // Compress the longest run of zero groups (RFC 5952), as every server prints them.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  const left = hex.slice(0, bestStart).join(":");
  const right = hex.slice(bestStart + bestLen).join(":");
  return `${left}::${right}`;
}

export function formatIp(family: IpFamily, value: bigint): string {
  return family === 4 ? formatIpv4(value) : formatIpv6(value);
}

/** `10.0.0.0/8` → `10.0.0.0-10.255.255.255`; a single address stays a single address. */
export function cidrToRange(text: string): string {
  const c = parseCidr(text);
  if (!c) throw new Error(`not a CIDR: ${text}`);
  const first = formatIp(c.family, c.first);
  return c.first === c.last ? first : `${first}-${formatIp(c.family, c.last)}`;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.first <= inner.first && inner.last <= outer.last;
}

/**
 * The fewest CIDRs that cover exactly the given addresses, no more: runs of adjacent addresses
 * become aligned blocks (10.0.0.4 to 10.0.0.7 is 10.0.0.4/30). A camera subnet's egress rule then
 * stays a few dozen entries instead of one per camera (a NetworkPolicy with 50,000 /32s is over
 * etcd's request limit). IPv4 first, then IPv6, each in address order. Throws on a non-address.
 */
export function exactCidrs(addresses: readonly string[]): string[] {
  const out: string[] = [];
  const ips = addresses.map((a) => {
    const ip = parseIp(a);
    if (!ip) throw new Error(`not an IP address: ${a}`);
    return ip;
  });
  for (const family of [4, 6] as const) {
    const values = [...new Set(ips.filter((ip) => ip.family === family).map((ip) => ip.value))].sort((a, b) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    for (let i = 0; i < values.length;) {
      let j = i;
      while (j + 1 < values.length && values[j + 1] === values[j] + 1n) j++;
      out.push(...alignedBlocks(family, values[i], values[j]));
      i = j + 1;
    }
  }
  return out;
}

/** `first`..`last` as the largest aligned power-of-two blocks, in order. */
function alignedBlocks(family: IpFamily, first: bigint, last: bigint): string[] {
  const bits = BITS[family];
  const blocks: string[] = [];
  for (let start = first; start <= last;) {
    let hostBits = 0;
    // Grow the block while it stays aligned on `start` and ends within the run.
    while (hostBits < bits && start % (1n << BigInt(hostBits + 1)) === 0n && start + (1n << BigInt(hostBits + 1)) - 1n <= last) hostBits++;
    blocks.push(`${formatIp(family, start)}/${bits - hostBits}`);
    start += 1n << BigInt(hostBits);
  }
  return blocks;
}

/**
 * Peers a TURN relay must never reach by default: IANA special-purpose ranges, RFC 1918,
 * CGNAT, loopback, link-local, multicast and their IPv6 counterparts.
 */
export const DEFAULT_DENIED_PEERS: readonly string[] = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  // Not "::/128": coturn >= 4.9 lets an unspecified-address rule match every IPv4 peer, and it
  // already treats :: and ::1 as loopback (denied unless allow-loopback-peers).
  "::1/128",
  "64:ff9b::/96",
  "100::/64",
  "2001::/23",
  "2001:db8::/32",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
];
