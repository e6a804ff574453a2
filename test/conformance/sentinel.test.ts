import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseStackConfig, type FileLayout, type StackConfig } from "../../schema";
import { dataStartScript, sentinelStartScript, renderStack } from "../../templates";
import { minimal, TEST_SECRETS } from "../helpers/fixtures";
import { canCreateNamespaces } from "../helpers/netns";
import { materialize } from "../helpers/realStack";
import { BINARIES, requireBinaries, startDaemon, tempDir, underCi, type Daemon } from "../helpers/servers";

const bins = requireBinaries(["redisServer", "livekitServer"]);
if (bins.available && !canCreateNamespaces() && underCi())
  throw new Error("under CI, but this process cannot create network namespaces (needs root and iproute2)");
if (bins.available && !canCreateNamespaces())
  process.stderr.write("skipping Sentinel conformance: cannot create network namespaces (needs root and iproute2)\n");
const suite = bins.available && canCreateNamespaces() ? describe : describe.skip;

const NS = "lkt";
const fqdn = (pod: string, svc: string) => `${pod}.${svc}.${NS}.svc.cluster.local`;

/**
 * The Sentinel deployment as the StatefulSets run it: the rendered configs and the pods' own
 * start scripts, three data pods and three sentinels, each on its own loopback address inside a
 * network namespace whose /etc/hosts (ip netns exec bind-mounts /etc/netns/<ns>/hosts) resolves
 * the pods' in-cluster DNS names. Debian's redis-server 7.0 stands in for Valkey.
 */
suite("Valkey Sentinel from the rendered files and start scripts, with livekit-server on top", () => {
  const netns = `lkss${process.pid % 100000}`;
  let cfg: StackConfig;
  let root = "";
  const data: Daemon[] = [];
  const sentinels: Daemon[] = [];
  let livekit: Daemon | undefined;
  const dataIp = (i: number) => `127.0.1.${i + 1}`;
  const sentinelIp = (i: number) => `127.0.2.${i + 1}`;

  const inNs = (cmd: string[]) => ["ip", "netns", "exec", netns, ...cmd];
  const cli = (ip: string, port: number, ...args: string[]): string =>
    execFileSync("ip", ["netns", "exec", netns, "redis-cli", "-h", ip, "-p", String(port), "--no-auth-warning", ...args], {
      env: { ...process.env, REDISCLI_AUTH: TEST_SECRETS.valkeyPassword },
      encoding: "utf8",
      timeout: 5000,
    }).trim();

  /** A pod: its own files (the layout under a directory) and shims for hostname and the binaries. */
  function pod(name: string, ip: string): { layout: FileLayout; env: Record<string, string> } {
    const dir = join(root, name);
    const { layout } = materialize(cfg, TEST_SECRETS, dir, "valkey");
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    const shim = (file: string, body: string) => {
      writeFileSync(join(bin, file), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, file), 0o755);
    };
    shim("hostname", `echo ${name}`);
    // Every pod listens on its own address, as each has its own network in the cluster. There its
    // connections also leave from that address; on one loopback they leave from 127.0.0.1, so a
    // sentinel is told which address to announce (added to its writable runtime copy only).
    shim(
      "valkey-server",
      [
        `if [ "$2" = "--sentinel" ]; then echo "sentinel announce-ip ${ip}" >> "$1"; fi`,
        `exec ${BINARIES.redisServer} "$@" --bind ${ip}`,
      ].join("\n"),
    );
    shim("valkey-cli", `exec redis-cli "$@"`);
    return { layout, env: { PATH: `${bin}:${process.env.PATH ?? ""}`, REDISCLI_AUTH: TEST_SECRETS.valkeyPassword } };
  }

  function startData(i: number): Daemon {
    const p = pod(`lkstack-valkey-${i}`, dataIp(i));
    return startDaemon("ip", ["netns", "exec", netns, "sh", "-c", dataStartScript(cfg, p.layout)], { env: p.env });
  }

  /** LiveKit's readiness (GET / is 200 only while its Redis keepalive works), asked inside the namespace. */
  function livekitReady(): boolean {
    const script = `fetch("http://127.0.0.1:${cfg.sfu.ports.http}/").then(r=>console.log(r.status)).catch(()=>console.log(0))`;
    return (
      execFileSync("ip", ["netns", "exec", netns, process.execPath, "-e", script], { encoding: "utf8", timeout: 5000 }).trim() === "200"
    );
  }

  async function until(what: string, pred: () => boolean, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      try {
        if (pred()) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}\n${[...sentinels, ...data].map((d) => d.output().slice(-1500)).join("\n---\n")}`);
  }

  beforeAll(async () => {
    cfg = parseStackConfig(minimal("kubernetes", { kubernetes: { namespace: NS }, valkey: { mode: "sentinel" } }));
    root = tempDir("sentinel");
    execFileSync("ip", ["netns", "add", netns]);
    execFileSync("ip", ["-n", netns, "link", "set", "lo", "up"]);
    const hosts = [
      "127.0.0.1 localhost",
      ...[0, 1, 2].map((i) => `${dataIp(i)} ${fqdn(`lkstack-valkey-${i}`, "lkstack-valkey")}`),
      ...[0, 1, 2].map((i) => `${sentinelIp(i)} ${fqdn(`lkstack-valkey-sentinel-${i}`, "lkstack-valkey-sentinel")}`),
      // The headless Service name answers with one of the sentinels.
      `${sentinelIp(0)} lkstack-valkey-sentinel.${NS}.svc.cluster.local`,
    ];
    mkdirSync(`/etc/netns/${netns}`, { recursive: true });
    writeFileSync(`/etc/netns/${netns}/hosts`, hosts.join("\n") + "\n");
    for (const i of [0, 1, 2]) {
      data.push(startData(i));
      // OrderedReady: the next pod starts once this one answers.
      await until(`valkey-${i}`, () => cli(dataIp(i), cfg.valkey.port, "PING") === "PONG", 15000);
    }
    for (const i of [0, 1, 2]) {
      const p = pod(`lkstack-valkey-sentinel-${i}`, sentinelIp(i));
      sentinels.push(startDaemon("ip", ["netns", "exec", netns, "sh", "-c", sentinelStartScript(p.layout)], { env: p.env }));
    }
    await until(
      "sentinels to agree",
      () =>
        cli(sentinelIp(2), cfg.valkey.sentinel.port, "SENTINEL", "get-master-addr-by-name", cfg.valkey.sentinel.masterName).startsWith(
          fqdn("lkstack-valkey-0", "lkstack-valkey"),
        ),
      20000,
    );
  }, 90000);

  afterAll(async () => {
    await livekit?.stop();
    for (const d of [...sentinels, ...data]) await d.stop();
    try {
      execFileSync("ip", ["netns", "del", netns]);
    } finally {
      rmSync(`/etc/netns/${netns}`, { recursive: true, force: true });
    }
  });

  it("pod 0 starts as primary and the others follow it by name", () => {
    expect(cli(dataIp(0), cfg.valkey.port, "ROLE").split("\n")[0]).toBe("master");
    for (const i of [1, 2]) expect(cli(dataIp(i), cfg.valkey.port, "ROLE").split("\n")[0]).toBe("slave");
    expect(cli(dataIp(1), cfg.valkey.port, "INFO", "replication")).toContain(`master_host:${fqdn("lkstack-valkey-0", "lkstack-valkey")}`);
  });

  it("livekit-server runs against the rendered sentinel addresses", async () => {
    const dir = tempDir("sentinel-livekit");
    const { layout, env } = materialize(cfg, TEST_SECRETS, dir, "sfu");
    expect(renderStack(cfg, TEST_SECRETS).sfu?.publicFiles["livekit.yaml"]).toMatch(/sentinel_addresses:/);
    livekit = startDaemon("ip", inNs([BINARIES.livekitServer, "--config", layout.sfu.config]).slice(1), {
      env: { PATH: process.env.PATH, HOME: dir, ...env, NODE_IP: "127.0.0.1" },
    });
    await until("livekit GET / 200", livekitReady, 20000);
    const lk = livekit;
    await until("livekit's redis log line", () => /connecting to redis/.test(lk.output()), 10000);
    expect(lk.output()).toMatch(/connecting to redis.*sentinel/i);
  }, 40000);

  it("fails over when the primary dies, and the old primary rejoins as a replica", async () => {
    await data[0].stop();
    const primary = () =>
      cli(sentinelIp(0), cfg.valkey.sentinel.port, "SENTINEL", "get-master-addr-by-name", cfg.valkey.sentinel.masterName).split("\n")[0];
    await until("a new primary", () => primary() !== fqdn("lkstack-valkey-0", "lkstack-valkey"), 45000);
    const promoted = primary();
    expect([fqdn("lkstack-valkey-1", "lkstack-valkey"), fqdn("lkstack-valkey-2", "lkstack-valkey")]).toContain(promoted);
    // Restarted with the same start script, pod 0 asks the sentinels and follows the new primary.
    data[0] = startData(0);
    await until("pod 0 back as a replica", () => cli(dataIp(0), cfg.valkey.port, "ROLE").split("\n")[0] === "slave", 20000);
    expect(cli(dataIp(0), cfg.valkey.port, "INFO", "replication")).toContain(`master_host:${promoted}`);
    // LiveKit follows the sentinels to the new primary: the node stays ready.
    await until("livekit ready after the failover", livekitReady, 30000);
  }, 90000);
});
