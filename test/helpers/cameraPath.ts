import { readFileSync, rmdirSync, symlinkSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { parse as parseYaml, stringify as toYamlText } from "yaml";
import { startViewer } from "../../cli/viewer";
import { reconcilerCode } from "../../reconciler/bundle";
import { parseStackConfig, type StackConfig, type StackConfigInput, type StackSecrets } from "../../schema";
import { FILE_NAMES, RECONCILER_ENV, reconcilerEnv, renderStack } from "../../templates";
import { minimal, TEST_SECRETS } from "./fixtures";
import { startLivekit, startRedis } from "./livekitStack";
import { materialize } from "./realStack";
import { BINARIES, freePorts, launchChromium, startDaemon, tempDir, waitForTcp, type Daemon } from "./servers";
import type { StampSample } from "./stamp";
import { StampedTile, type TileMeasure } from "./tile";

/**
 * A shell script that moves itself into a new CPU-accounting cgroup, mounts that cgroup where
 * LiveKit's CPU monitor reads (protocol utils/hwstats: /sys/fs/cgroup/cpu,cpuacct/cpuacct.usage on
 * cgroup v1, /sys/fs/cgroup/cpu.stat on v2) in its private mount namespace, and execs `argv`.
 * Run it under `unshare -m --propagation private`. Both cgroup layouts are handled, so the suite
 * runs on hybrid (this machine) and pure v2 hosts alike.
 */
export function ownCgroupScript(name: string, view: string, argv: string[]): { cgroup: string; script: string } {
  const v1 = ["/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpu,cpuacct"].find((d) => existsSync(join(d, "cpuacct.usage")));
  const quoted = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  if (v1) {
    const cgroup = join(v1, name);
    const script = [
      "set -e",
      `mkdir -p "${cgroup}"`,
      `echo $$ > "${cgroup}/cgroup.procs"`,
      `mkdir -p "${view}"`,
      `mount --bind "${cgroup}" "${view}"`,
      "mount -t tmpfs lkstack-cgroup /sys/fs/cgroup",
      'mkdir "/sys/fs/cgroup/cpu,cpuacct"',
      `mount --bind "${view}" "/sys/fs/cgroup/cpu,cpuacct"`,
      `exec ${quoted}`,
    ].join("\n");
    return { cgroup, script };
  }
  if (!existsSync("/sys/fs/cgroup/cgroup.controllers")) throw new Error("no cgroup v1 cpuacct and no cgroup v2 at /sys/fs/cgroup");
  const cgroup = join("/sys/fs/cgroup", name);
  const script = [
    "set -e",
    `mkdir -p "${cgroup}"`,
    `echo $$ > "${cgroup}/cgroup.procs"`,
    `mount --bind "${cgroup}" /sys/fs/cgroup`,
    `exec ${quoted}`,
  ].join("\n");
  return { cgroup, script };
}

/** A test IP camera (test/helpers/rtsp_camera.py): H.264 over RTSP, frames stamped with number and capture time. */
export interface TestCamera {
  daemon: Daemon;
  url: string;
}

export interface TestCameraOptions {
  port: number;
  width: number;
  height: number;
  fps: number;
  credentials?: { username: string; password: string };
  /** Seconds between keyframes (the script's default is 2). */
  gopSeconds?: number;
  /** A sub stream of the same pictures at another path and size, as IP cameras serve. */
  sub?: { path: string; width: number; height: number; bitrateKbps: number };
  /** The main stream's path (default "cam"). */
  path?: string;
}

export async function startTestCamera(o: TestCameraOptions): Promise<TestCamera> {
  // From the sources (test/helpers) or the bench's build (dist-bench/test/helpers), which has no .py.
  const script = [join(__dirname, "rtsp_camera.py"), join(__dirname, "..", "..", "..", "test", "helpers", "rtsp_camera.py")].find((f) =>
    existsSync(f),
  );
  if (!script) throw new Error(`rtsp_camera.py not found next to ${__dirname}`);
  const path = o.path ?? "cam";
  const args = [script, "--port", String(o.port), "--path", path];
  args.push("--width", String(o.width), "--height", String(o.height), "--fps", String(o.fps));
  if (o.gopSeconds !== undefined) args.push("--gop", String(o.gopSeconds));
  if (o.sub)
    args.push(
      "--sub-path",
      o.sub.path,
      "--sub-width",
      String(o.sub.width),
      "--sub-height",
      String(o.sub.height),
      "--sub-bitrate",
      String(o.sub.bitrateKbps),
    );
  if (o.credentials) args.push("--user", o.credentials.username, "--password", o.credentials.password);
  const daemon = startDaemon(BINARIES.python3, args);
  await waitForTcp(o.port, daemon);
  return { daemon, url: `rtsp://127.0.0.1:${o.port}/${path}` };
}

/** MediaMTX from its rendered Secret-held body (camera credentials and the API account inside). */
export async function startMediamtx(cfg: StackConfig, secrets: StackSecrets = TEST_SECRETS): Promise<Daemon> {
  const dir = tempDir("mediamtx");
  const { layout } = materialize(cfg, secrets, dir, "mediamtx");
  const daemon = startDaemon(BINARIES.mediamtx, [layout.mediamtx.config], { cwd: dir });
  await waitForTcp(cfg.mediamtx.ports.api, daemon);
  return daemon;
}

/**
 * LiveKit Ingress from its rendered Secret-held body. Test-only overrides: the Valkey address and
 * the SFU URL (the rendered ones are the Docker bridge addresses). The Ingress execs itself as
 * `ingress run-handler` per stream, so its binary is put on PATH under that name.
 *
 * It admits a stream only if its CPU idle covers the cost, read from fixed cgroup paths. On a busy
 * shared test machine the system-wide idle says "no", so it runs in a cpuacct cgroup of its own,
 * mounted at the path it reads inside a private mount namespace: it then sees its own usage only,
 * as it would in its container.
 */
export async function startIngress(
  cfg: StackConfig,
  redisPort: number,
  wsUrl: string,
  secrets: StackSecrets = TEST_SECRETS,
): Promise<Daemon & { cgroup: string }> {
  const dir = tempDir("ingress");
  const { layout, env } = materialize(cfg, secrets, dir, "ingress");
  const body = parseYaml(readFileSync(layout.ingress.config, "utf8")) as { redis: { address: string }; ws_url: string };
  body.redis.address = `127.0.0.1:${redisPort}`;
  body.ws_url = wsUrl;
  writeFileSync(layout.ingress.config, toYamlText(body), { mode: 0o600 });
  const bin = join(dir, "bin");
  mkdirSync(bin);
  symlinkSync(BINARIES.ingress, join(bin, "ingress"));
  const { cgroup, script } = ownCgroupScript(`lkstack-ingress-${process.pid}-${Date.now()}`, join(dir, "cgroup-view"), [
    "ingress",
    "--config",
    layout.ingress.config,
  ]);
  const daemon = startDaemon(BINARIES.unshare, ["-m", "--propagation", "private", "sh", "-c", script], {
    env: { PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: dir, GST_DEBUG: "1", ...env },
  });
  await waitForTcp(cfg.ingress.ports.health, daemon);
  return {
    ...daemon,
    cgroup,
    stop: async () => {
      await daemon.stop();
      // Per-stream handlers are separate processes: end any the service left behind.
      const left = existsSync(cgroup) ? readFileSync(join(cgroup, "cgroup.procs"), "utf8").split("\n").filter(Boolean) : [];
      for (const pid of left)
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      for (let i = 0; i < 50 && existsSync(cgroup); i++) {
        try {
          rmdirSync(cgroup);
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}

/** What a camera-path stack is started with. */
export interface CameraPathOptions {
  camera: { width: number; height: number; fps: number };
  layers: { name: "high" | "medium" | "low"; width: number; height: number; bitrateKbps: number; fps: number }[];
  /** lkstack:ingress.rtmpCpuCost for this box. */
  rtmpCpuCost: number;
  udp: { start: number; end: number };
  /** Start MediaMTX on a config without the camera (a rollout caught half way). */
  mediamtxWithoutCameras?: boolean;
  /** lkstack:ingress.latencyReduction (the Ingress's enable_stream_latency_reduction). */
  latencyReduction?: boolean;
  /** How often the reconciler passes (the stack's default is 15 s). */
  reconcileSeconds?: number;
}

/** Every binary the camera path needs. */
export const CAMERA_PATH_BINARIES: (keyof typeof BINARIES)[] = [
  "livekitServer",
  "redisServer",
  "chromium",
  "ingress",
  "mediamtx",
  "python3",
  "rtspServerTypelib",
  "unshare",
];

export const CAMERA_PATH_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
export const CAMERA_PATH_ROOM = `camera_${CAMERA_PATH_ID}`;

/**
 * The deployed camera path on loopback, every piece from the stack's rendered files: Valkey
 * (redis-server), livekit-server, the test camera (with credentials), MediaMTX, the bundled
 * reconciler the stack runs (its cameras-NNN.json and env as the targets give them, with loopback
 * endpoints), LiveKit Ingress, the viewer and Chromium on its grid.
 */
export class CameraPath {
  /** The stack config as an operator writes it (lkstack:* keys), and what it validates to. */
  input!: StackConfigInput;
  cfg!: StackConfig;
  mediamtxApiUrl = "";
  ingressRtmpUrl = "";
  redis!: { daemon: Daemon; port: number; dir: string };
  livekit!: Daemon;
  wsUrl = "";
  camera!: TestCamera;
  mediamtx!: Daemon;
  ingress!: Daemon & { cgroup: string };
  reconciler!: Daemon;
  viewer!: { server: Server; url: string };
  browser!: Browser;
  page!: Page;
  private cameraPort = 0;

  constructor(private readonly o: CameraPathOptions) {}

  async start(): Promise<this> {
    const [http, rtcTcp, metrics, rtsp, api, mtxMetrics, health, imetrics, relay, rtmp, camPort, reconcilerHealth] = await freePorts(12);
    this.cameraPort = camPort;
    this.input = minimal("docker", {
      sfu: { nodeIp: { strategy: "static", address: "127.0.0.1" }, ports: { http, rtcTcp, metrics, udp: this.o.udp } },
      turn: { domain: "turn.example.test", allowedPeers: ["127.0.0.1/32"] },
      simulcast: { layers: this.o.layers.map((l) => ({ ...l })) },
      ingress: {
        ports: { health, metrics: imetrics, httpRelay: relay, rtmp },
        rtmpCpuCost: this.o.rtmpCpuCost,
        latencyReduction: this.o.latencyReduction ?? false,
      },
      mediamtx: { ports: { rtsp, api, metrics: mtxMetrics } },
      cameras: [{ id: CAMERA_PATH_ID, name: "junction-north", rtsp: `rtsp://127.0.0.1:${camPort}/cam`, credentials: "lab" }],
    });
    this.cfg = parseStackConfig(this.input);
    this.mediamtxApiUrl = `http://127.0.0.1:${api}`;
    this.ingressRtmpUrl = `rtmp://127.0.0.1:${rtmp}`;
    this.redis = await startRedis(this.cfg);
    this.livekit = startLivekit(this.cfg, this.redis.port).daemon;
    await waitForTcp(http, this.livekit);
    this.wsUrl = `ws://127.0.0.1:${http}`;
    await this.startCamera();
    this.mediamtx = await startMediamtx(this.o.mediamtxWithoutCameras ? { ...this.cfg, cameras: [] } : this.cfg);
    const dir = tempDir("reconciler");
    writeFileSync(join(dir, FILE_NAMES.reconciler), reconcilerCode());
    // Its input as the targets ship it: the desired ingresses in cameras-NNN.json chunks.
    for (const [name, body] of Object.entries(renderStack(this.cfg, TEST_SECRETS).cameras?.publicFiles ?? {}))
      writeFileSync(join(dir, name), body);
    this.reconciler = startDaemon(process.execPath, [join(dir, FILE_NAMES.reconciler)], {
      env: {
        PATH: process.env.PATH,
        ...reconcilerEnv(this.cfg),
        [RECONCILER_ENV.livekitUrl]: this.wsUrl,
        [RECONCILER_ENV.mediamtxApiUrl]: this.mediamtxApiUrl,
        [RECONCILER_ENV.ingressRtmpUrl]: this.ingressRtmpUrl,
        [RECONCILER_ENV.camerasDir]: dir,
        [RECONCILER_ENV.healthPort]: String(reconcilerHealth),
        [RECONCILER_ENV.periodSeconds]: String(this.o.reconcileSeconds ?? 2),
        ...renderStack(this.cfg, TEST_SECRETS).cameras?.secretEnv,
      },
    });
    await waitForTcp(reconcilerHealth, this.reconciler);
    this.ingress = await startIngress(this.cfg, this.redis.port, this.wsUrl);
    const key = TEST_SECRETS.apiKeys[0];
    this.viewer = await startViewer({ port: 0, wsUrl: this.wsUrl, creds: { apiKey: key.key, apiSecret: key.secret, source: "test" } });
    this.browser = await launchChromium();
    this.page = await this.browser.newPage({ viewport: { width: 1400, height: 900 } });
    return this;
  }

  async startCamera(): Promise<void> {
    this.camera = await startTestCamera({ port: this.cameraPort, ...this.o.camera, credentials: TEST_SECRETS.cameraCredentials.lab });
  }

  async restartMediamtx(cfg: StackConfig = this.cfg): Promise<void> {
    await this.mediamtx.stop();
    this.mediamtx = await startMediamtx(cfg);
  }

  async restartIngress(): Promise<void> {
    await this.ingress.stop();
    this.ingress = await startIngress(this.cfg, this.redis.port, this.wsUrl);
  }

  async restartValkey(): Promise<void> {
    await this.redis.daemon.stop();
    this.redis = await startRedis(this.cfg, TEST_SECRETS, this.redis);
  }

  tile(): Locator {
    return this.stampedTile().locator();
  }

  /** The camera's tile, read through the frame stamps (test/helpers/tile.ts). */
  stampedTile(): StampedTile {
    return new StampedTile(
      this.page,
      this.viewer.url,
      CAMERA_PATH_ROOM,
      () => `reconciler:\n${this.reconciler.output().slice(-2000)}\ningress:\n${this.ingress.output().slice(-3000)}`,
    );
  }

  /** Opens the grid once the camera's room exists (the Ingress made it), and reads stamps from its tile. */
  async openGrid(timeoutMs: number): Promise<void> {
    await this.stampedTile().open(timeoutMs);
  }

  async stamps(): Promise<StampSample[]> {
    return this.stampedTile().stamps();
  }

  /**
   * Waits until frames *captured* after `since` are shown (frames buffered before a fault do not
   * count) and the picture moves (two frame numbers); returns when the first one was shown.
   */
  async firstFrameAfter(since: number, timeoutMs: number): Promise<number> {
    return this.stampedTile().firstFrameAfter(since, timeoutMs);
  }

  /** Frame rate, widths and glass-to-glass latency of what the tile showed over the next `ms`. */
  async measure(ms: number): Promise<TileMeasure> {
    return this.stampedTile().measure(ms);
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    const viewer = this.viewer;
    if (viewer) await new Promise((r) => viewer.server.close(r));
    for (const d of [this.reconciler, this.ingress, this.mediamtx, this.camera?.daemon, this.livekit, this.redis?.daemon]) await d?.stop();
  }
}
