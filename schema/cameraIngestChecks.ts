import type { ConfigProblem } from "./errors";
import { cameraIngest, cameraOrigin, cameraStreams, cameraStreamUrl, type CameraIngestInput, type LayerQuality } from "./cameraIngest";
import { cameraUrlProblem } from "./urls";

/**
 * What cannot work for one camera's streams and ingest mode: found before anything is created.
 * `at` is the camera's config path (["cameras", i]).
 */
export function cameraIngestProblems(cam: CameraIngestInput, at: (string | number)[]): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const mode = cameraIngest(cam);
  const streams = cameraStreams(cam);
  if (mode === "passthrough" && streams.length === 0)
    out.push({
      path: [...at, "ingest"],
      problem: "passthrough relays the camera's own streams, and the camera lists none",
      fix: "add streams.high (and streams.low, the camera's sub stream) with their RTSP paths, or set ingest: transcode",
    });
  if (mode === "passthrough" && cam.layers)
    out.push({
      path: [...at, "layers"],
      problem: "layers picks what the Ingress encodes; a passthrough camera's layers are its streams",
      fix: "drop layers, or set ingest: transcode",
    });
  const origin = cameraOrigin(cam.rtsp);
  if (streams.length > 0 && cam.rtsp !== origin && cam.rtsp !== `${origin}/`)
    out.push({
      path: [...at, "rtsp"],
      problem: "with streams, rtsp names the camera only, and this one has a path the streams would not use",
      fix: `set rtsp to ${origin} and give each stream its path under streams.<layer>.path`,
    });
  const seenPaths = new Map<string, LayerQuality>();
  streams.forEach((s, i) => {
    const sp = [...at, "streams", s.quality];
    if (!s.path.startsWith("/"))
      out.push({ path: [...sp, "path"], problem: "not an absolute RTSP path", fix: `start it with "/", e.g. /${s.path}` });
    else {
      const urlProblem = cameraUrlProblem(cameraStreamUrl(cam.rtsp, s.path));
      if (urlProblem) out.push({ path: [...sp, "path"], ...urlProblem });
    }
    const twice = seenPaths.get(s.path);
    if (twice)
      out.push({
        path: [...sp, "path"],
        problem: `the same stream as streams.${twice}: one stream cannot be two layers`,
        fix: "give each layer the path of a different stream of the camera (its main and sub stream), or drop this one",
      });
    seenPaths.set(s.path, s.quality);
    if (mode === "passthrough" && s.codec === "h265")
      out.push({
        path: [...sp, "codec"],
        problem: "browsers cannot be relied on to play H.265 over WebRTC, and passthrough does not re-encode",
        fix: "set this stream to H.264 in the camera's encoder settings (then codec: h264), or set ingest: transcode",
      });
    const larger = streams[i - 1];
    if (larger && s.width * s.height >= larger.width * larger.height)
      out.push({
        path: [...sp, "width"],
        problem: `${s.width}x${s.height} is not smaller than streams.${larger.quality} (${larger.width}x${larger.height}); layers go from largest to smallest`,
        fix: "give the larger stream the higher layer (high > medium > low)",
      });
    if (larger && s.bitrateKbps >= larger.bitrateKbps)
      out.push({
        path: [...sp, "bitrateKbps"],
        problem: `${s.bitrateKbps} kbps is not below streams.${larger.quality} (${larger.bitrateKbps} kbps); a viewer switching down would gain nothing`,
        fix: "check the camera's encoder settings: a lower layer must send fewer bits",
      });
  });
  return out;
}
