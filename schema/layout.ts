/**
 * Where each rendered file sits inside its container. Templates reference these paths (key_file,
 * include, cert), components mount files there, and conformance tests point the same layout at a
 * temporary directory with `layoutUnder`.
 */
export interface FileLayout {
  sfu: { config: string; keyFile: string; turnSecretFile: string };
  ingress: { config: string };
  turn: { config: string; authFragment: string; runtimeConfig: string; tlsCert: string; tlsKey: string; pidFile: string };
  valkey: { config: string; authInclude: string; dataDir: string; sentinelConfig: string; sentinelAuth: string; sentinelRuntime: string };
  mediamtx: { config: string; partsDir: string };
  cameras: { code: string; ingressesDir: string };
  publisher: { camerasDir: string };
}

export const CONTAINER_LAYOUT: FileLayout = {
  sfu: {
    config: "/etc/livekit/livekit.yaml",
    keyFile: "/etc/livekit/secret/keys.yaml",
    turnSecretFile: "/etc/livekit/secret/turn-secret",
  },
  ingress: { config: "/etc/livekit-ingress/livekit-ingress.yaml" },
  turn: {
    config: "/etc/coturn/turnserver.conf",
    authFragment: "/etc/coturn/secret/auth.conf",
    // coturn cannot include files: the start command joins config and secret on a tmpfs.
    runtimeConfig: "/var/tmp/turnserver.conf",
    tlsCert: "/etc/coturn/tls/tls.crt",
    tlsKey: "/etc/coturn/tls/tls.key",
    pidFile: "/var/tmp/turnserver.pid",
  },
  valkey: {
    config: "/etc/valkey/valkey.conf",
    authInclude: "/etc/valkey/secret/auth.conf",
    dataDir: "/data",
    sentinelConfig: "/etc/valkey/sentinel.conf",
    sentinelAuth: "/etc/valkey/secret/sentinel-auth.conf",
    // Sentinel rewrites its own file, so it runs from a writable copy rebuilt at every start.
    sentinelRuntime: "/data/sentinel.conf",
  },
  mediamtx: {
    // MediaMTX reads one file and has no include: its Secret-held parts (partsDir) are joined into
    // this file on a memory volume before it starts.
    config: "/run/mediamtx/mediamtx.yml",
    partsDir: "/etc/mediamtx",
  },
  // The desired ingresses come in chunks (cameras-000.json, …), all in one directory.
  cameras: { code: "/opt/lkstack/reconciler.js", ingressesDir: "/etc/lkstack/cameras" },
  // The passthrough cameras come in chunks (publish-000.json, …), all in one directory.
  publisher: { camerasDir: "/etc/lkstack/publish" },
};

/** The same layout rooted at `dir` (for tests and `lkstack render`). */
export function layoutUnder(dir: string): FileLayout {
  const re = (p: string) => `${dir.replace(/\/$/, "")}${p}`;
  const map = <T extends Record<string, string>>(o: T): T => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, re(v)])) as T;
  return {
    sfu: map(CONTAINER_LAYOUT.sfu),
    ingress: map(CONTAINER_LAYOUT.ingress),
    turn: map(CONTAINER_LAYOUT.turn),
    valkey: map(CONTAINER_LAYOUT.valkey),
    mediamtx: map(CONTAINER_LAYOUT.mediamtx),
    cameras: map(CONTAINER_LAYOUT.cameras),
    publisher: map(CONTAINER_LAYOUT.publisher),
  };
}
