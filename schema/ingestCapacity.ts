import { DEFAULTS } from "./defaults";
import type { CameraIngest } from "./cameraIngest";
import { CAPACITY_MODEL, type LayerRates } from "./capacity";

/**
 * What getting cameras into the SFU costs, per ingest mode. The per-camera figures are the ones
 * the stack sizes its workloads with (DEFAULTS), measured by `npm run bench:camera` on real
 * servers (bench/results/camera.json): the Ingress's re-encode and the publisher's relay of the
 * same camera, and MediaMTX's pull, which both modes share.
 */
export const INGEST_MODEL = {
  /** MediaMTX relaying one camera stream without re-encoding (bench: 0.007-0.009 per 720p stream). */
  mediamtxCoresPerStream: 0.02,
  mediamtxMemoryPerStreamMiB: 4,
  /**
   * A camera's main and sub stream when no passthrough camera says otherwise: the seed's high
   * (1080p) and low (360p) layer rates, so both modes plan the same camera.
   */
  typicalCameraStreamsKbps: [3000, 500],
} as const;

export interface IngestPlan {
  mode: CameraIngest;
  cameras: number;
  /** Cores for the camera path (MediaMTX plus the Ingress or the publisher), all cameras. */
  cores: number;
  memoryMiB: number;
  /** Cameras -> MediaMTX. */
  cameraGbps: number;
  /** Into the SFU: every layer of every camera. */
  sfuIngestGbps: number;
}

/**
 * The camera path for `cameras` cameras in one mode. Transcode pulls the camera's one stream and
 * publishes the stack's layers (`rates`); passthrough pulls and publishes the camera's own
 * streams (`cameraStreamsKbps`, e.g. a 4 Mbps main and 0.5 Mbps sub stream).
 */
export function planIngest(mode: CameraIngest, cameras: number, rates: LayerRates, cameraStreamsKbps: readonly number[]): IngestPlan {
  const m = INGEST_MODEL;
  const published = mode === "transcode" ? rates.high + rates.medium + rates.low : cameraStreamsKbps.reduce((a, b) => a + b, 0);
  const pulledKbps = mode === "transcode" ? cameraStreamsKbps[0] : cameraStreamsKbps.reduce((a, b) => a + b, 0);
  const streams = mode === "transcode" ? 1 : cameraStreamsKbps.length;
  const perCamera =
    mode === "transcode"
      ? { cores: CAPACITY_MODEL.ingressCoresPerCamera, memoryMiB: DEFAULTS.ingressMemoryPerCameraMiB }
      : { cores: DEFAULTS.publisherPerCamera.cpu, memoryMiB: DEFAULTS.publisherPerCamera.memoryMiB };
  return {
    mode,
    cameras,
    cores: cameras * (perCamera.cores + streams * m.mediamtxCoresPerStream),
    memoryMiB: cameras * (perCamera.memoryMiB + streams * m.mediamtxMemoryPerStreamMiB),
    cameraGbps: (cameras * pulledKbps) / 1e6,
    sfuIngestGbps: (cameras * published) / 1e6,
  };
}
