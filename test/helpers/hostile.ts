import fc from "fast-check";
import type { z } from "zod";
import { DEFAULT_DENIED_PEERS, forbiddenChar, stackObjectSchema, type StackConfigInput, type ZodDefView } from "../../schema";

/** A path segment: object key, `0` for an array element, `{key}` for a record's key, `*` for its value. */
export type Seg = string | number;
export const RECORD_KEY = "{key}";
export const RECORD_VALUE = "*";

/**
 * Every path in the stack schema where the operator types a free string (enums and literals are
 * closed sets, so they are not leaves). Walking the schema means a new string setting is covered
 * by the property test the day it is added.
 */
export function stringLeaves(t: z.core.$ZodType = stackObjectSchema, path: Seg[] = []): Seg[][] {
  const def = t._zod.def as unknown as ZodDefView;
  switch (def.type) {
    case "string":
      return [path];
    case "object":
      return Object.entries(def.shape ?? {}).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
    case "array":
      return def.element ? stringLeaves(def.element, [...path, 0]) : [];
    case "record":
      return [
        ...(def.keyType ? stringLeaves(def.keyType, [...path, RECORD_KEY]) : []),
        ...(def.valueType ? stringLeaves(def.valueType, [...path, RECORD_VALUE]) : []),
      ];
    case "union": {
      const all = (def.options ?? []).flatMap((o) => stringLeaves(o, path));
      return [...new Map(all.map((p) => [p.join("."), p])).values()];
    }
    case "pipe":
      return def.in ? stringLeaves(def.in, path) : [];
    default:
      return def.innerType ? stringLeaves(def.innerType, path) : [];
  }
}

/** A base config (kubernetes, every optional string present) that the schema accepts. */
export function richBase(): Record<string, unknown> {
  return {
    target: "kubernetes",
    versions: { livekitServer: "v1.13.5", livekitIngress: "v1.5.0", coturn: "4.17.1", valkey: "9.1.1", mediamtx: "v1.20.1" },
    kubernetes: {
      namespace: "lkstack",
      nodeSelector: { "example.org/pool": "media" },
      zoneTopologyKey: "topology.kubernetes.io/zone",
      nodeCidrs: ["10.20.0.0/24"],
      storageClass: "fast-ssd",
      valkeyStorage: "8Gi",
      monitoring: { namespace: "monitoring", labels: { release: "prom" } },
      dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, cidrs: ["169.254.20.10/32"] },
    },
    docker: { subnet: "172.30.42.0/24" },
    sfu: {
      nodeIp: { strategy: "static", address: "10.20.0.5" },
      resources: { requests: { cpu: "2", memory: "3Gi" }, limits: { cpu: "4", memory: "4Gi" } },
    },
    mediamtx: { resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } } },
    webhook: { urls: ["https://hooks.example.org/livekit"] },
    ingress: { resources: { requests: { cpu: "4", memory: "2Gi" }, limits: { cpu: "8", memory: "4Gi" } } },
    turn: {
      domain: "turn.example.org",
      realm: "turn.example.org",
      externalIp: "203.0.113.10",
      privateIp: "10.20.0.6",
      listeningIps: ["10.20.0.6"],
      relayIps: ["10.20.0.6"],
      tls: { enabled: true, certificate: { secretName: "turn-tls" } },
      allowedPeers: ["10.20.0.0/24"],
      deniedPeers: [...DEFAULT_DENIED_PEERS, "198.51.100.7/32"],
      resources: { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    },
    valkey: {
      mode: "sentinel",
      maxmemory: "768mb",
      sentinel: { masterName: "lkstack" },
      resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
    },
    cameras: [
      {
        id: "3f2b8c1e-9d4a-4e6b-8f1a-2c5d7e9a0b13",
        name: "gate-1",
        rtsp: "rtsp://10.30.1.11:554",
        credentials: "corridor-a",
        // Passthrough: every stream path is a free-text leaf that reaches mediamtx.yml.
        streams: {
          high: { path: "/Streaming/Channels/101", width: 1920, height: 1080, bitrateKbps: 4000 },
          medium: { path: "/Streaming/Channels/103", width: 1280, height: 720, bitrateKbps: 1500 },
          low: { path: "/Streaming/Channels/102", width: 640, height: 360, bitrateKbps: 500 },
        },
      },
      { id: "5a1c2e3f-4b5d-4c6e-8f70-81a2b3c4d5e6", name: "gate-2", rtsp: "rtsp://10.30.1.12:554/Streaming/Channels/101" },
    ],
    publisher: {
      image: "registry.example.org/cctv/lkstack-publisher:0.1.0",
      resources: { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    },
  };
}

/** The base for a leaf: the rich one, switched to the union option or target the leaf lives under. */
export function baseFor(leaf: Seg[]): Record<string, unknown> {
  const b = richBase() as {
    target: string;
    sfu: Record<string, unknown>;
    turn: Record<string, unknown>;
    valkey: Record<string, unknown>;
    publisher: Record<string, unknown>;
  };
  const key = leaf.join(".");
  if (key.includes("certFile") || key.includes("keyFile")) {
    b.target = "docker";
    b.valkey = { maxmemory: "768mb" };
    b.sfu = { nodeIp: { strategy: "static", address: "172.30.42.1" } };
    b.turn = { ...b.turn, tls: { enabled: true, certificate: { certFile: "/etc/lkstack/cert.pem", keyFile: "/etc/lkstack/key.pem" } } };
    b.turn.allowedPeers = ["172.30.42.1/32"];
  }
  if (key.includes("issuer")) b.turn = { ...b.turn, tls: { enabled: true, certificate: { issuer: { name: "letsencrypt" } } } };
  if (key.startsWith("publisher.build")) b.publisher = { build: { repository: "registry.example.org/cctv/lkstack-publisher" } };
  if (key.includes("stunServers")) b.sfu = { ...b.sfu, nodeIp: { strategy: "stun", stunServers: ["stun.example.org:3478"] } };
  return b as Record<string, unknown>;
}

/** The concrete path of a leaf (record segments become the base's own key) and its base value. */
export function concrete(base: Record<string, unknown>, leaf: Seg[]): { path: Seg[]; value: string } {
  const path: Seg[] = [];
  let node: unknown = base;
  for (const seg of leaf) {
    const obj = node as Record<string, unknown>;
    if (seg === RECORD_KEY) {
      const k = Object.keys(obj)[0];
      path.push(RECORD_KEY);
      return { path, value: k };
    }
    const s = seg === RECORD_VALUE ? Object.keys(obj)[0] : seg;
    path.push(s);
    node = obj[s as string];
  }
  return { path, value: String(node) };
}

/** `base` with the leaf set to `value` (a record key is renamed, keeping its value). */
export function withValue(base: Record<string, unknown>, path: Seg[], value: string): StackConfigInput {
  const copy = structuredClone(base);
  let node = copy as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) node = node[path[i] as string] as Record<string, unknown>;
  const last = path[path.length - 1];
  if (last === RECORD_KEY) {
    const [[, v], ...rest] = Object.entries(node);
    const renamed = Object.fromEntries([[value, v], ...rest]);
    const parent = path.slice(0, -2).reduce<Record<string, unknown>>((o, k) => o[k as string] as Record<string, unknown>, copy);
    parent[path[path.length - 2] as string] = renamed;
  } else node[last as string] = value;
  return copy as StackConfigInput;
}

/** The `lkstack:` spelling of a concrete path (record keys by the value put there). */
export function configPathOf(path: Seg[], value: string): string {
  // A key with a control character is named JSON-escaped (schema/text.ts), so the error stays one line.
  const segs = path.map((s) => (s === RECORD_KEY ? (forbiddenChar(value) ? JSON.stringify(value) : value) : s));
  let out = `lkstack:${String(segs[0])}`;
  for (const s of segs.slice(1)) out += typeof s === "number" ? `[${s}]` : `.${s}`;
  return out;
}

/** What a hostile or careless operator types: line breaks, comment and separator characters, quotes, very long, unicode. */
const SPECIALS = [
  "\n",
  "\r",
  "\r\n",
  "\u0000",
  "\t",
  "\u0085",
  "\u2028",
  "\u2029",
  "\ufeff",
  "\u001b[31m",
  "#",
  " #",
  "=",
  " = ",
  '"',
  "'",
  "\\",
  "\\n",
  " ",
  ":",
  ": x",
  "- ",
  "{",
  "}",
  "[",
  "&a",
  "*a",
  "!!str ",
  "%",
  "@",
  "`",
  "$(id)",
  "${HOME}",
  ";",
  ",",
  "/",
  "..",
  "é",
  "日本",
  "\ud83d\ude00",
  "\ud800",
  "\nno-multicast-peers\nallowed-peer-ip=0.0.0.0-255.255.255.255",
  "\nstatic-auth-secret=attacker",
  "\nrequirepass ''",
];

export function hostileFor(base: string): fc.Arbitrary<string> {
  const special = fc.constantFrom(...SPECIALS);
  return fc.oneof(
    // One special character (or injection) at any position of a value the schema otherwise accepts.
    fc.tuple(special, fc.nat({ max: base.length })).map(([s, at]) => base.slice(0, at) + s + base.slice(at)),
    fc.tuple(special, special).map(([a, b]) => a + base + b),
    fc.constantFrom(...SPECIALS),
    fc.constantFrom("", " ", "x".repeat(64), "a".repeat(254), "a".repeat(1100), "é".repeat(600), `${base}.${"a".repeat(64)}`),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
  );
}
