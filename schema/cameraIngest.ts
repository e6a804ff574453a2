/** How a camera reaches its room: its own streams relayed as layers, or re-encoded by the Ingress. */
export const CAMERA_INGEST_MODES = ["passthrough", "transcode"] as const;
export type CameraIngest = (typeof CAMERA_INGEST_MODES)[number];

/** Simulcast layers from the largest to the smallest: the order LiveKit and the viewer expect. */
export const LAYER_ORDER = ["high", "medium", "low"] as const;
export type LayerQuality = (typeof LAYER_ORDER)[number];

export interface CameraStream {
  path: string;
  width: number;
  height: number;
  bitrateKbps: number;
  fps: number;
  codec: "h264" | "h265";
}

/** The camera fields this module reads (the parsed `lkstack:cameras[]` entry). */
export interface CameraIngestInput {
  rtsp: string;
  layers?: readonly LayerQuality[];
  streams?: { high: CameraStream; medium?: CameraStream; low?: CameraStream };
  ingest?: CameraIngest;
}

/** A camera listing a low stream already sends two layers; re-encoding it would only cost cores. */
export function cameraIngest(cam: CameraIngestInput): CameraIngest {
  return cam.ingest ?? (cam.streams?.low ? "passthrough" : "transcode");
}

/** The camera's streams, largest first, each with its role. */
export function cameraStreams(cam: CameraIngestInput): (CameraStream & { quality: LayerQuality })[] {
  const streams = cam.streams;
  if (!streams) return [];
  return LAYER_ORDER.flatMap((quality) => {
    const s = streams[quality];
    return s ? [{ ...s, quality }] : [];
  });
}

/** The camera's address: scheme, host and port of `rtsp`. */
export function cameraOrigin(rtsp: string): string {
  const schemeEnd = rtsp.indexOf("://") + 3;
  const pathAt = rtsp.slice(schemeEnd).search(/[/?#]/);
  return pathAt < 0 ? rtsp : rtsp.slice(0, schemeEnd + pathAt);
}

/** The URL MediaMTX pulls a stream from: the camera's address and the stream's path. */
export function cameraStreamUrl(rtsp: string, path: string): string {
  return cameraOrigin(rtsp) + path;
}

/**
 * The URL MediaMTX pulls for the camera's top layer: its high stream when it lists streams, its
 * `rtsp` URL otherwise. A transcode camera with streams sends the Ingress its high stream.
 */
export function cameraSourceRtsp(cam: CameraIngestInput): string {
  return cam.streams ? cameraStreamUrl(cam.rtsp, cam.streams.high.path) : cam.rtsp;
}

/** The cameras that take one ingest path (the Ingress sizes for transcode, the publisher for passthrough). */
export function camerasWithIngest<C extends CameraIngestInput>(cameras: readonly C[], mode: CameraIngest): C[] {
  return cameras.filter((cam) => cameraIngest(cam) === mode);
}
