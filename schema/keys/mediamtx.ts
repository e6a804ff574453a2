/**
 * mediamtx.yml keys of v1.20.x that this package emits: a subset of GlobalConf and PathConf in
 * the release's api/openapi.yaml (the conformance test checks that subset against the file).
 * MediaMTX rejects unknown keys at load and exits on an invalid hot reload.
 */
export const MEDIAMTX_GLOBAL_KEYS: ReadonlySet<string> = new Set([
  "logLevel",
  "logDestinations",
  "logStructured",
  "readTimeout",
  "writeTimeout",
  "writeQueueSize",
  "authMethod",
  "authInternalUsers",
  "api",
  "apiAddress",
  "metrics",
  "metricsAddress",
  "pprof",
  "playback",
  "rtsp",
  "rtspTransports",
  "rtspEncryption",
  "rtspAddress",
  "rtspAuthMethods",
  "rtmp",
  "hls",
  "webrtc",
  "srt",
  "srtAddress",
  "moq",
]);

export const MEDIAMTX_PATH_KEYS: ReadonlySet<string> = new Set([
  "source",
  "sourceOnDemand",
  "sourceOnDemandStartTimeout",
  "sourceOnDemandCloseAfter",
  "rtspTransport",
  "maxReaders",
  "overridePublisher",
  "record",
]);

export const MEDIAMTX_USER_KEYS: ReadonlySet<string> = new Set(["user", "pass", "ips", "permissions"]);
export const MEDIAMTX_TOP_SECTIONS: ReadonlySet<string> = new Set(["pathDefaults", "paths"]);
