import { nodeLoad, participantBudget, rangeSize, sfuUdpPorts, UDP_PORTS_PER_PARTICIPANT, type StackConfig } from "../schema";

/**
 * The short, secret-free overview of a stack: what `lkstack render` and `lkstack preview` print,
 * and the program's `summary` stack output.
 */
export function stackSummary(cfg: StackConfig, stack: string): string {
  const load = nodeLoad(cfg.cameras.length, cfg.capacity.concurrentViewers, cfg.sfu.replicas, cfg.sfu.ports.udpMode);
  const udp = sfuUdpPorts(cfg.sfu.ports);
  const lines = [
    `stack ${stack}: target ${cfg.target}${cfg.target === "docker" ? ` (${cfg.docker.mode})` : ` (namespace ${cfg.kubernetes.namespace})`}`,
    `versions: livekit-server ${cfg.versions.livekitServer}, ingress ${cfg.versions.livekitIngress}, coturn ${cfg.versions.coturn}, valkey ${cfg.versions.valkey}, mediamtx ${cfg.versions.mediamtx}`,
    `sfu: ${cfg.sfu.replicas} replica(s); http ${cfg.sfu.ports.http}/tcp, ice ${cfg.sfu.ports.rtcTcp}/tcp, metrics ${cfg.sfu.ports.metrics}/tcp, media ${udp.start}-${udp.end}/udp; node ip ${cfg.sfu.nodeIp.strategy}${cfg.sfu.nodeIp.strategy === "static" ? ` ${cfg.sfu.nodeIp.address}` : ""}`,
    cfg.sfu.ports.udpMode === "single"
      ? `per-node participants: ${load.participantsPerNode} planned, all on UDP port ${udp.start} (single-port mode)`
      : `per-node participants: ${load.participantsPerNode} planned of ${participantBudget(udp)} (${rangeSize(udp)} UDP ports, ${UDP_PORTS_PER_PARTICIPANT} per participant)`,
    cfg.turn.enabled
      ? `turn: ${cfg.turn.domain} ${cfg.turn.ports.listening}/udp+tcp${cfg.turn.tls.enabled ? `, ${cfg.turn.ports.tls}/tls` : ""}, relay ${cfg.turn.ports.relay.start}-${cfg.turn.ports.relay.end}/udp, ${cfg.turn.deniedPeers.length} denied and ${cfg.turn.allowedPeers.length} allowed peer ranges`
      : "turn: disabled",
    `ingress: ${cfg.ingress.enabled ? `${cfg.ingress.replicas} replica(s), health ${cfg.ingress.ports.health}, metrics ${cfg.ingress.ports.metrics}` : "disabled"}`,
    `valkey: ${cfg.valkey.mode}${cfg.valkey.mode === "sentinel" ? ` (${cfg.valkey.sentinel.replicas} sentinels, quorum ${cfg.valkey.sentinel.quorum})` : ""}, port ${cfg.valkey.port}, maxmemory ${cfg.valkey.maxmemory} noeviction, persistence ${cfg.valkey.persistence ? "on" : "off"}`,
    `mediamtx: ${cfg.mediamtx.enabled ? `${cfg.cameras.length} camera path(s), rtsp ${cfg.mediamtx.ports.rtsp}, api ${cfg.mediamtx.ports.api}` : "disabled"}`,
  ];
  return lines.join("\n");
}
