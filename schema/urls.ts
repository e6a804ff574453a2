// Hand-written: no npm parser reproduces Go's net/url plus MediaMTX's own source checks; this
// splits a URL the way Go's url.Parse does and is held to the real Go code by
// test/conformance/urls.test.ts (test/helpers/urlcheck runs MediaMTX's own sequence).
import { isIPv4, isIPv6 } from "node:net";
import { isDnsName } from "./text";

/** \`http(s)://\` for LiveKit's server API; accepts the \`ws(s)://\` URL clients use. */
export function apiUrl(url: string): string {
  return url.replace(/^ws(s?):\/\//, "http$1://");
}

/** A refused URL: what is wrong and how to write it instead. */
export interface UrlProblem {
  problem: string;
  fix: string;
}

export interface ParsedUrl {
  scheme: string;
  /** Hostname without brackets. */
  host: string;
  port?: number;
  /** Path, query and all, exactly as written (may be empty). */
  rest: string;
}

/** Characters Go's url.Parse and WHATWG URL both keep verbatim: RFC 3986 unreserved, reserved and "%". */
const URL_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;

/** A host as the stack accepts it in a URL: a DNS name (253/63), an IPv4 address or a bracketed IPv6 one. */
function hostProblem(host: string): UrlProblem | undefined {
  if (host === "") return { problem: "the URL has no host", fix: "write scheme://host[:port]/path" };
  if (host.startsWith("[")) {
    // Unclosed, "[" starts a host without ":" (parseUrl's authority pattern), which no IPv6 address is.
    if (host.includes("%") || !isIPv6(host.slice(1, -1)))
      return { problem: `"${host}" is not a bracketed IPv6 address`, fix: "write [2001:db8::10] (no zone)" };
    return undefined;
  }
  if (isIPv4(host)) return undefined;
  if (!isDnsName(host) || /^[0-9.]+$/.test(host))
    return { problem: `"${host}" is not a host name or address`, fix: "use a DNS name (labels of letters, digits, -) or an IP address" };
  return undefined;
}

/**
 * Splits `scheme://authority[/path][?query]` the way Go's url.Parse does (authority up to the
 * first "/" or "?"), after refusing what the two parsers would read differently.
 */
export function parseUrl(raw: string, schemes: readonly string[]): ParsedUrl | UrlProblem {
  const shown = schemes.map((s) => `${s}://`).join(" or ");
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(raw);
  if (!m || !schemes.includes(m[1].toLowerCase())) return { problem: `not an ${shown} URL`, fix: `write ${shown}host[:port]/path` };
  if (!schemes.includes(m[1]))
    return { problem: `the scheme "${m[1]}" is not lower case, and the server matches it exactly`, fix: `write ${m[1].toLowerCase()}://` };
  if (!URL_CHARS.test(raw))
    return {
      problem: 'the URL holds a space, a control character, a non-ASCII character or one of "<>\\^`{|}',
      fix: "percent-encode it (a space is %20)",
    };
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) return { problem: 'a "%" is not followed by two hex digits', fix: 'write "%" itself as %25' };
  if (raw.includes("#"))
    return {
      problem: "the URL has a fragment (#), which is never sent to the server",
      fix: "drop it, or write # as %23 if it is part of the path",
    };
  const authorityEnd = m[2].search(/[/?]/);
  const authority = authorityEnd < 0 ? m[2] : m[2].slice(0, authorityEnd);
  const rest = m[2].slice(authority.length);
  if (authority.includes("@"))
    return {
      problem: "the URL carries credentials (user:password@), which would be stored in plain config",
      fix: "remove them from the URL",
    };
  const hp = /^(\[[^\]]*\]|[^:]*)(?::([0-9]*))?$/.exec(authority);
  if (!hp) return { problem: `"${authority}" is not host[:port]`, fix: "write host or host:port" };
  const bad = hostProblem(hp[1]);
  if (bad) return bad;
  let port: number | undefined;
  if (hp[2] !== undefined) {
    port = Number(hp[2]);
    // (Digits only, so Number() is exact; "" reads as 0.)
    if (port < 1 || port > 65535 || String(port) !== hp[2])
      return { problem: `port "${hp[2]}" is not a port number`, fix: "write a port from 1 to 65535 without leading zeros, or none" };
  }
  const host = hp[1].startsWith("[") ? hp[1].slice(1, -1) : hp[1];
  return { scheme: m[1], host, port, rest };
}

export function isUrlProblem(p: ParsedUrl | UrlProblem): p is UrlProblem {
  return "problem" in p;
}

export const CAMERA_SCHEMES = ["rtsp", "rtsps"] as const;

/**
 * A camera URL as MediaMTX v1.20.1 reads a path's `source`: chosen by a case-sensitive prefix
 * (internal/conf/path.go), parsed by Go's url.Parse, then by gortsplib's base.ParseURL (no
 * fragment, and an "@" anywhere before the last "/" counts as the end of credentials);
 * `$G1`…/`$MTX_QUERY` in it are substituted (internal/staticsources/handler.go).
 */
export function cameraUrlProblem(raw: string): UrlProblem | undefined {
  const p = parseUrl(raw, CAMERA_SCHEMES);
  if (isUrlProblem(p)) {
    if (p.problem.startsWith("the URL carries credentials"))
      return {
        problem: "the URL embeds credentials, which would land in plain config",
        fix: "remove them from the URL and set credentials: <name> with the secret object lkstack:cameraCredentials (pulumi config set --secret --path 'cameraCredentials.<name>.password' …)",
      };
    return p;
  }
  if (raw.includes("$")) return { problem: 'MediaMTX substitutes "$G1" and "$MTX_QUERY" in a source URL', fix: 'write "$" as %24' };
  if (p.rest.includes("@"))
    return {
      problem:
        'gortsplib (MediaMTX\'s RTSP client) reads an "@" after the host as the end of credentials and rewrites the "%" escapes after it',
      fix: 'write "@" in a path or query as %40',
    };
  return undefined;
}

/**
 * The camera URL MediaMTX pulls, with the camera's credentials percent-encoded into it (every
 * byte but RFC 3986 unreserved ones, so ":", "@", "/", "%" and "$" in a password stay data).
 */
export function cameraSourceUrl(raw: string, creds: { username: string; password: string } | undefined): string {
  if (!creds) return raw;
  const p = parseUrl(raw, CAMERA_SCHEMES);
  if (isUrlProblem(p)) throw new Error(`camera URL ${raw}: ${p.problem}`);
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const schemeEnd = raw.indexOf("://") + 3;
  return `${raw.slice(0, schemeEnd)}${enc(creds.username)}:${enc(creds.password)}@${raw.slice(schemeEnd)}`;
}

/** Query parameter names that carry a credential by convention. */
const CREDENTIAL_PARAM = /^(token|access_?token|auth|authorization|api_?key|key|secret|password|passwd|pass|pwd|sig|signature|code)$/i;

/**
 * A webhook URL for livekit.yaml (a public file: ConfigMap, backup, stack output). Refused when it
 * carries a credential (user:password@ or a token-like query parameter): LiveKit signs every
 * webhook with the API key, which is what a receiver should check instead.
 */
export function webhookUrlProblem(raw: string): UrlProblem | undefined {
  const p = parseUrl(raw, ["http", "https"]);
  const fix =
    "drop the credential from the URL and verify LiveKit's signature at the receiver (the Authorization header is a JWT signed with the API key; livekit-server-sdk's WebhookReceiver checks it)";
  if (isUrlProblem(p)) return p.problem.startsWith("the URL carries credentials") ? { problem: p.problem, fix } : p;
  // parseUrl has refused what WHATWG URL would read differently, so its query is the one Go sends.
  const names = [...new URL(raw).searchParams.keys()].filter((k) => CREDENTIAL_PARAM.test(k));
  if (names.length > 0)
    return {
      problem: `the query parameter ${names.map((n) => `"${n}"`).join(", ")} looks like a credential, and livekit.yaml is public`,
      fix,
    };
  return undefined;
}
