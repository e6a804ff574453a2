import { existsSync, readFileSync } from "node:fs";

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
