import { z } from "zod";
import type { ConfigProblem } from "./errors";

/**
 * What a string may be before it reaches any rendered file: the character rules every value obeys,
 * and the real bounds of the names servers and Kubernetes read. Hand-written (no library checks
 * these exact sets): each rule cites the reader it comes from.
 */

/**
 * Characters no value may hold: C0 controls (CR, LF, NUL, TAB…), DEL, C1 controls (incl. NEL
 * U+0085), the Unicode line and paragraph separators (YAML 1.1 and JavaScript treat them as line
 * breaks), the byte-order mark, and lone UTF-16 surrogates (not encodable as UTF-8).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first forbidden character of `s`, as `U+000A`, or undefined when there is none. */
export function forbiddenChar(s: string): string | undefined {
  const m = FORBIDDEN.exec(s);
  if (!m) return undefined;
  return `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Whether any string value or key holds a forbidden character or a key is __proto__: a walk that builds no paths. */
function anyUnsafe(raw: unknown): boolean {
  if (typeof raw === "string") return FORBIDDEN.test(raw);
  if (Array.isArray(raw)) return raw.some(anyUnsafe);
  if (typeof raw === "object" && raw !== null)
    return Object.entries(raw).some(([k, v]) => k === "__proto__" || FORBIDDEN.test(k) || anyUnsafe(v));
  return false;
}

/** Every string value and key in raw stack input that holds a forbidden character, with its path. */
export function controlCharProblems(raw: unknown): ConfigProblem[] {
  // The paths are built only for input that has a problem: a city's camera list is clean and long.
  return anyUnsafe(raw) ? problemsAt(raw, []) : [];
}

function problemsAt(raw: unknown, path: PropertyKey[]): ConfigProblem[] {
  const fix = "remove control characters, line breaks and U+2028/U+2029 from the value (every value renders on one line)";
  if (typeof raw === "string") {
    const ch = forbiddenChar(raw);
    return ch ? [{ path, problem: `the value contains the control character ${ch}`, fix }] : [];
  }
  if (Array.isArray(raw)) return raw.flatMap((v, i) => problemsAt(v, [...path, i]));
  if (typeof raw === "object" && raw !== null)
    return Object.entries(raw).flatMap(([k, v]) => {
      const ch = forbiddenChar(k);
      // The key is shown JSON-escaped: the error itself must not carry the line break.
      if (ch) return [{ path: [...path, JSON.stringify(k)], problem: `the key contains the control character ${ch}`, fix }];
      // A parsed record silently drops this key (it names the object's prototype): refuse, never lose it.
      if (k === "__proto__") return [{ path: [...path, k], problem: "the key __proto__ cannot be used", fix: "rename or remove the key" }];
      return problemsAt(v, [...path, k]);
    });
  return [];
}

/** UTF-8 length: what a C reader's buffer counts. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

const LDH_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** RFC 1035 host name: at most 253 characters, labels of 1-63 letters, digits and inner hyphens. */
export function isDnsName(s: string): boolean {
  return s.length <= 253 && s.split(".").every((l) => LDH_LABEL.test(l));
}

/** A string rule whose issue carries its fix (errors.ts prints both). */
function rule(test: (s: string) => boolean, message: string, fix: string) {
  return z.string().refine(test, { message, params: { fix } });
}

export const dnsName = rule(
  isDnsName,
  "not a DNS name (at most 253 characters, labels of 1-63 letters, digits and inner hyphens)",
  'use a host name such as "turn.example.org"',
);

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes DNS-1123 label (namespaces): 1-63 lowercase alphanumerics and inner hyphens. */
export const k8sLabelName = rule(
  (s) => DNS1123_LABEL.test(s),
  "not a Kubernetes DNS-1123 label (1-63 lowercase letters, digits and inner hyphens)",
  'use e.g. "lkstack"',
);

/** Kubernetes DNS-1123 subdomain (Secrets, StorageClasses, Issuers): at most 253 characters. */
export const k8sObjectName = rule(
  (s) => s.length <= 253 && DNS1123_SUBDOMAIN.test(s),
  "not a Kubernetes object name (DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.')",
  'use e.g. "turn-example-tls"',
);

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Kubernetes label key: optional DNS-subdomain prefix (at most 253) + `/` + name (1-63). */
export function isLabelKey(s: string): boolean {
  const slash = s.lastIndexOf("/");
  const [prefix, name] = slash < 0 ? [undefined, s] : [s.slice(0, slash), s.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return false;
  return LABEL_NAME.test(name);
}

export const labelKey = rule(
  isLabelKey,
  "not a Kubernetes label key ([prefix/]name, name 1-63 alphanumerics, '-', '_', '.')",
  'use e.g. "topology.kubernetes.io/zone"',
);

/** Kubernetes label value: empty, or 1-63 alphanumerics, '-', '_', '.' starting and ending alphanumeric. */
export const labelValue = rule(
  (s) => s === "" || LABEL_NAME.test(s),
  "not a Kubernetes label value (at most 63 alphanumerics, '-', '_', '.', starting and ending alphanumeric)",
  'use e.g. "prometheus"',
);

/** An absolute host path Docker can bind-mount with `-v src:dst:ro` (no ':' or ',' separators). */
export const hostPath = rule(
  (p) => p.length <= 4095 && /^\/[A-Za-z0-9._@+/-]*$/.test(p) && !p.split("/").includes(".."),
  "not a normalized absolute path of letters, digits and . _ @ + - / (at most 4095 characters)",
  'use e.g. "/etc/lkstack/turn/cert.pem"',
);

/** uint32 / int32 fields (LiveKit's protobuf and Go config types): the wire bound, not JS's 2^53. */
export const UINT32_MAX = 0xffffffff;
export const INT32_MAX = 0x7fffffff;
export const uint32 = z.number().int().min(0).max(UINT32_MAX);
export const int32 = z.number().int().min(-0x80000000).max(INT32_MAX);
