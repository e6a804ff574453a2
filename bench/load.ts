/**
 * Load bench against the real livekit-server (rendered config) and redis on loopback: N camera
 * rooms, each with one synthetic camera publishing a frame counter and send time in the picture,
 * and M subscribers decoding them. Bounded in rooms, subscribers and seconds; stops by itself.
 *
 *   BENCH_ROOMS (3)  BENCH_SUBSCRIBERS (2)  BENCH_SECONDS (20)  BENCH_FPS (15)
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
} from "@livekit/rtc-node";
import { AccessToken } from "livekit-server-sdk";
import { CAPACITY_MODEL, DEFAULTS } from "../schema";
import { TEST_SECRETS } from "../test/helpers/fixtures";
import { startLocalStack } from "../test/helpers/livekitStack";
import { procStats } from "../test/helpers/procStats";
import { requireBinaries } from "../test/helpers/servers";
import { machine, percentile, writeResults } from "./report";

const ROOMS = Number(process.env.BENCH_ROOMS ?? 3);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 2);
const SECONDS = Math.min(120, Number(process.env.BENCH_SECONDS ?? 20));
const FPS = Number(process.env.BENCH_FPS ?? 15);
const WIDTH = 320;
const HEIGHT = 240;
const BLOCK_W = WIDTH / 32;
const BLOCK_H = 20;

/** Two rows of 32 big luma blocks: the frame counter and the low 32 bits of the send time (ms). */
function frameWith(counter: number, sentMs: number): VideoFrame {
  const ySize = WIDTH * HEIGHT;
  const data = new Uint8Array(ySize + 2 * (ySize / 4));
  data.fill(16, 0, ySize);
  data.fill(128, ySize);
  const words = [counter >>> 0, sentMs >>> 0];
  words.forEach((word, row) => {
    for (let bit = 0; bit < 32; bit++) {
      if (((word >>> (31 - bit)) & 1) === 0) continue;
      for (let y = row * BLOCK_H; y < (row + 1) * BLOCK_H; y++) data.fill(235, y * WIDTH + bit * BLOCK_W, y * WIDTH + (bit + 1) * BLOCK_W);
    }
  });
  return new VideoFrame(data, WIDTH, HEIGHT, VideoBufferType.I420);
}

/** Reads the two words back from the centre of each block (scaled to the received size). */
function readFrame(frame: VideoFrame): { counter: number; sentMs: number } | undefined {
  const f = frame.type === VideoBufferType.I420 ? frame : frame.convert(VideoBufferType.I420);
  const y = f.getPlane(0);
  if (!y) return undefined;
  const sx = f.width / WIDTH;
  const sy = f.height / HEIGHT;
  const word = (row: number) => {
    let w = 0;
    for (let bit = 0; bit < 32; bit++) {
      const px = Math.floor((bit * BLOCK_W + BLOCK_W / 2) * sx);
      const py = Math.floor((row * BLOCK_H + BLOCK_H / 2) * sy);
      w = (w << 1) | (y[py * f.width + px] > 125 ? 1 : 0);
    }
    return w >>> 0;
  };
  return { counter: word(0), sentMs: word(1) };
}

interface RoomResult {
  joinMs: number[];
  firstFrameMs: number[];
  latencyMs: number[];
  framesSent: number;
  framesLost: number;
}

async function main(): Promise<void> {
  const bins = requireBinaries(["livekitServer", "redisServer"]);
  if (!bins.available) throw new Error(bins.reason);
  const stack = await startLocalStack({ start: 52000, end: 52500 });
  const { cfg, wsUrl: url } = stack;
  const pid = stack.livekit.proc.pid ?? 0;
  const key = TEST_SECRETS.apiKeys[0];
  const tokenFor = (room: string, identity: string, publish: boolean) => {
    const t = new AccessToken(key.key, key.secret, { identity, ttl: 600 });
    t.addGrant({ roomJoin: true, room, canPublish: publish, canSubscribe: !publish });
    return t.toJwt();
  };
  const idle = procStats(pid);
  const rooms: Room[] = [];
  const results: RoomResult[] = [];
  const stopAt = Date.now() + SECONDS * 1000;
  const timers: NodeJS.Timeout[] = [];
  const hardStop = setTimeout(
    () => {
      process.stderr.write("bench/load: hard time limit reached\n");
      process.exit(2);
    },
    (SECONDS + 90) * 1000,
  );

  for (let r = 0; r < ROOMS; r++) {
    const name = `${DEFAULTS.rooms.namePrefix}00000000-0000-4000-8000-${String(r).padStart(12, "0")}`;
    const result: RoomResult = { joinMs: [], firstFrameMs: [], latencyMs: [], framesSent: 0, framesLost: 0 };
    results.push(result);
    const camera = new Room();
    rooms.push(camera);
    await camera.connect(url, await tokenFor(name, `camera-${r}`, true), { autoSubscribe: false, dynacast: true });
    const source = new VideoSource(WIDTH, HEIGHT);
    const track = LocalVideoTrack.createVideoTrack("camera", source);
    const opts = new TrackPublishOptions();
    opts.source = TrackSource.SOURCE_CAMERA;
    opts.simulcast = true;
    await camera.localParticipant?.publishTrack(track, opts);
    let counter = 0;
    timers.push(
      setInterval(() => {
        if (Date.now() > stopAt) return;
        source.captureFrame(frameWith(counter++, Date.now()));
        result.framesSent = counter;
      }, 1000 / FPS),
    );
    for (let s = 0; s < SUBSCRIBERS; s++) {
      const viewer = new Room();
      rooms.push(viewer);
      const start = Date.now();
      let last = -1;
      viewer.on(RoomEvent.TrackSubscribed, (t: RemoteTrack) => {
        if (t.kind !== TrackKind.KIND_VIDEO) return;
        void (async () => {
          for await (const ev of new VideoStream(t)) {
            const now = Date.now();
            const read = readFrame(ev.frame);
            if (!read || read.counter > counter + 1000) continue;
            if (last < 0) result.firstFrameMs.push(now - start);
            else if (read.counter > last + 1) result.framesLost += read.counter - last - 1;
            if (read.counter > last) last = read.counter;
            const latency = ((now >>> 0) - read.sentMs) >>> 0;
            if (latency < 10000) result.latencyMs.push(latency);
            if (now > stopAt) break;
          }
        })();
      });
      await viewer.connect(url, await tokenFor(name, `viewer-${r}-${s}`, false), { autoSubscribe: true, dynacast: true });
      result.joinMs.push(Date.now() - start);
    }
  }
  const loaded = procStats(pid);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, Math.max(0, stopAt - Date.now())));
  const end = procStats(pid);
  const cpuShare = (end.cpuSeconds - loaded.cpuSeconds) / ((Date.now() - t0) / 1000);
  for (const t of timers) clearInterval(t);
  for (const room of rooms) await room.disconnect().catch(() => undefined);
  await dispose();
  await stack.stop();
  clearTimeout(hardStop);

  const all = (pick: (r: RoomResult) => number[]) => results.flatMap(pick);
  const sent = results.reduce((a, r) => a + r.framesSent * SUBSCRIBERS, 0);
  const lost = results.reduce((a, r) => a + r.framesLost, 0);
  const perRoomCpu = cpuShare / ROOMS;
  const perRoomRss = (end.rssBytes - idle.rssBytes) / ROOMS;
  const modelRoomBytes = DEFAULTS.sfuMemoryPerRoomBytes + SUBSCRIBERS * CAPACITY_MODEL.sfuMemoryPerSubscriberBytes;
  // The synthetic 320x240 camera is about the seed's low layer; the model prices its three layers and the viewers' egress.
  const lowKbps = DEFAULTS.simulcastLayers[2].bitrateKbps;
  const modelRoomCores =
    3 * CAPACITY_MODEL.sfuCoresPerPublishedLayer + (SUBSCRIBERS * lowKbps * CAPACITY_MODEL.sfuCoresPerEgressGbps) / 1e6;
  const figures = {
    machine: machine(),
    server: `livekit-server ${cfg.versions.livekitServer}`,
    rooms: ROOMS,
    subscribersPerRoom: SUBSCRIBERS,
    seconds: SECONDS,
    fps: FPS,
    joinMs: {
      p50: percentile(
        all((r) => r.joinMs),
        50,
      ),
      p95: percentile(
        all((r) => r.joinMs),
        95,
      ),
    },
    firstFrameMs: {
      p50: percentile(
        all((r) => r.firstFrameMs),
        50,
      ),
      p95: percentile(
        all((r) => r.firstFrameMs),
        95,
      ),
    },
    latencyMs: {
      p50: percentile(
        all((r) => r.latencyMs),
        50,
      ),
      p95: percentile(
        all((r) => r.latencyMs),
        95,
      ),
      p99: percentile(
        all((r) => r.latencyMs),
        99,
      ),
    },
    framesDecoded: all((r) => r.latencyMs).length,
    framesLostPct: sent > 0 ? (100 * lost) / sent : 0,
    serverCpuCoresPerRoom: perRoomCpu,
    serverRssPerRoomBytes: perRoomRss,
    serverRssBytes: end.rssBytes,
    model: { roomBytes: modelRoomBytes, roomCores: modelRoomCores },
  };
  const mb = (b: number) => `${(b / 1024 ** 2).toFixed(1)} MB`;
  const rows: [string, string][] = [
    ["machine", figures.machine],
    ["load", `${ROOMS} rooms x (1 camera + ${SUBSCRIBERS} viewers), ${WIDTH}x${HEIGHT} @ ${FPS} fps simulcast, ${SECONDS} s`],
    ["join p50 / p95", `${figures.joinMs.p50} / ${figures.joinMs.p95} ms`],
    ["first frame p50 / p95", `${figures.firstFrameMs.p50} / ${figures.firstFrameMs.p95} ms`],
    ["frame latency p50 / p95 / p99", `${figures.latencyMs.p50} / ${figures.latencyMs.p95} / ${figures.latencyMs.p99} ms`],
    ["frames decoded / lost", `${figures.framesDecoded} / ${figures.framesLostPct.toFixed(2)} %`],
    [
      "server CPU per room (measured vs model)",
      `${perRoomCpu.toFixed(3)} vs ${modelRoomCores.toFixed(3)} cores (${(perRoomCpu / modelRoomCores).toFixed(2)}x)`,
    ],
    [
      "server RSS per room (measured vs model)",
      `${mb(perRoomRss)} vs ${mb(modelRoomBytes)} (${perRoomRss > 0 ? (perRoomRss / modelRoomBytes).toFixed(2) : "n/a"}x)`,
    ],
    ["server RSS total", mb(end.rssBytes)],
  ];
  writeResults("load", figures, rows);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/load failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
