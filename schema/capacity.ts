import { DEFAULTS } from "./defaults";
import { UDP_PORTS_PER_PARTICIPANT, rangeSize, type PortRange } from "./ports";

/** What one SFU node must carry: every camera room's publisher plus the planned viewers. */
export interface NodeLoad {
  roomsPerNode: number;
  participantsPerNode: number;
  udpPortsNeeded: number;
  memoryNeededBytes: number;
}

export function nodeLoad(cameras: number, concurrentViewers: number, replicas: number): NodeLoad {
  const roomsPerNode = Math.ceil(cameras / replicas);
  const participantsPerNode = Math.ceil((cameras + concurrentViewers) / replicas);
  return {
    roomsPerNode,
    participantsPerNode,
    udpPortsNeeded: participantsPerNode * UDP_PORTS_PER_PARTICIPANT,
    memoryNeededBytes: DEFAULTS.sfuMemoryOverheadBytes + roomsPerNode * DEFAULTS.sfuMemoryPerRoomBytes,
  };
}

/** Participants one node can hold before its UDP range runs out. */
export function participantBudget(range: PortRange): number {
  return Math.floor(rangeSize(range) / UDP_PORTS_PER_PARTICIPANT);
}

/** Smallest replica count whose per-node participants fit in the range. */
export function replicasForRange(cameras: number, concurrentViewers: number, range: PortRange): number {
  const budget = participantBudget(range);
  return budget === 0 ? Infinity : Math.max(1, Math.ceil((cameras + concurrentViewers) / budget));
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.ceil(bytes / 1024 ** 2)} MiB`;
}
