/**
 * The one version table. Image tags and the test binaries are built from these values
 * (scripts/install-test-servers.sh reads `livekitServer` from this file), so a bump here
 * moves production images and conformance tests together.
 */
export const VERSIONS = {
  // v1.13.6+ add `replace` directives to go.mod, which `go install module@version` refuses;
  // v1.13.5 is the newest 1.13 release that builds from the module proxy as published.
  livekitServer: "v1.13.5",
  livekitIngress: "v1.5.0",
  // >= 4.13.1: CVE-2026-27624 (4.9.0), the ::ffff:127.0.0.1 loopback fix (4.13.0) and default
  // denial of link-local/ULA peers (4.13.1).
  coturn: "4.17.1",
  valkey: "9.1.1",
  mediamtx: "v1.20.1",
  /** The Docker target's TLS edge in front of the SFU's signalling port. */
  caddy: "2.10.2",
} as const;

export type Component = keyof typeof VERSIONS;

/** The stock runtime image the camera reconciler bundle runs on (no lkstack image is published). */
export const RECONCILER_IMAGE = "node:20-alpine";

/**
 * The passthrough publisher's own version (publisher/): the tag the program builds and pushes
 * (lkstack:publisher.build). Bump it with publisher/ (the test binary is cached by a content hash of
 * publisher/, scripts/build-go-servers.sh).
 */
export const PUBLISHER_VERSION = "0.1.0";

/** Tools the tests build with `go install` (scripts/install-test-servers.sh reads these too). */
export const TEST_TOOL_VERSIONS = {
  actionlint: "v1.7.12",
  // The engine suite (test/engine) runs the real Pulumi engine against a real API server; these
  // are built from the module proxy by scripts/build-go-servers.sh. The CLI is the oldest served
  // release newer than @pulumi/pulumi 3.270.0 (3.261-3.273 are not served); the SDK is now 3.276.0,
  // which speaks the same engine protocol (the engine suite passes with this pair).
  pulumiCli: "v3.274.1",
  // pulumi-kubernetes never tags provider/vX, so only this pseudo-version (= v4.25.0) is served.
  pulumiKubernetesProvider: "v4.0.0-20260115033456-f47bc2d6f199",
  // kube-apiserver and kube-controller-manager (garbage collector and namespace controllers only).
  kubernetes: "v1.34.2",
  // etcd's 3.6 series, which Kubernetes 1.34 is released against (Debian's etcd-server is 3.4).
  etcd: "v3.6.6",
  // The CRDs the prod stack's objects need (ServiceMonitor, PrometheusRule, Certificate), from the
  // manifests these releases publish in their Go module zips (the proxy serves these versions).
  prometheusOperatorCrds: "v0.85.0",
  certManagerCrds: "v1.19.1",
  // `bench/cli` renders the upstream livekit-server chart with it, side by side with `lkstack render`.
  helm: "v3.22.0",
} as const;

export const IMAGE_REPOSITORIES: Record<Component, string> = {
  livekitServer: "livekit/livekit-server",
  livekitIngress: "livekit/ingress",
  coturn: "coturn/coturn",
  valkey: "valkey/valkey",
  mediamtx: "bluenviron/mediamtx",
  caddy: "caddy",
};

/** MediaMTX publishes image tags without the leading "v"; the others keep the release name. */
export function imageTag(component: Component, version: string): string {
  return component === "mediamtx" ? version.replace(/^v/, "") : version;
}

/**
 * A version-table entry: a release (`v1.13.5`) or a release pinned to an image digest
 * (`v1.13.5@sha256:<64 hex>`, the digest of the image the stack runs). The release picks the key
 * allow-lists; the digest makes the pull immutable.
 */
export function splitVersion(entry: string): { release: string; digest?: string } {
  const m = /^(.*)@(sha256:[0-9a-f]{64})$/.exec(entry);
  return m ? { release: m[1], digest: m[2] } : { release: entry };
}

/** `repo:tag[variant][@sha256:…]`; with a digest the runtime pulls exactly that image. */
export function imageRef(component: Component, version: string, variant = ""): string {
  const { release, digest } = splitVersion(version);
  return `${IMAGE_REPOSITORIES[component]}:${imageTag(component, release)}${variant}${digest ? `@${digest}` : ""}`;
}

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
}

export function parseSemVer(version: string): SemVer | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function compareSemVer(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * Versions each renderer has an allow-list for. A version outside these ranges is refused,
 * because a strict server (LiveKit, MediaMTX) would refuse keys we cannot vouch for.
 */
export const SUPPORTED = {
  livekitServer: { series: "1.13", min: "1.13.0", max: "1.13.99" },
  livekitIngress: { series: "1.4-1.5", min: "1.4.0", max: "1.5.99" },
  coturn: { series: ">=4.13.1", min: "4.13.1", max: "4.99.99" },
  valkey: { series: "7.2-9.x", min: "7.2.0", max: "9.99.99" },
  mediamtx: { series: "1.20", min: "1.20.0", max: "1.20.99" },
  caddy: { series: "2.x", min: "2.6.0", max: "2.99.99" },
} as const satisfies Record<Component, { series: string; min: string; max: string }>;

export function isSupported(component: Component, version: string): boolean {
  const v = parseSemVer(splitVersion(version).release);
  const min = parseSemVer(SUPPORTED[component].min);
  const max = parseSemVer(SUPPORTED[component].max);
  if (!v || !min || !max) return false;
  return compareSemVer(v, min) >= 0 && compareSemVer(v, max) <= 0;
}
