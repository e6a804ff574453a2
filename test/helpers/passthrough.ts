import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { Server } from "node:http";
import { stringify as toYamlText } from "yaml";
import { startViewer } from "../../cli/viewer";
import { startTestCamera, type TestCamera } from "./cameraPath";
import { TEST_SECRETS } from "./fixtures";
import { startLocalStack, type LocalStack } from "./livekitStack";
import { BINARIES, freePorts, launchChromium, startDaemon, tempDir, waitForTcp, type Daemon } from "./servers";
import { StampedTile } from "./tile";

/** Every binary the passthrough path needs. */
export const PASSTHROUGH_BINARIES: (keyof typeof BINARIES)[] = [
  "livekitServer",
  "redisServer",
  "chromium",
  "mediamtx",
  "python3",
  "rtspServerTypelib",
  "publisher",
];

export const PASSTHROUGH_ID = "9b2f6c1e-2d4a-4c8e-8f1a-6e5d4c3b2a19";
export const PASSTHROUGH_ROOM = `camera_${PASSTHROUGH_ID}`;
/** MediaMTX's read account for the publisher; distinctive, so a leak is found by substring. */
export const READ_USER = "lkstack-publisher";
export const READ_PASSWORD = "sEcReT-publisher-read-0123456789";

export interface PassthroughOptions {
  main: { width: number; height: number; bitrateKbps: number };
  sub: { width: number; height: number; bitrateKbps: number };
  fps: number;
  gopSeconds: number;
  udp: { start: number; end: number };
  /** Point livekit-server's webhooks at `webhookPort`, where an on-demand publisher may listen. */
  webhooks?: boolean;
}

/**
 * The passthrough camera path on loopback: redis and livekit-server from the rendered files, the
 * test camera serving a main and a sub stream, MediaMTX pulling both (one path each), the
 * lkstack-publisher reading its publish-000.json, and the viewer with Chromium on its grid.
 */
export class PassthroughPath {
  stack!: LocalStack;
  camera!: TestCamera;
  mediamtx!: Daemon;
  publisher!: Daemon;
  publisherHealth = 0;
  webhookPort = 0;
  viewer!: { server: Server; url: string };
  browser!: Browser;
  page!: Page;
  tile!: StampedTile;
  private cameraPort = 0;
  private rtspPort = 0;

  constructor(private readonly o: PassthroughOptions) {}

  async start(): Promise<this> {
    [this.cameraPort, this.rtspPort, this.publisherHealth, this.webhookPort] = await freePorts(4);
    const webhook = this.o.webhooks ? { urls: [`http://127.0.0.1:${this.webhookPort}/webhook`] } : undefined;
    this.stack = await startLocalStack(this.o.udp, webhook ? { webhook } : {});
    await this.startCamera();
    this.mediamtx = await this.startMediamtx();
    this.publisher = await this.startPublisher();
    const key = TEST_SECRETS.apiKeys[0];
    this.viewer = await startViewer({
      port: 0,
      wsUrl: this.stack.wsUrl,
      creds: { apiKey: key.key, apiSecret: key.secret, source: "test" },
    });
    this.browser = await launchChromium();
    this.page = await this.browser.newPage({ viewport: { width: 1400, height: 900 } });
    this.tile = new StampedTile(this.page, this.viewer.url, PASSTHROUGH_ROOM, () => this.diagnostics());
    return this;
  }

  diagnostics(): string {
    return `publisher:\n${this.publisher.output().slice(-3000)}\nmediamtx:\n${this.mediamtx.output().slice(-1500)}`;
  }

  async startCamera(): Promise<void> {
    this.camera = await startTestCamera({
      port: this.cameraPort,
      path: "main",
      ...this.o.main,
      fps: this.o.fps,
      gopSeconds: this.o.gopSeconds,
      sub: { path: "sub", ...this.o.sub },
    });
  }

  /** MediaMTX pulling both streams, readable only with the publisher's account. */
  private async startMediamtx(): Promise<Daemon> {
    const dir = tempDir("mediamtx-pt");
    const source = (path: string): object => ({
      source: `rtsp://127.0.0.1:${this.cameraPort}/${path}`,
      sourceOnDemand: false,
      rtspTransport: "tcp",
    });
    const config = {
      logLevel: "info",
      authMethod: "internal",
      authInternalUsers: [{ user: READ_USER, pass: READ_PASSWORD, ips: [], permissions: [{ action: "read" }] }],
      api: false,
      metrics: false,
      pprof: false,
      playback: false,
      rtsp: true,
      rtspTransports: ["tcp"],
      rtspAddress: `127.0.0.1:${this.rtspPort}`,
      rtspAuthMethods: ["basic"],
      rtmp: false,
      hls: false,
      webrtc: false,
      moq: false,
      srt: false,
      paths: { [PASSTHROUGH_ROOM]: source("main"), [`${PASSTHROUGH_ROOM}_low`]: source("sub") },
    };
    writeFileSync(join(dir, "mediamtx.yml"), toYamlText(config), { mode: 0o600 });
    const daemon = startDaemon(BINARIES.mediamtx, [join(dir, "mediamtx.yml")], { cwd: dir });
    await waitForTcp(this.rtspPort, daemon);
    return daemon;
  }

  /** An on-demand publisher (LKSTACK_ON_DEMAND) on the webhook port, instead of the running one. */
  async restartPublisherOnDemand(idleStopSeconds: number): Promise<void> {
    await this.publisher.stop();
    this.publisherHealth = this.webhookPort;
    this.publisher = await this.startPublisher({ LKSTACK_ON_DEMAND: "true", LKSTACK_IDLE_STOP_SECONDS: String(idleStopSeconds) });
  }

  private async startPublisher(extraEnv: Record<string, string> = {}): Promise<Daemon> {
    const dir = tempDir("publisher");
    const camera = {
      id: PASSTHROUGH_ID,
      room: PASSTHROUGH_ROOM,
      identity: PASSTHROUGH_ROOM,
      name: "junction-south",
      layers: [
        { quality: "high", path: PASSTHROUGH_ROOM, ...this.o.main, fps: this.o.fps },
        { quality: "low", path: `${PASSTHROUGH_ROOM}_low`, ...this.o.sub, fps: this.o.fps },
      ],
    };
    writeFileSync(join(dir, "publish-000.json"), JSON.stringify([camera]));
    const key = TEST_SECRETS.apiKeys[0];
    const daemon = startDaemon(BINARIES.publisher, [], {
      env: {
        LIVEKIT_URL: this.stack.wsUrl,
        LIVEKIT_API_KEY: key.key,
        LIVEKIT_API_SECRET: key.secret,
        MEDIAMTX_RTSP_URL: `rtsp://127.0.0.1:${this.rtspPort}`,
        MEDIAMTX_READ_USER: READ_USER,
        MEDIAMTX_READ_PASSWORD: READ_PASSWORD,
        LKSTACK_CAMERAS_DIR: dir,
        LKSTACK_HEALTH_PORT: String(this.publisherHealth),
        LKSTACK_SHARD_COUNT: "1",
        LKSTACK_SHARD_INDEX: "0",
        ...extraEnv,
      },
    });
    await waitForTcp(this.publisherHealth, daemon);
    return daemon;
  }

  /** The publisher's /metrics, as Prometheus scrapes it. */
  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.publisherHealth}/metrics`);
    return res.text();
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    const viewer = this.viewer;
    if (viewer) await new Promise((r) => viewer.server.close(r));
    for (const d of [this.publisher, this.mediamtx, this.camera?.daemon]) await d?.stop();
    await this.stack?.stop();
  }
}

/** The value of one sample line of a Prometheus text exposition (0 when absent). */
export function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((l) => line.includes(l))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}
