import type { Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { startViewer } from "../../cli/viewer";
import { parseStackConfig, type StackConfig } from "../../schema";
import { PUBLISHER_ENV, publisherEnv } from "../../templates";
import { startMediamtx, startTestCamera, type TestCamera } from "./cameraPath";
import { minimal, TEST_SECRETS } from "./fixtures";
import { startLivekit, startRedis } from "./livekitStack";
import { materialize } from "./realStack";
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

export interface PassthroughOptions {
  main: { width: number; height: number; bitrateKbps: number };
  sub: { width: number; height: number; bitrateKbps: number };
  fps: number;
  gopSeconds: number;
  udp: { start: number; end: number };
  /** Point livekit-server's webhooks at the publisher's port, where an on-demand publisher listens. */
  webhooks?: boolean;
}

/**
 * The passthrough camera path on loopback, every piece from the stack's rendered files: redis and
 * livekit-server, the test camera serving a main and a sub stream (with the stack's camera
 * credential), MediaMTX pulling both (its Secret-held mediamtx.yml, the publisher's read account
 * inside), the lkstack-publisher with its rendered publish-NNN.json and env, and the viewer with
 * Chromium on its grid. Test-only overrides: loopback addresses instead of the Docker bridge's.
 */
export class PassthroughPath {
  cfg!: StackConfig;
  redis!: { daemon: Daemon; port: number; dir: string };
  livekit!: Daemon;
  wsUrl = "";
  camera!: TestCamera;
  mediamtx!: Daemon;
  publisher!: Daemon;
  publisherHealth = 0;
  viewer!: { server: Server; url: string };
  browser!: Browser;
  page!: Page;
  tile!: StampedTile;
  private cameraPort = 0;

  constructor(private readonly o: PassthroughOptions) {}

  /** The stack as an operator writes it, with its publisher settings. */
  private config(publisher: object): StackConfig {
    return parseStackConfig(
      minimal("docker", {
        sfu: { nodeIp: { strategy: "static", address: "127.0.0.1" }, ports: { ...this.sfuPorts, udp: this.o.udp } },
        turn: { domain: "turn.example.test", allowedPeers: ["127.0.0.1/32"] },
        mediamtx: { ports: this.mtxPorts },
        ...(this.o.webhooks ? { webhook: { urls: [`http://127.0.0.1:${this.publisherHealth}/webhook`] } } : {}),
        publisher: { ports: { health: this.publisherHealth }, ...publisher },
        cameras: [
          {
            id: PASSTHROUGH_ID,
            name: "junction-south",
            rtsp: `rtsp://127.0.0.1:${this.cameraPort}`,
            credentials: "lab",
            streams: {
              high: { path: "/main", ...this.o.main, fps: this.o.fps },
              low: { path: "/sub", ...this.o.sub, fps: this.o.fps },
            },
          },
        ],
      }),
    );
  }

  private sfuPorts = { http: 0, rtcTcp: 0, metrics: 0 };
  private mtxPorts = { rtsp: 0, api: 0, metrics: 0 };

  async start(): Promise<this> {
    const [http, rtcTcp, metrics, rtsp, api, mtxMetrics, health, camPort] = await freePorts(8);
    this.sfuPorts = { http, rtcTcp, metrics };
    this.mtxPorts = { rtsp, api, metrics: mtxMetrics };
    this.publisherHealth = health;
    this.cameraPort = camPort;
    this.cfg = this.config({});
    this.redis = await startRedis(this.cfg);
    this.livekit = startLivekit(this.cfg, this.redis.port).daemon;
    await waitForTcp(http, this.livekit);
    this.wsUrl = `ws://127.0.0.1:${http}`;
    await this.startCamera();
    this.mediamtx = await startMediamtx(this.cfg);
    this.publisher = await this.startPublisher(this.cfg);
    const key = TEST_SECRETS.apiKeys[0];
    this.viewer = await startViewer({ port: 0, wsUrl: this.wsUrl, creds: { apiKey: key.key, apiSecret: key.secret, source: "test" } });
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
      credentials: TEST_SECRETS.cameraCredentials.lab,
    });
  }

  /**
   * The stack with lkstack:publisher.onDemand in place of the running one: the publisher, and
   * MediaMTX from that stack's config (the camera pulled only while the publisher reads it).
   */
  async restartOnDemand(idleStopSeconds: number): Promise<void> {
    const cfg = this.config({ onDemand: true, idleStopSeconds });
    await this.publisher.stop();
    await this.mediamtx.stop();
    this.mediamtx = await startMediamtx(cfg);
    this.publisher = await this.startPublisher(cfg);
  }

  /** Whether MediaMTX is pulling the camera's main stream now (its API, as loopback may read it). */
  async mediamtxPulling(): Promise<boolean> {
    const res = await fetch(`http://127.0.0.1:${this.mtxPorts.api}/v3/paths/list`);
    if (!res.ok) throw new Error(`MediaMTX API: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { items: { name: string; ready: boolean }[] };
    return body.items.some((p) => p.name === PASSTHROUGH_ROOM && p.ready);
  }

  /** lkstack-publisher with its rendered publish-NNN.json, env and secret env. */
  private async startPublisher(cfg: StackConfig): Promise<Daemon> {
    const dir = tempDir("publisher");
    const { layout, env } = materialize(cfg, TEST_SECRETS, dir, "publisher");
    const daemon = startDaemon(BINARIES.publisher, [], {
      env: {
        ...publisherEnv(cfg, { count: 1, index: 0 }),
        ...env,
        [PUBLISHER_ENV.livekitUrl]: this.wsUrl,
        [PUBLISHER_ENV.mediamtxRtspUrl]: `rtsp://127.0.0.1:${cfg.mediamtx.ports.rtsp}`,
        [PUBLISHER_ENV.camerasDir]: layout.publisher.camerasDir,
      },
    });
    await waitForTcp(cfg.publisher.ports.health, daemon);
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
    for (const d of [this.publisher, this.mediamtx, this.camera?.daemon, this.livekit, this.redis?.daemon]) await d?.stop();
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
