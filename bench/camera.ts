/**
 * The camera path, measured: for each Ingress layer preset, the real stack on loopback (test
 * camera → MediaMTX → Ingress (RTMP, re-encode) → livekit-server → Chromium on the viewer grid),
 * one camera, run for a bounded time. Reports glass-to-glass latency from the frame stamps, the
 * Ingress's CPU per camera (its own cgroup: the service and its per-stream handler), MediaMTX's
 * CPU per camera, and sets them beside `lkstack capacity`'s model.
 *
 * The same camera is then published the passthrough way (its main and sub streams as the layers
 * of one simulcast track, by lkstack-publisher, no re-encoding), and the publisher's CPU per camera
 * is set beside the Ingress's for the 720p, 2-layer preset of the same run.
 *
 *   BENCH_CAMERA_SECONDS (15)  measured seconds per preset, after a warm-up
 *   BENCH_CAMERA_ONLY          run only the Ingress preset of this name (then camera.md, the whole
 *                              table, is left as it is; camera-passthrough.md is written)
 */
import { CAPACITY_MODEL, DEFAULTS } from "../schema";
import { CAMERA_PATH_BINARIES, CameraPath } from "../test/helpers/cameraPath";
import { cgroupStats, machineTicks, procStats } from "../test/helpers/procStats";
import { requireBinaries } from "../test/helpers/servers";
import { PASSTHROUGH_BINARIES, PassthroughPath } from "../test/helpers/passthrough";
import { machine, percentile, writeResults } from "./report";

const SECONDS = Math.min(60, Number(process.env.BENCH_CAMERA_SECONDS ?? 15));
type Layer = { name: "high" | "medium" | "low"; width: number; height: number; bitrateKbps: number; fps: number };
const L = (name: Layer["name"], width: number, height: number, bitrateKbps: number): Layer => ({
  name,
  width,
  height,
  bitrateKbps,
  fps: 25,
});

/**
 * Presets at the seed's table (1080p camera) and, lighter, at 720p; bitrates are the seed's. The
 * last preset repeats the 720p one with the Ingress's experimental latency reduction on.
 */
const PRESETS: { name: string; camera: { width: number; height: number; fps: number }; layers: Layer[]; latencyReduction?: boolean }[] = [
  {
    name: "1080p camera, 3 layers (seed)",
    camera: { width: 1920, height: 1080, fps: 25 },
    layers: DEFAULTS.simulcastLayers.map((l) => ({ ...l, fps: 25 })),
  },
  {
    name: "720p camera, 2 layers",
    camera: { width: 1280, height: 720, fps: 25 },
    layers: [L("high", 1280, 720, 1500), L("low", 640, 360, 500)],
  },
  { name: "720p camera, 1 layer (low)", camera: { width: 1280, height: 720, fps: 25 }, layers: [L("low", 640, 360, 500)] },
  {
    name: "720p camera, 2 layers, latencyReduction on",
    camera: { width: 1280, height: 720, fps: 25 },
    layers: [L("high", 1280, 720, 1500), L("low", 640, 360, 500)],
    latencyReduction: true,
  },
];

interface PresetResult {
  preset: string;
  latencyMs: { p50: number; p95: number };
  fps: number;
  width: number;
  ingressCores: number;
  ingressRssBytes: number;
  mediamtxCores: number;
  machineBusyPct: number;
}

async function runPreset(p: (typeof PRESETS)[number], index: number): Promise<PresetResult> {
  const path = new CameraPath({
    camera: p.camera,
    layers: p.layers,
    latencyReduction: p.latencyReduction,
    rtmpCpuCost: 1,
    udp: { start: 52600 + index * 100, end: 52699 + index * 100 },
  });
  try {
    await path.start();
    await path.openGrid(60_000);
    await path.firstFrameAfter(Date.now() - 600_000, 60_000);
    // The grid tile shows the layer the viewer asks for; "high" is the top layer of the preset.
    await path.tile().locator("select").selectOption("high");
    await new Promise((r) => setTimeout(r, 8000));
    const i0 = cgroupStats(path.ingress.cgroup);
    const m0 = procStats(path.mediamtx.proc.pid ?? 0);
    const t0 = machineTicks();
    const started = Date.now();
    const shown = await path.measure(SECONDS * 1000);
    const seconds = (Date.now() - started) / 1000;
    const i1 = cgroupStats(path.ingress.cgroup);
    const m1 = procStats(path.mediamtx.proc.pid ?? 0);
    const t1 = machineTicks();
    return {
      preset: p.name,
      latencyMs: { p50: percentile(shown.latencies, 50), p95: percentile(shown.latencies, 95) },
      fps: shown.fps,
      width: Math.max(0, ...shown.widths),
      ingressCores: (i1.cpuSeconds - i0.cpuSeconds) / seconds,
      ingressRssBytes: i1.rssBytes,
      mediamtxCores: (m1.cpuSeconds - m0.cpuSeconds) / seconds,
      machineBusyPct: (100 * (t1.busy - t0.busy)) / (t1.total - t0.total),
    };
  } finally {
    await path.stop();
  }
}

/** The passthrough path with the same camera as the "720p camera, 2 layers" preset. */
const PASSTHROUGH = {
  name: "720p camera, main 1280x720 + sub 640x360, passthrough",
  main: { width: 1280, height: 720, bitrateKbps: 1500 },
  sub: { width: 640, height: 360, bitrateKbps: 500 },
  comparedWith: "720p camera, 2 layers",
};

interface PassthroughResult {
  preset: string;
  latencyMs: { p50: number; p95: number };
  fps: number;
  width: number;
  publisherCores: number;
  publisherRssBytes: number;
  mediamtxCores: number;
}

async function runPassthrough(): Promise<PassthroughResult> {
  const path = new PassthroughPath({
    main: PASSTHROUGH.main,
    sub: PASSTHROUGH.sub,
    fps: 25,
    gopSeconds: 1,
    udp: { start: 53100, end: 53199 },
  });
  try {
    await path.start();
    await path.tile.open(60_000);
    await path.tile.firstFrameAfter(Date.now() - 600_000, 60_000);
    await path.tile.locator().locator("select").selectOption("high");
    await new Promise((r) => setTimeout(r, 8000));
    const p0 = procStats(path.publisher.proc.pid ?? 0);
    const m0 = procStats(path.mediamtx.proc.pid ?? 0);
    const started = Date.now();
    const shown = await path.tile.measure(SECONDS * 1000);
    const seconds = (Date.now() - started) / 1000;
    const p1 = procStats(path.publisher.proc.pid ?? 0);
    const m1 = procStats(path.mediamtx.proc.pid ?? 0);
    return {
      preset: PASSTHROUGH.name,
      latencyMs: { p50: percentile(shown.latencies, 50), p95: percentile(shown.latencies, 95) },
      fps: shown.fps,
      width: Math.max(0, ...shown.widths),
      publisherCores: (p1.cpuSeconds - p0.cpuSeconds) / seconds,
      publisherRssBytes: p1.rssBytes,
      mediamtxCores: (m1.cpuSeconds - m0.cpuSeconds) / seconds,
    };
  } finally {
    await path.stop();
  }
}

function passthroughRows(r: PassthroughResult, ingress: PresetResult | undefined): [string, string][] {
  const ratio =
    ingress && r.publisherCores > 0
      ? `; the Ingress's ${ingress.ingressCores.toFixed(2)} cores for "${ingress.preset}" are ${(ingress.ingressCores / r.publisherCores).toFixed(0)}x that`
      : "";
  return [
    [
      `${r.preset}: glass-to-glass p50 / p95`,
      `${r.latencyMs.p50} / ${r.latencyMs.p95} ms (top layer ${r.width} px, ${r.fps.toFixed(1)} fps)`,
    ],
    [
      `${r.preset}: publisher CPU per camera`,
      `${r.publisherCores.toFixed(4)} cores, RSS ${(r.publisherRssBytes / 1024 ** 2).toFixed(0)} MB${ratio}`,
    ],
    [`${r.preset}: MediaMTX CPU per camera`, `${r.mediamtxCores.toFixed(3)} cores (two streams relayed)`],
  ];
}

async function main(): Promise<void> {
  const bins = requireBinaries([...new Set([...CAMERA_PATH_BINARIES, ...PASSTHROUGH_BINARIES])]);
  if (!bins.available) throw new Error(bins.reason);
  const only = process.env.BENCH_CAMERA_ONLY;
  const presets = PRESETS.filter((p) => !only || p.name === only);
  if (presets.length === 0) throw new Error(`BENCH_CAMERA_ONLY=${only ?? ""}: no such preset (${PRESETS.map((p) => p.name).join("; ")})`);
  const hardStop = setTimeout(
    () => {
      process.stderr.write("bench/camera: hard time limit reached\n");
      process.exit(2);
    },
    (presets.length + 1) * (SECONDS + 150) * 1000,
  );
  const results: PresetResult[] = [];
  for (const p of presets) results.push(await runPreset(p, PRESETS.indexOf(p)));
  const passthrough = await runPassthrough();
  clearTimeout(hardStop);
  const model = CAPACITY_MODEL.ingressCoresPerCamera;
  const rows: [string, string][] = results.flatMap((r): [string, string][] => [
    [
      `${r.preset}: glass-to-glass p50 / p95`,
      `${r.latencyMs.p50} / ${r.latencyMs.p95} ms (top layer ${r.width} px, ${r.fps.toFixed(1)} fps)`,
    ],
    [
      `${r.preset}: Ingress CPU per camera`,
      `${r.ingressCores.toFixed(2)} cores (model ${model}: ${(r.ingressCores / model).toFixed(2)}x), RSS ${(r.ingressRssBytes / 1024 ** 2).toFixed(0)} MB`,
    ],
    [`${r.preset}: MediaMTX CPU per camera`, `${r.mediamtxCores.toFixed(3)} cores`],
    [
      `${r.preset}: whole machine busy`,
      `${r.machineBusyPct.toFixed(0)} % of ${machine().split(" x ")[0]} cores (camera, Chromium and every server share them)`,
    ],
  ]);
  if (!only) writeResults("camera", { machine: machine(), seconds: SECONDS, modelIngressCoresPerCamera: model, results }, rows);
  // The passthrough figures with the Ingress figure of the same run they are compared with.
  const ingress = results.find((r) => r.preset === PASSTHROUGH.comparedWith);
  writeResults("camera-passthrough", { machine: machine(), seconds: SECONDS, ingress, passthrough }, [
    ...rows.filter(([k]) => ingress !== undefined && k.startsWith(`${ingress.preset}:`)),
    ...passthroughRows(passthrough, ingress),
  ]);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/camera: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
