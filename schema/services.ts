import type { FileLayout } from "./layout";
import { imageRef, type Component } from "./versions";

/**
 * The stack's services, one row each; every layer reads them from here: object and container
 * names, the image (a row of the version table), the uid the process runs as, the part of the
 * file layout it mounts, and which rendered material it runs.
 *
 * The key is the service's id everywhere a service is named (labels, components, Docker specs,
 * type tokens), in the rendered stack and in the file layout. `rendered` and `layout` differ
 * from the id for Sentinel only: it runs Valkey's material and mounts Valkey's files.
 */
export const SERVICES = {
  sfu: {
    name: "lkstack-sfu",
    display: "LiveKit SFU",
    image: "livekitServer",
    uid: 1000,
    rendered: "sfu",
    layout: "sfu",
    token: "Sfu",
  },
  ingress: {
    name: "lkstack-ingress",
    display: "LiveKit Ingress",
    image: "livekitIngress",
    uid: 1000,
    rendered: "ingress",
    layout: "ingress",
    token: "Ingress",
  },
  turn: { name: "lkstack-turn", display: "coturn", image: "coturn", uid: 65534, rendered: "turn", layout: "turn", token: "Turn" },
  valkey: { name: "lkstack-valkey", display: "Valkey", image: "valkey", uid: 999, rendered: "valkey", layout: "valkey", token: "Valkey" },
  sentinel: {
    name: "lkstack-valkey-sentinel",
    display: "Valkey Sentinel",
    image: "valkey",
    uid: 999,
    rendered: "valkey",
    layout: "valkey",
    // Part of the Valkey component (same Secret and config).
    token: "Valkey",
  },
  mediamtx: {
    name: "lkstack-mediamtx",
    display: "MediaMTX",
    image: "mediamtx",
    uid: 65534,
    rendered: "mediamtx",
    layout: "mediamtx",
    token: "MediaMtx",
  },
  // The reconciler runs on a stock Node image (RECONCILER_IMAGE), not a versioned component.
  cameras: {
    name: "lkstack-cameras",
    display: "camera reconciler",
    image: undefined,
    uid: 1000,
    rendered: "cameras",
    layout: "cameras",
    token: "Cameras",
  },
  // Built from publisher/Dockerfile (lkstack:publisher): not a row of the version table.
  publisher: {
    name: "lkstack-publisher",
    display: "passthrough publisher",
    image: undefined,
    uid: 65532,
    rendered: "publisher",
    layout: "publisher",
    token: "Publisher",
  },
} as const satisfies Record<string, ServiceRow>;

export interface ServiceRow {
  /** Kubernetes object and Docker container/service name. */
  name: string;
  /** For people: logs, doctor rows, docs. */
  display: string;
  /** Its row in the version table, whose version and repository make the image. */
  image: Component | undefined;
  /** The uid (and gid) the process runs as; secret files belong to it. */
  uid: number;
  /** Its material's key in the rendered stack. */
  rendered: "sfu" | "ingress" | "turn" | "valkey" | "mediamtx" | "cameras" | "publisher";
  /** Where its files sit, per the file layout. */
  layout: keyof FileLayout;
  /** The last part of its component's type token (`lkstack:k8s:Sfu`, `lkstack:docker:Sfu`). */
  token: string;
}

export type ServiceId = keyof typeof SERVICES;

/** Object and container name per service. */
export const SERVICE_NAMES = Object.fromEntries(Object.entries(SERVICES).map(([id, row]) => [id, row.name])) as {
  readonly [S in ServiceId]: (typeof SERVICES)[S]["name"];
};

/** Which service runs each rendered material (Sentinel runs Valkey's but is not its owner). */
export const RENDERED_BY = Object.fromEntries(
  Object.entries(SERVICES)
    .filter(([id]) => id !== "sentinel")
    .map(([id, row]) => [row.rendered, id]),
) as Record<ServiceRow["rendered"], Exclude<ServiceId, "sentinel">>;

/** The image of a service at the config's pinned version (`variant`: MediaMTX's `-ffmpeg`). */
export function serviceImage(versions: Record<Component, string>, id: Exclude<ServiceId, "cameras" | "publisher">, variant = ""): string {
  return imageRef(SERVICES[id].image, versions[SERVICES[id].image], variant);
}
