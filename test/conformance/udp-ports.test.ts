import { networkInterfaces } from "node:os";
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
import { PEER_CONNECTIONS_PER_PARTICIPANT, type UdpMode } from "../../schema";
import { TEST_SECRETS } from "../helpers/fixtures";
import { startLocalStack, type LocalStack } from "../helpers/livekitStack";
import { udpSockets } from "../helpers/procStats";
import { requireBinaries } from "../helpers/servers";

/**
 * The UDP port budget the planner and the schema's per-node check use, measured on the real
 * livekit-server: how many ports a camera publisher and each viewer add in range mode, and that
 * single-port mode (rtc.udp_port) holds one socket per node address whatever joins.
 */
const bins = requireBinaries(["livekitServer", "redisServer"]);
const suite = bins.available ? describe : describe.skip;

const ROOM = "camera_6ba7b810-9dad-41d1-80b4-00c04fd430c8";
const W = 320;
const H = 240;
const key = TEST_SECRETS.apiKeys[0];

/** Node addresses ICE gathers on: every non-loopback address of an interface, IPv6 link-local included. */
function nodeAddresses(): number {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal).length;
}

async function token(identity: string, publish: boolean): Promise<string> {
  const t = new AccessToken(key.key, key.secret, { identity, ttl: 300 });
  t.addGrant({ roomJoin: true, room: ROOM, canPublish: publish, canSubscribe: !publish });
  return t.toJwt();
}

/** Polls the server's UDP sockets until `ok` holds (bounded: 15 s), then returns them. */
async function socketsWhen(stack: LocalStack, ok: (n: number) => boolean): Promise<{ address: string; port: number }[]> {
  const pid = stack.livekit.proc.pid ?? 0;
  const until = Date.now() + 15000;
  for (;;) {
    const s = udpSockets(pid);
    if (ok(s.length) || Date.now() > until) return s;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A camera publishing simulcast frames; stops with `stop`. */
async function camera(stack: LocalStack): Promise<{ room: Room; stop: () => void }> {
  const room = new Room();
  await room.connect(stack.wsUrl, await token("camera", true), { autoSubscribe: false, dynacast: true });
  const source = new VideoSource(W, H);
  const opts = new TrackPublishOptions();
  opts.source = TrackSource.SOURCE_CAMERA;
  opts.simulcast = true;
  await room.localParticipant?.publishTrack(LocalVideoTrack.createVideoTrack("camera", source), opts);
  const frame = new VideoFrame(new Uint8Array(W * H * 1.5).fill(128), W, H, VideoBufferType.I420);
  const timer = setInterval(() => source.captureFrame(frame), 1000 / 15);
  return { room, stop: () => clearInterval(timer) };
}

/** A viewer that has decoded one frame of the camera (bounded: 20 s). */
async function viewerWithFrame(stack: LocalStack, identity: string): Promise<Room> {
  const room = new Room();
  const decoded = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${identity} decoded no frame in 20 s`)), 20000);
    room.on(RoomEvent.TrackSubscribed, (t: RemoteTrack) => {
      if (t.kind !== TrackKind.KIND_VIDEO) return;
      void (async () => {
        const frames = new VideoStream(t)[Symbol.asyncIterator]();
        if ((await frames.next()).done) return;
        clearTimeout(timer);
        resolve();
        await frames.return?.();
      })();
    });
  });
  await room.connect(stack.wsUrl, await token(identity, false), { autoSubscribe: true, dynacast: true });
  await decoded;
  return room;
}

async function withStack(mode: UdpMode, udp: { start: number; end: number }, body: (stack: LocalStack) => Promise<void>): Promise<void> {
  const stack = await startLocalStack(udp, { sfu: { ports: { udpMode: mode } } } as Parameters<typeof startLocalStack>[1]);
  try {
    await body(stack);
  } finally {
    await stack.stop();
  }
}

suite("the UDP port budget on the real livekit-server", () => {
  afterAll(async () => {
    await dispose();
  });

  it("range mode: a camera and each viewer take one port per peer connection and node address, inside the range", async () => {
    const udp = { start: 52600, end: 52700 };
    const perParticipant = PEER_CONNECTIONS_PER_PARTICIPANT * nodeAddresses();
    expect(perParticipant).toBeGreaterThan(0);
    await withStack("range", udp, async (stack) => {
      expect(udpSockets(stack.livekit.proc.pid ?? 0)).toHaveLength(0);
      const cam = await camera(stack);
      const viewers: Room[] = [];
      try {
        const afterCamera = await socketsWhen(stack, (n) => n >= perParticipant);
        expect(afterCamera).toHaveLength(perParticipant);
        // One port per address: the sockets sit on as many distinct addresses as the node has.
        expect(new Set(afterCamera.map((s) => s.address)).size).toBe(nodeAddresses());
        for (let v = 1; v <= 2; v++) {
          viewers.push(await viewerWithFrame(stack, `viewer-${v}`));
          const now = await socketsWhen(stack, (n) => n >= perParticipant * (1 + v));
          expect(now).toHaveLength(perParticipant * (1 + v));
          for (const s of now) {
            expect(s.port).toBeGreaterThanOrEqual(udp.start);
            expect(s.port).toBeLessThanOrEqual(udp.end);
          }
        }
      } finally {
        cam.stop();
        for (const r of [cam.room, ...viewers]) await r.disconnect();
      }
      // A participant's ports go back to the range when it leaves.
      expect(await socketsWhen(stack, (n) => n === 0)).toHaveLength(0);
    });
  }, 120000);

  it("single-port mode: one socket per node address on udp.start, however many join, and media still flows", async () => {
    const udp = { start: 52750, end: 52750 };
    await withStack("single", udp, async (stack) => {
      const before = udpSockets(stack.livekit.proc.pid ?? 0);
      expect(before.length).toBeGreaterThan(0);
      expect(before.every((s) => s.port === udp.start)).toBe(true);
      const cam = await camera(stack);
      const viewers: Room[] = [];
      try {
        for (let v = 1; v <= 2; v++) viewers.push(await viewerWithFrame(stack, `viewer-${v}`));
        const after = udpSockets(stack.livekit.proc.pid ?? 0);
        expect(after).toHaveLength(before.length);
        expect(after.every((s) => s.port === udp.start)).toBe(true);
      } finally {
        cam.stop();
        for (const r of [cam.room, ...viewers]) await r.disconnect();
      }
    });
  }, 120000);
});
