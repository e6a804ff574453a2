import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";

/** CPU seconds (user + system) and resident memory of one process, from /proc. */
export function procStats(pid: number): { cpuSeconds: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { cpuSeconds: ticks / 100, rssBytes: Number(rss?.[1] ?? 0) * 1024 };
}

/** The same, summed over every process of a cgroup (a service and the children it spawns). */
export function cgroupStats(cgroup: string): { cpuSeconds: number; rssBytes: number } {
  const pids = readFileSync(`${cgroup}/cgroup.procs`, "utf8").split("\n").filter(Boolean).map(Number);
  let rssBytes = 0;
  for (const pid of pids)
    try {
      rssBytes += procStats(pid).rssBytes;
    } catch {
      // the process ended between the listing and the read
    }
  // cgroup v1 cpuacct counts nanoseconds; v2's cpu.stat has usage_usec.
  const cpuSeconds = existsSync(`${cgroup}/cpuacct.usage`)
    ? Number(readFileSync(`${cgroup}/cpuacct.usage`, "utf8")) / 1e9
    : Number(/usage_usec (\d+)/.exec(readFileSync(`${cgroup}/cpu.stat`, "utf8"))?.[1] ?? 0) / 1e6;
  return { cpuSeconds, rssBytes };
}

/** Busy share of the whole machine between two /proc/stat readings. */
export function machineTicks(): { busy: number; total: number } {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * The UDP sockets one process holds: its socket inodes (/proc/PID/fd) matched against the
 * kernel's tables (/proc/PID/net/udp and udp6). `address` is the kernel's hex local address.
 */
export function udpSockets(pid: number): { address: string; port: number }[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // the descriptor closed between the listing and the read
    }
  }
  const out: { address: string; port: number }[] = [];
  for (const table of ["udp", "udp6"]) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || !inodes.has(cols[9])) continue;
      const [address, port] = cols[1].split(":");
      out.push({ address, port: parseInt(port, 16) });
    }
  }
  return out;
}
