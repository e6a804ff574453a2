/**
 * The test camera's frame stamp (drawn by test/helpers/rtsp_camera.py): the picture's height is
 * cut in 16 bands; band 0 holds the frame number and band 1 the low 32 bits of the capture time
 * in Unix ms, each as 32 black/white blocks across the full width, most significant bit first.
 * Positions are fractions of the picture, so any scaled layer reads the same way.
 */
export interface StampSample {
  counter: number;
  captureMs: number;
  /** Date.now() in the browser when the frame was presented. */
  shownAt: number;
  width: number;
  height: number;
}

/** Milliseconds from capture to presentation; both clocks are this host's. */
export function latencyMs(s: StampSample): number {
  return ((s.shownAt >>> 0) - s.captureMs) >>> 0;
}

/** The few browser objects the reader touches (the test's tsconfig has no DOM library). */
interface VideoElement {
  videoWidth: number;
  videoHeight: number;
  isConnected: boolean;
  requestVideoFrameCallback(cb: () => void): number;
}
interface Canvas2D {
  drawImage(v: VideoElement, sx: number, sy: number, sw: number, sh: number, dx: number, dy: number, dw: number, dh: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}
interface PageGlobals {
  document: {
    createElement(tag: "canvas"): { width: number; height: number; getContext(kind: "2d", o: object): Canvas2D | null };
    querySelector(selector: string): VideoElement | null;
  };
  __stamps: StampSample[];
  __stampTimer?: ReturnType<typeof setInterval>;
}

/** Whether a frame was captured after the Unix time `ms` (the stamp keeps the low 32 bits). */
export function capturedAfter(s: StampSample, ms: number): boolean {
  return (s.captureMs - (ms >>> 0)) >>> 0 < 2 ** 31;
}

/**
 * Runs inside the viewer page (serialized by Playwright, so it is self-contained): on every
 * presented frame of the tile's <video>, reads the stamp and appends a StampSample to
 * `window.__stamps`. It follows the tile when the viewer replaces its video element.
 */
export function installStampReader(room: string): void {
  const w = globalThis as unknown as PageGlobals;
  w.__stamps = [];
  const canvas = w.document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const watched = new WeakSet<VideoElement>();
  const read = (video: VideoElement): void => {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!ctx || width === 0 || height === 0) return;
    // Only the two stamp bands are copied: a full-frame copy per frame costs the browser a core.
    const strip = Math.ceil(height / 8);
    canvas.width = width;
    canvas.height = strip;
    ctx.drawImage(video, 0, 0, width, strip, 0, 0, width, strip);
    const words = [0, 1].map((band) => {
      const y = Math.floor(((band + 0.5) * height) / 16);
      const row = ctx.getImageData(0, y, width, 1).data;
      let word = 0;
      for (let bit = 0; bit < 32; bit++) word = ((word << 1) | (row[Math.floor(((bit + 0.5) * width) / 32) * 4] > 128 ? 1 : 0)) >>> 0;
      return word;
    });
    w.__stamps.push({ counter: words[0], captureMs: words[1], shownAt: Date.now(), width, height });
  };
  const watch = (): void => {
    const video = w.document.querySelector(`section.tile[data-room="${room}"] video`);
    if (!video || watched.has(video)) return;
    watched.add(video);
    const onFrame = (): void => {
      read(video);
      if (video.isConnected) video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  if (w.__stampTimer !== undefined) clearInterval(w.__stampTimer);
  w.__stampTimer = setInterval(watch, 200);
  watch();
}

/** Frames per second of distinct, advancing frame numbers within [from, to). */
export function frameRate(samples: StampSample[], from: number, to: number): number {
  const inWindow = samples.filter((s) => s.shownAt >= from && s.shownAt < to);
  return new Set(inWindow.map((s) => s.counter)).size / ((to - from) / 1000);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
