import { stackSummary } from "../../templates";
import { minimal, parse, stackFromFile } from "../helpers/fixtures";

// The overview `lkstack render` and `lkstack preview` print and the program exports as `summary`:
// a reviewer reads it on every pull request, so each line says what the stack runs, or that it does not.
const linesOf = (text: string) => Object.fromEntries(text.split("\n").map((l) => [l.split(/[: ]/)[0], l]));

describe("the stack summary", () => {
  it("prod: namespace, pinned versions, SFU ports and node IP, the port budget, TURN with TLS, Sentinel, MediaMTX", () => {
    const cfg = stackFromFile("prod");
    const l = linesOf(stackSummary(cfg, "prod"));
    expect(l.stack).toBe(`stack prod: target kubernetes (namespace ${cfg.kubernetes.namespace})`);
    expect(l.versions).toBe(
      `versions: livekit-server ${cfg.versions.livekitServer}, ingress ${cfg.versions.livekitIngress}, coturn ${cfg.versions.coturn}, valkey ${cfg.versions.valkey}, mediamtx ${cfg.versions.mediamtx}`,
    );
    expect(l.sfu).toBe(
      `sfu: ${cfg.sfu.replicas} replica(s); http 7880/tcp, ice 7881/tcp, metrics 7882/tcp, media 50000-50500/udp; node ip hostIP`,
    );
    expect(l["per-node"]).toMatch(/^per-node participants: \d+ planned of 250 \(501 UDP ports, 2 per participant\)$/);
    expect(l.turn).toMatch(
      new RegExp(`^turn: ${cfg.turn.domain} 3478/udp\\+tcp, 5349/tls, relay \\d+-\\d+/udp, \\d+ denied and \\d+ allowed peer ranges$`),
    );
    expect(l.valkey).toBe(
      `valkey: sentinel (${cfg.valkey.sentinel.replicas} sentinels, quorum ${cfg.valkey.sentinel.quorum}), port 6379, maxmemory ${cfg.valkey.maxmemory} noeviction, persistence ${cfg.valkey.persistence ? "on" : "off"}`,
    );
    expect(l.mediamtx).toBe(`mediamtx: ${cfg.cameras.length} camera path(s), rtsp 8554, api 9997`);
    expect(l.ingress).toBe(`ingress: ${cfg.ingress.replicas} replica(s), health 8086, metrics 8087`);
  });

  it("says what the stack does not run, and a Docker stack's mode", () => {
    const cfg = parse(
      minimal("docker", {
        turn: { enabled: false } as never,
        ingress: { enabled: false } as never,
        mediamtx: { enabled: false } as never,
        cameras: [],
      }),
    );
    const l = linesOf(stackSummary(cfg, "dev"));
    expect(l.stack).toBe(`stack dev: target docker (${cfg.docker.mode})`);
    expect([l.turn, l.ingress, l.mediamtx]).toEqual(["turn: disabled", "ingress: disabled", "mediamtx: disabled"]);
    expect(l.valkey).toMatch(/^valkey: standalone, port 6379, /);
  });

  it("single-port mode: every participant on the one UDP port; a static node IP is shown", () => {
    const cfg = parse(
      minimal("kubernetes", {
        turn: { enabled: false } as never,
        sfu: { ports: { udpMode: "single" }, nodeIp: { strategy: "static", address: "203.0.113.7" } } as never,
      }),
    );
    const l = linesOf(stackSummary(cfg, "s"));
    expect(l["per-node"]).toMatch(/^per-node participants: \d+ planned, all on UDP port 50000 \(single-port mode\)$/);
    expect(l.sfu).toMatch(/; node ip static 203\.0\.113\.7$/);
  });

  it("TURN without TLS lists no TLS port; Valkey says whether it persists", () => {
    const line = (persistence: boolean) =>
      linesOf(stackSummary(parse(minimal("kubernetes", { turn: { tls: { enabled: false } }, valkey: { persistence } } as never)), "s"));
    const off = line(false);
    expect(off.turn).toMatch(/^turn: turn\.example\.test 3478\/udp\+tcp, relay \d+-\d+\/udp, /);
    expect(off.valkey).toMatch(/, persistence off$/);
    expect(line(true).valkey).toMatch(/, persistence on$/);
  });
});
