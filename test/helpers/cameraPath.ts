import { readFileSync, rmdirSync, symlinkSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, stringify as toYamlText } from "yaml";
import type { StackConfig, StackSecrets } from "../../schema";
import { TEST_SECRETS } from "./fixtures";
import { materialize } from "./realStack";
import { BINARIES, startDaemon, tempDir, waitForTcp, type Daemon } from "./servers";

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
}

export async function startTestCamera(o: TestCameraOptions): Promise<TestCamera> {
  const args = [join(__dirname, "rtsp_camera.py"), "--port", String(o.port), "--path", "cam"];
  args.push("--width", String(o.width), "--height", String(o.height), "--fps", String(o.fps));
  if (o.credentials) args.push("--user", o.credentials.username, "--password", o.credentials.password);
  const daemon = startDaemon(BINARIES.python3, args);
  await waitForTcp(o.port, daemon);
  return { daemon, url: `rtsp://127.0.0.1:${o.port}/cam` };
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
  const cgroup = `/sys/fs/cgroup/cpuacct/lkstack-ingress-${process.pid}-${Date.now()}`;
  const script = [
    "set -e",
    `mkdir -p "${cgroup}"`,
    `echo $$ > "${cgroup}/cgroup.procs"`,
    `view="${dir}/cgroup-view"`,
    `mkdir -p "$view"`,
    `mount --bind "${cgroup}" "$view"`,
    "mount -t tmpfs lkstack-cgroup /sys/fs/cgroup",
    'mkdir "/sys/fs/cgroup/cpu,cpuacct"',
    'mount --bind "$view" "/sys/fs/cgroup/cpu,cpuacct"',
    `exec ingress --config "${layout.ingress.config}"`,
  ].join("\n");
  const daemon = startDaemon(BINARIES.unshare, ["-m", "--propagation", "private", "sh", "-c", script], {
    env: { PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: dir, GST_DEBUG: "1", ...env },
  });
  await waitForTcp(cfg.ingress.ports.health, daemon);
  return {
    ...daemon,
    cgroup,
    stop: async () => {
      await daemon.stop();
      // Handlers die with the service; the cgroup can go once it is empty.
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

/** CPU seconds used so far by every process in a cgroup (the Ingress and its per-stream handlers). */
export function cgroupCpuSeconds(cgroup: string): number {
  return Number(readFileSync(join(cgroup, "cpuacct.usage"), "utf8")) / 1e9;
}
