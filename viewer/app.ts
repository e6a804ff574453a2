import { Room, RoomEvent, Track, VideoQuality, type RemoteTrack, type RemoteTrackPublication } from "livekit-client";

/**
 * The camera grid: one LiveKit room per camera, joined with a viewer-only token from the local
 * endpoint. Grid tiles ask for the low layer; opening a tile (click) asks for high. Each tile can be
 * pinned to auto / high / medium / low (the seed's manual quality selection) and shows what it
 * actually receives.
 */

type Choice = "auto" | "high" | "medium" | "low";
const QUALITY: Record<Exclude<Choice, "auto">, VideoQuality> = {
  high: VideoQuality.HIGH,
  medium: VideoQuality.MEDIUM,
  low: VideoQuality.LOW,
};

interface TileState {
  room: Room;
  publication?: RemoteTrackPublication;
  video: HTMLVideoElement;
  stats: HTMLElement;
  choice: Choice;
  open: boolean;
  lastBytes?: { bytes: number; at: number };
}

const grid = document.getElementById("grid") as HTMLElement;
const status = document.getElementById("status") as HTMLElement;
const tiles = new Map<string, TileState>();

function requested(t: TileState): VideoQuality {
  if (t.choice !== "auto") return QUALITY[t.choice];
  return t.open ? VideoQuality.HIGH : VideoQuality.LOW;
}

/**
 * With adaptive stream a chosen layer is a ceiling: LiveKit never sends more pixels than the tile
 * shows. So "high" also opens the tile, and the other choices cap what the tile may receive.
 */
function apply(t: TileState): void {
  t.publication?.setVideoQuality(requested(t));
}

function setOpen(tile: HTMLElement, t: TileState, open: boolean): void {
  t.open = open;
  tile.classList.toggle("open", open);
}

async function updateStats(name: string, t: TileState): Promise<void> {
  const track = t.publication?.track;
  if (!track) return;
  const report = await track.getRTCStatsReport();
  let width = 0;
  let height = 0;
  let bytes = 0;
  let lost = 0;
  let received = 0;
  let rtt: number | undefined;
  let jitterMs: number | undefined;
  report?.forEach((s: Record<string, unknown>) => {
    if (s.type === "inbound-rtp" && s.kind === "video") {
      width = Number(s.frameWidth ?? 0);
      height = Number(s.frameHeight ?? 0);
      bytes = Number(s.bytesReceived ?? 0);
      lost = Number(s.packetsLost ?? 0);
      received = Number(s.packetsReceived ?? 0);
      // How long the browser holds frames before showing them, on average (a share of glass-to-glass).
      const emitted = Number(s.jitterBufferEmittedCount ?? 0);
      if (emitted > 0) jitterMs = (1000 * Number(s.jitterBufferDelay ?? 0)) / emitted;
    }
    if (s.type === "candidate-pair" && s.state === "succeeded" && s.currentRoundTripTime !== undefined)
      rtt = Number(s.currentRoundTripTime);
  });
  const now = performance.now();
  const kbps = t.lastBytes ? ((bytes - t.lastBytes.bytes) * 8) / (now - t.lastBytes.at) : 0;
  t.lastBytes = { bytes, at: now };
  const layer = width >= 1280 ? "high" : width >= 640 ? "medium" : width > 0 ? "low" : "-";
  const lossPct = received + lost > 0 ? (100 * lost) / (received + lost) : 0;
  t.stats.textContent = `${width}x${height} (${layer})  ${kbps.toFixed(0)} kbps  loss ${lossPct.toFixed(1)}%  rtt ${rtt === undefined ? "-" : `${(rtt * 1000).toFixed(0)} ms`}`;
  const tile = t.video.closest(".tile") as HTMLElement;
  tile.dataset.width = String(width);
  tile.dataset.height = String(height);
  tile.dataset.layer = layer;
  if (jitterMs !== undefined) tile.dataset.jitterMs = jitterMs.toFixed(0);
  void name;
}

async function addTile(name: string, wsUrl: string): Promise<void> {
  const tile = document.createElement("section");
  tile.className = "tile";
  tile.dataset.room = name;
  tile.innerHTML = `<video muted autoplay playsinline></video>
    <div class="bar"><span class="name"></span><select aria-label="quality">
      <option value="auto">auto</option><option value="high">high</option><option value="medium">medium</option><option value="low">low</option>
    </select></div><div class="stats">connecting…</div>`;
  (tile.querySelector(".name") as HTMLElement).textContent = name;
  grid.appendChild(tile);
  const video = tile.querySelector("video") as HTMLVideoElement;
  const select = tile.querySelector("select") as HTMLSelectElement;
  const room = new Room({ adaptiveStream: true, dynacast: true });
  const state: TileState = { room, video, stats: tile.querySelector(".stats") as HTMLElement, choice: "auto", open: false };
  tiles.set(name, state);
  let frames = 0;
  const count = () => {
    frames++;
    tile.dataset.frames = String(frames);
    video.requestVideoFrameCallback(count);
  };
  video.requestVideoFrameCallback(count);
  room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, publication: RemoteTrackPublication) => {
    if (track.kind !== Track.Kind.Video) return;
    state.publication = publication;
    track.attach(video);
    apply(state);
  });
  video.addEventListener("click", () => {
    setOpen(tile, state, !state.open);
    apply(state);
  });
  select.addEventListener("change", () => {
    state.choice = select.value as Choice;
    if (state.choice === "high") setOpen(tile, state, true);
    apply(state);
  });
  // A wall display has nobody to press reload: when the SFU drops the room (restart, network),
  // join again with a fresh token, waiting longer after each failed try (capped at 30 s).
  let retryMs = 1000;
  const join = async (): Promise<void> => {
    const res = await fetch(`/api/token?room=${encodeURIComponent(name)}`);
    if (!res.ok) {
      state.stats.textContent = `token refused: ${await res.text()}`;
      state.stats.classList.add("error");
      return;
    }
    try {
      await room.connect(wsUrl, await res.text());
      retryMs = 1000;
    } catch {
      state.stats.textContent = `reconnecting in ${retryMs / 1000} s`;
      setTimeout(() => void join(), retryMs);
      retryMs = Math.min(30_000, retryMs * 2);
    }
  };
  room.on(RoomEvent.Disconnected, () => {
    state.stats.textContent = "disconnected; rejoining";
    setTimeout(() => void join(), retryMs);
  });
  await join();
  setInterval(() => void updateStats(name, state), 1000);
}

async function start(): Promise<void> {
  const config = (await (await fetch("/api/config")).json()) as { wsUrl: string };
  const rooms = (await (await fetch("/api/rooms")).json()) as { name: string; publishers: number }[];
  status.textContent = `${rooms.length} camera room(s) on ${config.wsUrl}`;
  for (const r of rooms) await addTile(r.name, config.wsUrl);
}

start().catch((e: unknown) => {
  status.textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
  status.classList.add("error");
});
