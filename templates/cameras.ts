import { camerasWithIngest, type StackConfig } from "../schema";
import { CHUNK_BUDGET, chunkFileName, isChunkFile, packInOrder, utf8Bytes } from "./chunks";
import { cameraPath } from "./mediamtx";

/**
 * What one camera's LiveKit ingress must look like: a reusable RTMP ingress that MediaMTX
 * forwards the camera to, publishing into room camera_<uuid> as participant camera_<uuid>.
 * This is all the in-stack reconciler is given: no secret and no unrelated setting, so only a
 * change to the cameras or the simulcast layers restarts it.
 */
export interface DesiredIngress {
  name: string;
  roomName: string;
  identity: string;
  participantName: string;
  fps: number;
  layers: { quality: "high" | "medium" | "low"; width: number; height: number; bitrateKbps: number }[];
}

/**
 * The ingress each transcode camera needs, encoded to the stack's simulcast layers (or the
 * camera's subset): RTMP input always decodes and re-encodes. A passthrough camera has none (the
 * reconciler deletes one left from when it was transcoded).
 */
export function desiredIngresses(cfg: StackConfig): DesiredIngress[] {
  const layers = cfg.simulcast.layers;
  return camerasWithIngest(cfg.cameras, "transcode").map((cam) => {
    const path = cameraPath(cam.id);
    const chosen = layers.filter((l) => !cam.layers || cam.layers.includes(l.name));
    return {
      name: path,
      roomName: path,
      identity: path,
      participantName: cam.name ?? path,
      fps: Math.max(...chosen.map((l) => l.fps)),
      layers: chosen.map((l) => ({ quality: l.name, width: l.width, height: l.height, bitrateKbps: l.bitrateKbps })),
    };
  });
}

/** A JSON array with one ingress per line: compact, and a one-camera change is a one-line diff. */
function jsonArray(lines: string[]): string {
  return lines.length === 0 ? "[]\n" : `[\n${lines.join(",\n")}\n]\n`;
}

/**
 * Once per config object, as mediamtx.yml's public body: the placeholder render and the one with
 * the secrets both need them (a parsed StackConfig is never mutated).
 */
const ingressFiles = new WeakMap<StackConfig, Record<string, string>>();

/**
 * The desired ingresses as the reconciler reads them: JSON arrays in files cameras-000.json, …,
 * each under the public chunk budget, so each fits its own ConfigMap or Swarm config.
 */
export function desiredIngressFiles(cfg: StackConfig): Record<string, string> {
  let files = ingressFiles.get(cfg);
  if (!files) {
    const lines = desiredIngresses(cfg).map((d) => JSON.stringify(d));
    // +2 per line for ",\n"; the frame is "[\n" and "\n]\n".
    const chunks = packInOrder(lines, (l) => utf8Bytes(l) + 2, CHUNK_BUDGET.public, 5);
    files = Object.fromEntries(chunks.map((c, i) => [chunkFileName("cameras", i), jsonArray(c)]));
    ingressFiles.set(cfg, files);
  }
  return { ...files };
}

/** The reconciler's side: every cameras-NNN.json in name order, joined (other names are ignored). */
export function parseDesiredIngressFiles(files: Record<string, string>): DesiredIngress[] {
  return Object.keys(files)
    .filter((name) => isChunkFile("cameras", name))
    .sort()
    .flatMap((name) => {
      const parsed: unknown = JSON.parse(files[name]);
      if (!Array.isArray(parsed)) throw new Error(`${name}: not a JSON array of ingresses`);
      return parsed as DesiredIngress[];
    });
}
