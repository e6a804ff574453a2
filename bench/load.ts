/**
 * Load bench at the seed's shape, scaled to this machine: the real livekit-server (rendered config)
 * and redis on loopback; R camera rooms, each with one `@livekit/rtc-node` publisher sending three
 * simulcast layers (1280x720 / 640x360 / 320x180: the seed's 1080p / 720p / 360p ladder at the
 * size this box can encode) and S subscribers picking layers as the viewer grid does (the capacity
 * model's mix: 70 % low, 20 % medium, 10 % high). Each frame carries its counter and send time in
 * the picture, so subscribers read frame latency; loss is RTP packets lost over received + lost.
 *
 * It grows R x S through BENCH_STEPS until frame-latency p95 or loss degrades (the knee), restarting
 * the server for every step, and prints join p95, frame latency p50/p95, loss, server CPU-seconds per
 * subscriber-minute and memory per room at the first step and at the knee, with the capacity
 * model's prediction beside the measured CPU and memory. Bounded: at most 8 steps, 60 s each.
 *
 *   BENCH_STEPS ("5x10,10x10,20x10,30x10")  BENCH_SECONDS (20)  BENCH_FPS (15)  BENCH_NOISE_ROWS (160)
 *   BENCH_INGEST (transcode): transcode = the Ingress's simulcast layers; passthrough = one layer
 */
import {
  dispose,
  LocalVideoTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
  VideoStream,
  type RemoteTrack,
  type RemoteTrackPublication,
} from "@livekit/rtc-node";
import { AccessToken } from "livekit-server-sdk";
import { CAPACITY_MODEL, DEFAULTS, planCapacity, type LayerRates } from "../schema";
import { TEST_SECRETS } from "../test/helpers/fixtures";
import { startLocalStack } from "../test/helpers/livekitStack";
import { machineTicks, procStats } from "../test/helpers/procStats";
import { requireBinaries } from "../test/helpers/servers";
import { machine, percentile, writeResults } from "./report";

const STEPS = (process.env.BENCH_STEPS ?? "5x10,10x10,20x10,30x10")
  .split(",")
  .slice(0, 8)
  .map((s) => s.split("x").map(Number) as [number, number]);
const SECONDS = Math.min(60, Number(process.env.BENCH_SECONDS ?? 20));
const FPS = Number(process.env.BENCH_FPS ?? 15);
const INGEST = process.env.BENCH_INGEST === "passthrough" ? "passthrough" : "transcode";
const WIDTH = 1280;
const HEIGHT = 720;
const BITS = 16;
const BLOCK_W = WIDTH / BITS;
const BLOCK_H = 40;
/** The knee: latency p95 past twice the first step's (and 50 ms more), or more than 1 % of packets lost. */
const KNEE = { latencyFactor: 2, latencySlackMs: 50, lossPct: 1 };

/** Viewer layer by subscriber index: the model's mix (7 low, 2 medium, 1 high of every 10). */
type Quality = 0 | 1 | 2;
function qualityFor(s: number): Quality {
  const slot = s % 10;
  const m = CAPACITY_MODEL.mix;
  if (slot < m.low * 10) return 0;
  if (slot < (m.low + m.medium) * 10) return 1;
  return 2;
}

/**
 * @livekit/rtc-node 1.1.0 has no public call for a simulcast layer; its FFI does
 * (set_remote_track_publication_quality) and the SDK keeps its client on globalThis.
 */
function setQuality(publication: RemoteTrackPublication, quality: Quality): void {
  const ffi = (globalThis as { _ffiClientInstance?: { request: (req: unknown) => unknown } })._ffiClientInstance;
  if (!ffi) throw new Error("@livekit/rtc-node's FFI client is not where bench/load expects it");
  ffi.request({
    message: { case: "setRemoteTrackPublicationQuality", value: { trackPublicationHandle: publication.ffiHandle.handle, quality } },
  });
}

/** Three rows of 16 big luma blocks: the frame counter and the high and low halves of the send time (ms). */
function drawStamp(data: Uint8Array, counter: number, sentMs: number): void {
  const words = [counter & 0xffff, (sentMs >>> 16) & 0xffff, sentMs & 0xffff];
  words.forEach((word, row) => {
    for (let bit = 0; bit < BITS; bit++) {
      const on = ((word >>> (BITS - 1 - bit)) & 1) === 1;
      for (let y = row * BLOCK_H; y < (row + 1) * BLOCK_H; y++)
        data.fill(on ? 235 : 16, y * WIDTH + bit * BLOCK_W, y * WIDTH + (bit + 1) * BLOCK_W);
    }
  });
}

/** Noise, shifted every frame, in the rows under the stamp: one buffer made once, copied per frame. */
const NOISE_ROWS = Number(process.env.BENCH_NOISE_ROWS ?? 160);
const noise = Uint8Array.from({ length: WIDTH * (NOISE_ROWS + 64) }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 24) & 0xff);
function drawNoise(data: Uint8Array, counter: number): void {
  const top = 3 * BLOCK_H + 8;
  const shift = (counter * 7 * WIDTH) % (64 * WIDTH);
  data.set(noise.subarray(shift, shift + WIDTH * NOISE_ROWS), top * WIDTH);
}

/** Reads the three words back from the centre of each block, scaled to the received layer's size. */
function readStamp(frame: VideoFrame): { counter: number; sentMs: number } | undefined {
  const f = frame.type === VideoBufferType.I420 ? frame : frame.convert(VideoBufferType.I420);
  const y = f.getPlane(0);
  if (!y) return undefined;
  const sx = f.width / WIDTH;
  const sy = f.height / HEIGHT;
  const word = (row: number) => {
    let w = 0;
    for (let bit = 0; bit < BITS; bit++) {
      const px = Math.floor((bit * BLOCK_W + BLOCK_W / 2) * sx);
      const py = Math.floor((row * BLOCK_H + BLOCK_H / 2) * sy);
      w = (w << 1) | (y[py * f.width + px] > 125 ? 1 : 0);
    }
    return w;
  };
  return { counter: word(0), sentMs: ((word(1) << 16) | word(2)) >>> 0 };
}

interface StepResult {
  rooms: number;
  subscribersPerRoom: number;
  subscribers: number;
  seconds: number;
  joinMs: { p50: number; p95: number };
  latencyMs: { p50: number; p95: number; p99: number };
  framesDecoded: number;
  /** Decoded frames per subscriber per second, against the published FPS. */
  decodedFps: number;
  packetsLostPct: number;
  /** What the subscribers received, per layer they chose (kbps each). */
  receivedKbps: LayerRates;
  egressGbps: number;
  serverCores: number;
  serverCpuSecondsPerSubscriberMinute: number;
  serverRssBytes: number;
  serverRssPerRoomBytes: number;
  benchCores: number;
  machineBusyPct: number;
  model: { cores: number; memoryBytes: number };
}

const key = TEST_SECRETS.apiKeys[0];
async function tokenFor(room: string, identity: string, publish: boolean): Promise<string> {
  const t = new AccessToken(key.key, key.secret, { identity, ttl: 600 });
  t.addGrant({ roomJoin: true, room, canPublish: publish, canSubscribe: !publish });
  return t.toJwt();
}

/**
 * Joins a subscriber, up to three times: on a saturated machine @livekit/rtc-node 1.1.0 sometimes
 * loses the room handle during connect ("handle not found"); a join that needed a retry counts
 * its whole time.
 */
async function joinWithRetry(url: string, token: string, wire: (room: Room) => void): Promise<Room> {
  for (let attempt = 1; ; attempt++) {
    const room = new Room();
    wire(room);
    try {
      await room.connect(url, token, { autoSubscribe: true, dynacast: true });
      return room;
    } catch (e) {
      await room.disconnect().catch(() => undefined);
      if (attempt >= 3) throw e;
    }
  }
}

async function runStep(rooms: number, subscribersPerRoom: number): Promise<StepResult> {
  // A range wide enough for every participant of the largest step at 3 addresses each.
  const stack = await startLocalStack({ start: 52000, end: 54999 });
  const pid = stack.livekit.proc.pid ?? 0;
  const idle = procStats(pid);
  const joinMs: number[] = [];
  const latencyMs: number[] = [];
  let framesDecoded = 0;
  const all: Room[] = [];
  const viewers: { room: Room; quality: Quality }[] = [];
  const timers: NodeJS.Timeout[] = [];
  let measuring = false;
  let stopAt = Infinity;
  try {
    for (let r = 0; r < rooms; r++) {
      const name = `${DEFAULTS.rooms.namePrefix}00000000-0000-4000-8000-${String(r).padStart(12, "0")}`;
      const camera = new Room();
      all.push(camera);
      await camera.connect(stack.wsUrl, await tokenFor(name, `camera-${r}`, true), { autoSubscribe: false, dynacast: true });
      const source = new VideoSource(WIDTH, HEIGHT);
      const opts = new TrackPublishOptions();
      opts.source = TrackSource.SOURCE_CAMERA;
      opts.simulcast = INGEST === "transcode";
      await camera.localParticipant?.publishTrack(LocalVideoTrack.createVideoTrack("camera", source), opts);
      // One buffer per camera: a mid-grey picture whose stamp rows change every frame, over a band
      // of moving noise that gives the encoder something to send (a flat picture costs ~20 kbps).
      const data = new Uint8Array(WIDTH * HEIGHT * 1.5).fill(128);
      let counter = 0;
      timers.push(
        setInterval(() => {
          if (Date.now() > stopAt) return;
          drawNoise(data, counter);
          drawStamp(data, counter++, Date.now());
          source.captureFrame(new VideoFrame(data, WIDTH, HEIGHT, VideoBufferType.I420));
        }, 1000 / FPS),
      );
      // One join at a time: @livekit/rtc-node 1.1.0 loses room handles when connects overlap.
      for (let s = 0; s < subscribersPerRoom; s++) {
        const quality: Quality = INGEST === "transcode" ? qualityFor(s) : 2;
        const token = await tokenFor(name, `viewer-${r}-${s}`, false);
        const start = Date.now();
        const viewer = await joinWithRetry(stack.wsUrl, token, (room) =>
          room.on(RoomEvent.TrackSubscribed, (t: RemoteTrack, publication: RemoteTrackPublication) => {
            if (t.kind !== TrackKind.KIND_VIDEO) return;
            if (INGEST === "transcode") setQuality(publication, quality);
            void (async () => {
              for await (const ev of new VideoStream(t)) {
                if (Date.now() > stopAt) break;
                if (!measuring) continue;
                const read = readStamp(ev.frame);
                if (!read) continue;
                framesDecoded++;
                const latency = ((Date.now() >>> 0) - read.sentMs) >>> 0;
                if (latency < 10000) latencyMs.push(latency);
              }
            })();
          }),
        );
        joinMs.push(Date.now() - start);
        all.push(viewer);
        viewers.push({ room: viewer, quality });
      }
    }
    // Let layers settle, then measure over SECONDS.
    await new Promise((r) => setTimeout(r, 3000));
    const statsAt = async () => Promise.all(viewers.map(async (v) => ({ quality: v.quality, stats: await v.room.getRtcStats() })));
    const before = await statsAt();
    const server0 = procStats(pid);
    const bench0 = process.cpuUsage();
    const ticks0 = machineTicks();
    const t0 = Date.now();
    measuring = true;
    stopAt = t0 + SECONDS * 1000;
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    measuring = false;
    const elapsed = (Date.now() - t0) / 1000;
    const server1 = procStats(pid);
    const bench1 = process.cpuUsage(bench0);
    const ticks1 = machineTicks();
    const after = await statsAt();
    // rtc-node 1.1.0 files the receiving peer connection's stats under publisherStats; read both.
    const inbound = (s: Awaited<ReturnType<Room["getRtcStats"]>>) =>
      [...s.publisherStats, ...s.subscriberStats].flatMap((x) =>
        x.stats.case === "inboundRtp" && x.stats.value.inbound?.frameWidth !== undefined ? [x.stats.value] : [],
      );
    const sum = (rows: Awaited<ReturnType<typeof statsAt>>, pick: (v: ReturnType<typeof inbound>[number]) => number, q?: Quality) =>
      rows.filter((r) => q === undefined || r.quality === q).reduce((a, r) => a + inbound(r.stats).reduce((b, v) => b + pick(v), 0), 0);
    const lost = sum(after, (v) => Number(v.received?.packetsLost ?? 0)) - sum(before, (v) => Number(v.received?.packetsLost ?? 0));
    const got = sum(after, (v) => Number(v.received?.packetsReceived ?? 0)) - sum(before, (v) => Number(v.received?.packetsReceived ?? 0));
    const kbpsOf = (q: Quality) => {
      const n = viewers.filter((v) => v.quality === q).length;
      const bytes =
        sum(after, (v) => Number(v.inbound?.bytesReceived ?? 0), q) - sum(before, (v) => Number(v.inbound?.bytesReceived ?? 0), q);
      return n > 0 ? (bytes * 8) / 1000 / elapsed / n : 0;
    };
    const receivedKbps: LayerRates = { low: kbpsOf(0), medium: kbpsOf(1), high: kbpsOf(2) };
    const subscribers = rooms * subscribersPerRoom;
    const totalBytes = sum(after, (v) => Number(v.inbound?.bytesReceived ?? 0)) - sum(before, (v) => Number(v.inbound?.bytesReceived ?? 0));
    const serverCores = (server1.cpuSeconds - server0.cpuSeconds) / elapsed;
    // The model for what ran: the layers the subscribers measured, the mix (or one layer for passthrough).
    const plan = planCapacity({
      cameras: rooms,
      viewersPerCamera: subscribersPerRoom,
      layer: INGEST === "transcode" ? "mix" : "high",
      rates: INGEST === "transcode" ? receivedKbps : { high: receivedKbps.high, medium: 0, low: 0 },
      layersPublished: INGEST === "transcode" ? 3 : 1,
      udpRange: { start: 52000, end: 54999 },
      udpMode: "single",
    });
    return {
      rooms,
      subscribersPerRoom,
      subscribers,
      seconds: elapsed,
      joinMs: { p50: percentile(joinMs, 50), p95: percentile(joinMs, 95) },
      latencyMs: { p50: percentile(latencyMs, 50), p95: percentile(latencyMs, 95), p99: percentile(latencyMs, 99) },
      framesDecoded,
      decodedFps: framesDecoded / subscribers / elapsed,
      packetsLostPct: got + lost > 0 ? (100 * lost) / (got + lost) : 0,
      receivedKbps,
      egressGbps: (totalBytes * 8) / 1e9 / elapsed,
      serverCores,
      serverCpuSecondsPerSubscriberMinute: (serverCores * 60) / subscribers,
      serverRssBytes: server1.rssBytes,
      serverRssPerRoomBytes: (server1.rssBytes - idle.rssBytes) / rooms,
      benchCores: (bench1.user + bench1.system) / 1e6 / elapsed,
      machineBusyPct: (100 * (ticks1.busy - ticks0.busy)) / (ticks1.total - ticks0.total),
      model: { cores: plan.sfu.coresTotal, memoryBytes: plan.sfu.memoryPerNodeBytes - DEFAULTS.sfuMemoryOverheadBytes },
    };
  } finally {
    for (const t of timers) clearInterval(t);
    for (const room of all) await room.disconnect().catch(() => undefined);
    await stack.stop();
  }
}

function degraded(step: StepResult, first: StepResult): boolean {
  return (
    step.latencyMs.p95 > Math.max(KNEE.latencyFactor * first.latencyMs.p95, first.latencyMs.p95 + KNEE.latencySlackMs) ||
    step.packetsLostPct > KNEE.lossPct
  );
}

async function main(): Promise<void> {
  const bins = requireBinaries(["livekitServer", "redisServer"]);
  if (!bins.available) throw new Error(bins.reason);
  const hardStop = setTimeout(
    () => {
      process.stderr.write("bench/load: hard time limit reached\n");
      process.exit(2);
    },
    STEPS.length * (SECONDS + 420) * 1000,
  );
  const steps: StepResult[] = [];
  let knee: StepResult | undefined;
  for (const [rooms, subs] of STEPS) {
    process.stderr.write(`bench/load: ${rooms} rooms x ${subs} subscribers (${INGEST})\n`);
    const step = await runStep(rooms, subs);
    steps.push(step);
    if (steps.length > 1 && degraded(step, steps[0])) knee = step;
    // After every step, so a run cut short keeps what it measured.
    report(steps, knee);
    if (knee) break;
  }
  await dispose();
  clearTimeout(hardStop);
}

function report(steps: StepResult[], knee: StepResult | undefined): void {
  const mb = (b: number) => `${(b / 1024 ** 2).toFixed(1)} MB`;
  const ratio = (measured: number, model: number) => (model > 0 ? `${(measured / model).toFixed(2)}x` : "n/a");
  // LiveKit's published benchmark (docs.livekit.io, self-hosting/benchmark, "livestreaming"): one
  // 720p publisher and 3,000 subscribers on a 16-core c2-standard-16.
  const reference = { subscribers: 3000, cores: 16 };
  const referencePerCore = reference.subscribers / reference.cores;
  const rowsFor = (label: string, s: StepResult): [string, string][] => {
    const perCore = s.serverCores > 0 ? s.subscribers / s.serverCores : NaN;
    return [
      [`${label}: load`, `${s.rooms} rooms x (1 camera + ${s.subscribersPerRoom} subscribers), ${INGEST}, ${s.seconds.toFixed(0)} s`],
      [`${label}: join p50 / p95`, `${s.joinMs.p50} / ${s.joinMs.p95} ms`],
      [`${label}: frame latency p50 / p95 / p99`, `${s.latencyMs.p50} / ${s.latencyMs.p95} / ${s.latencyMs.p99} ms`],
      [
        `${label}: packets lost; frames decoded per subscriber`,
        `${s.packetsLostPct.toFixed(2)} % (goal < ${KNEE.lossPct} %); ${s.decodedFps.toFixed(1)} fps of ${FPS}`,
      ],
      [
        `${label}: received per layer (low / medium / high)`,
        `${s.receivedKbps.low.toFixed(0)} / ${s.receivedKbps.medium.toFixed(0)} / ${s.receivedKbps.high.toFixed(0)} kbps; egress ${(s.egressGbps * 1000).toFixed(1)} Mbps`,
      ],
      [
        `${label}: server CPU (measured vs model)`,
        `${s.serverCores.toFixed(3)} vs ${s.model.cores.toFixed(3)} cores (${ratio(s.serverCores, s.model.cores)}); ${s.serverCpuSecondsPerSubscriberMinute.toFixed(3)} CPU-s per subscriber-minute`,
      ],
      [
        `${label}: server memory above idle (measured vs model)`,
        `${mb(s.serverRssPerRoomBytes * s.rooms)} vs ${mb(s.model.memoryBytes)} (${ratio(s.serverRssPerRoomBytes * s.rooms, s.model.memoryBytes)}); ${mb(s.serverRssPerRoomBytes)} per room`,
      ],
      [
        `${label}: subscribers per server core (LiveKit's reference: ${referencePerCore.toFixed(0)})`,
        `${perCore.toFixed(0)} (${(perCore / referencePerCore).toFixed(2)}x the reference)`,
      ],
      [
        `${label}: this box`,
        `bench clients ${s.benchCores.toFixed(2)} cores, machine ${s.machineBusyPct.toFixed(0)} % busy of ${machine().split(" x ")[0]} cores`,
      ],
    ];
  };
  const rows: [string, string][] = [
    ["machine", `${machine()} (shared with other sessions: figures are noisy; re-run on a quiet machine)`],
    ["server", `livekit-server (rendered config), steps ${STEPS.map(([r, s]) => `${r}x${s}`).join(", ")}, ${SECONDS} s each`],
    ...steps.flatMap((s) => rowsFor(`${s === knee ? "knee " : ""}${s.rooms}x${s.subscribersPerRoom}`, s)),
  ];
  const last = steps[steps.length - 1];
  rows.push([
    "knee",
    knee
      ? `${knee.rooms}x${knee.subscribersPerRoom}: frame-latency p95 past ${KNEE.latencyFactor}x the first step's or loss past ${KNEE.lossPct} %`
      : `not reached up to ${last.rooms}x${last.subscribersPerRoom}`,
  ]);
  writeResults(
    INGEST === "transcode" ? "load" : `load-${INGEST}`,
    { machine: machine(), ingest: INGEST, fps: FPS, steps, knee: knee ? steps.indexOf(knee) : null, reference },
    rows,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/load failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
