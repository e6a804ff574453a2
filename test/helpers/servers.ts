import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer, connect } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { VERSIONS, TEST_TOOL_VERSIONS } from "../../schema";

export const CACHE_DIR = process.env.LKSTACK_CACHE_DIR ?? join(homedir(), ".cache", "lkstack");

/** Paths of the real servers; the install script puts the Go-built ones in the cache. */
export const BINARIES = {
  livekitServer: join(CACHE_DIR, "bin", `livekit-server-${VERSIONS.livekitServer}`),
  actionlint: join(CACHE_DIR, "bin", `actionlint-${TEST_TOOL_VERSIONS.actionlint}`),
  turnserver: "/usr/bin/turnserver",
  chromium: "/usr/bin/chromium",
  turnutilsUclient: "/usr/bin/turnutils_uclient",
  turnutilsPeer: "/usr/bin/turnutils_peer",
  redisServer: "/usr/bin/redis-server",
  ingress: join(CACHE_DIR, "bin", `ingress-${VERSIONS.livekitIngress}`),
  mediamtx: join(CACHE_DIR, "bin", `mediamtx-${VERSIONS.mediamtx}`),
  /** Debian's Python with PyGObject: the test camera (test/helpers/rtsp_camera.py) runs on it. */
  python3: "/usr/bin/python3",
  rtspServerTypelib: "/usr/lib/x86_64-linux-gnu/girepository-1.0/GstRtspServer-1.0.typelib",
  unshare: "/usr/bin/unshare",
  /** Debian's Caddy: the TLS edge, run from the rendered Caddyfile. */
  caddy: "/usr/bin/caddy",
  /** Makes the test CA and certificates. */
  openssl: "/usr/bin/openssl",
  /** Ours (publisher/): scripts/build-go-servers.sh links its current build here. */
  publisher: join(CACHE_DIR, "bin", "lkstack-publisher"),
  /** Ours (bench/loadclient): the load bench's client, linked the same way. */
  loadClient: join(CACHE_DIR, "bin", "lkstack-load"),
  // The engine suite's (test/engine): the Pulumi CLI, its kubernetes provider and a control plane.
  pulumi: join(CACHE_DIR, "bin", `pulumi-${TEST_TOOL_VERSIONS.pulumiCli}`),
  pulumiKubernetes: join(CACHE_DIR, "bin", `pulumi-resource-kubernetes-${TEST_TOOL_VERSIONS.pulumiKubernetesProvider}`),
  kubeApiserver: join(CACHE_DIR, "bin", `kube-apiserver-${TEST_TOOL_VERSIONS.kubernetes}`),
  kubeControllerManager: join(CACHE_DIR, "bin", `kube-controller-manager-${TEST_TOOL_VERSIONS.kubernetes}`),
  etcd: join(CACHE_DIR, "bin", `etcd-${TEST_TOOL_VERSIONS.etcd}`),
  /** The published CRD manifests scripts/build-go-servers.sh copies from the module zips. */
  engineCrds: join(CACHE_DIR, "crds", `${TEST_TOOL_VERSIONS.prometheusOperatorCrds}-${TEST_TOOL_VERSIONS.certManagerCrds}`),
} as const;

/** Any truthy CI (GitHub's "true", others' "1" or "yes"): a missing server is then an error, never a skip. */
export function underCi(): boolean {
  const ci = (process.env.CI ?? "").trim().toLowerCase();
  return ci !== "" && ci !== "false" && ci !== "0";
}

/**
 * A conformance suite runs only with its binaries. Locally a missing one skips the suite with the
 * reason; under any truthy CI it is an error, so CI can never pass without the real servers.
 */
export function requireBinaries(names: (keyof typeof BINARIES)[]): { available: boolean; reason: string } {
  const missing = names.filter((n) => !existsSync(BINARIES[n])).map((n) => BINARIES[n]);
  if (missing.length === 0) return { available: true, reason: "" };
  const reason = `missing ${missing.join(", ")}; run scripts/install-test-servers.sh`;
  if (underCi()) throw new Error(`CI=${process.env.CI ?? ""} and ${reason}`);
  process.stderr.write(`skipping conformance suite: ${reason}\n`);
  return { available: false, reason };
}

/** Debian's Chromium, headless, with no network of its own (this machine's network is closed). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: BINARIES.chromium,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `lkstack-${prefix}-`));
}

/**
 * Ports for test daemons come from 20000-29999: below Linux's ephemeral range (32768+), so an
 * outgoing connection cannot take one between our check and the daemon's bind; below the UDP
 * ranges the tests give LiveKit and coturn (40000+); and below Kubernetes' NodePort range
 * (30000-32767), which the schema refuses for the host-network ports of a Kubernetes stack.
 */
const TEST_PORTS = { start: 20000, end: 29999 };

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (;;) {
    const port = TEST_PORTS.start + Math.floor(Math.random() * (TEST_PORTS.end - TEST_PORTS.start + 1));
    if (await bindable(port)) return port;
  }
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  return ports;
}

export interface Daemon {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

export function startDaemon(cmd: string, args: string[], opts: SpawnOptions = {}): Daemon {
  const proc = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return {
    proc,
    output: () => out,
    exited,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGINT");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves once something accepts TCP on host:port; rejects if the daemon exits first. */
export async function waitForTcp(port: number, daemon: Daemon, host = "127.0.0.1", timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (daemon.proc.exitCode !== null) throw new Error(`daemon exited (${daemon.proc.exitCode}) before listening:\n${daemon.output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host);
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${host}:${port}:\n${daemon.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion with a hard timeout (load loops must stop by themselves). */
export async function run(cmd: string, args: string[], timeoutMs = 30000, opts: SpawnOptions = {}): Promise<RunResult> {
  const d = startDaemon(cmd, args, opts);
  const timer = setTimeout(() => d.proc.kill("SIGKILL"), timeoutMs);
  const code = await d.exited;
  clearTimeout(timer);
  return { code, output: d.output() };
}
