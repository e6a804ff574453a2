import type { Locator, Page } from "playwright-core";
import { capturedAfter, frameRate, installStampReader, latencyMs, percentile, type StampSample } from "./stamp";

/** What a tile showed over a window: frame rate, picture widths and glass-to-glass latency. */
export interface TileMeasure {
  fps: number;
  widths: number[];
  p50: number;
  p95: number;
  latencies: number[];
}

/**
 * One camera's tile on the `lkstack viewer` grid in Chromium, read through the frame stamps of
 * the test camera: whichever pipeline (Ingress or passthrough publisher) fed the room.
 */
export class StampedTile {
  constructor(
    private readonly page: Page,
    private readonly viewerUrl: string,
    private readonly room: string,
    /** Logs to attach when the tile stays dark. */
    private readonly diagnostics: () => string,
  ) {}

  locator(): Locator {
    return this.page.locator(`section.tile[data-room="${this.room}"]`);
  }

  /** Opens the grid once the camera's room exists, and reads stamps from its tile. */
  async open(timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      await this.page.goto(this.viewerUrl);
      if (await this.locator().count()) break;
      if (Date.now() > end) throw new Error(`no camera room ${this.room}:\n${this.diagnostics()}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    await this.page.evaluate(installStampReader, this.room);
  }

  async stamps(): Promise<StampSample[]> {
    return this.page.evaluate(() => (globalThis as unknown as { __stamps: StampSample[] }).__stamps);
  }

  /**
   * Waits until frames *captured* after `since` are shown (frames buffered before a fault do not
   * count) and the picture moves (two frame numbers); returns when the first one was shown.
   */
  async firstFrameAfter(since: number, timeoutMs: number): Promise<number> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const fresh = (await this.stamps()).filter((s) => capturedAfter(s, since));
      if (new Set(fresh.map((s) => s.counter)).size >= 2) return fresh[0].shownAt;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no new frames within ${timeoutMs} ms:\n${this.diagnostics()}`);
  }

  /** Waits until frames `width` pixels wide are shown; returns when the first one was. */
  async firstFrameOfWidth(width: number, timeoutMs: number): Promise<number> {
    const from = Date.now();
    const end = from + timeoutMs;
    while (Date.now() < end) {
      const hit = (await this.stamps()).find((s) => s.width === width && s.shownAt >= from);
      if (hit) return hit.shownAt;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`no ${width}-pixel-wide frame within ${timeoutMs} ms:\n${this.diagnostics()}`);
  }

  /** Frame rate, widths and glass-to-glass latency of what the tile showed over the next `ms`. */
  async measure(ms: number): Promise<TileMeasure> {
    const from = Date.now();
    await new Promise((r) => setTimeout(r, ms));
    const to = Date.now();
    const shown = (await this.stamps()).filter((s) => s.shownAt >= from && s.shownAt < to);
    const latencies = shown.map(latencyMs).filter((l) => l < 60_000);
    return {
      fps: frameRate(shown, from, to),
      widths: [...new Set(shown.map((s) => s.width))],
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      latencies,
    };
  }
}
