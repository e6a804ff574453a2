import { execFileSync } from "node:child_process";

/**
 * A test host in its own network namespace, joined to this host by a veth pair. Gives the TURN
 * tests real peers at private addresses without touching any real network.
 */
export interface TestHost {
  name: string;
  hostAddress: string;
  peerAddresses: string[];
  exec: (cmd: string[]) => string[];
  destroy: () => void;
}

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: "pipe" });
}

export function createTestHost(subnet: string, peers: number[]): TestHost {
  const id = `${process.pid % 100000}`;
  const name = `lkst${id}`;
  const hostIf = `lkh${id}`;
  const peerIf = `lkp${id}`;
  const hostAddress = `${subnet}.1`;
  const peerAddresses = peers.map((n) => `${subnet}.${n}`);
  ip("netns", "add", name);
  try {
    ip("link", "add", hostIf, "type", "veth", "peer", "name", peerIf);
    ip("link", "set", peerIf, "netns", name);
    ip("addr", "add", `${hostAddress}/24`, "dev", hostIf);
    ip("link", "set", hostIf, "up");
    for (const a of peerAddresses) ip("-n", name, "addr", "add", `${a}/24`, "dev", peerIf);
    ip("-n", name, "link", "set", peerIf, "up");
    ip("-n", name, "link", "set", "lo", "up");
  } catch (e) {
    ip("netns", "del", name);
    throw e;
  }
  return {
    name,
    hostAddress,
    peerAddresses,
    exec: (cmd) => ["ip", "netns", "exec", name, ...cmd],
    destroy: () => {
      try {
        ip("link", "del", hostIf);
      } finally {
        ip("netns", "del", name);
      }
    },
  };
}

/** Whether this process may create namespaces (root with iproute2). */
export function canCreateNamespaces(): boolean {
  try {
    const probe = `lkstprobe${process.pid % 100000}`;
    ip("netns", "add", probe);
    ip("netns", "del", probe);
    return true;
  } catch {
    return false;
  }
}
