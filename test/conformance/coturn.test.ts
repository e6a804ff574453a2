import { COTURN_BUILD_FEATURES, COTURN_OPTIONS, compareSemVer, parseSemVer, type StackConfig } from "../../schema/allowlists";
import { turnserverStartScript } from "../../templates";
import { BINARIES, freePorts, requireBinaries, run, startDaemon, tempDir, underCi, type Daemon } from "../helpers/servers";
import { TEST_SECRETS, minimal, parse } from "../helpers/fixtures";
import { materialize } from "../helpers/realStack";
import { canCreateNamespaces, createTestHost, type TestHost } from "../helpers/netns";

const bins = requireBinaries(["turnserver", "turnutilsUclient", "turnutilsPeer"]);
if (bins.available && !canCreateNamespaces()) {
  if (underCi()) throw new Error("under CI, but this process cannot create network namespaces (needs root and iproute2)");
  process.stderr.write("skipping coturn conformance: cannot create network namespaces (needs root)\n");
}
const suite = bins.available && canCreateNamespaces() ? describe : describe.skip;

const SUBNET = "10.213.7";
const PEER_PORT = 3480;

suite("rendered turnserver.conf on the real coturn (Debian build)", () => {
  let host: TestHost;
  let peer: Daemon;
  let coturn: Daemon;
  let cfg: StackConfig;
  let turnPort = 0;
  let version = "";

  beforeAll(async () => {
    host = createTestHost(SUBNET, [2, 3]);
    const [sfuPeer] = host.peerAddresses;
    const [listening, metrics] = await freePorts(2);
    turnPort = listening;
    // The "SFU" is the namespace host at .2: the only private peer the rendered config allows.
    cfg = parse(
      minimal("docker", {
        sfu: { nodeIp: { strategy: "static", address: sfuPeer } },
        turn: {
          domain: "turn.example.test",
          allowedPeers: [`${sfuPeer}/32`],
          listeningIps: ["127.0.0.1"],
          relayIps: [host.hostAddress],
          ports: { listening, metrics },
        },
      }),
    );
    peer = startDaemon(
      host.exec([BINARIES.turnutilsPeer, ...host.peerAddresses.flatMap((a) => ["-L", a]), "-p", String(PEER_PORT)])[0],
      host.exec([BINARIES.turnutilsPeer, ...host.peerAddresses.flatMap((a) => ["-L", a]), "-p", String(PEER_PORT)]).slice(1),
    );
    const dir = tempDir("coturn");
    const { layout } = materialize(cfg, TEST_SECRETS, dir, "turn");
    // The same start command the containers run: public file + secret fragment, joined privately.
    coturn = startDaemon("sh", ["-c", turnserverStartScript(layout)]);
    for (let i = 0; i < 50 && !/Total General servers|relay.*initialized|IO method/i.test(coturn.output()); i++)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    version = (await run(BINARIES.turnserver, ["--version"])).output.trim();
  }, 30000);

  afterAll(async () => {
    await coturn?.stop();
    await peer?.stop();
    host?.destroy();
  });

  const allocate = (secret: string, peerAddress: string) =>
    run(
      BINARIES.turnutilsUclient,
      [
        "-W",
        secret,
        "-u",
        "camera_viewer",
        "-e",
        peerAddress,
        "-r",
        String(PEER_PORT),
        "-n",
        "5",
        "-c",
        "-p",
        String(turnPort),
        "127.0.0.1",
      ],
      20000,
    );

  it("relays to the allowed SFU peer with REST credentials from the current secret", async () => {
    const r = await allocate(TEST_SECRETS.turnSecrets[0], host.peerAddresses[0]);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/Total lost packets 0 \(0\.0+%\)/);
  });

  it("still accepts the previous secret during a rotation", async () => {
    const r = await allocate(TEST_SECRETS.turnSecrets[1], host.peerAddresses[0]);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/Total lost packets 0 /);
  });

  it("refuses a wrong secret", async () => {
    const r = await allocate("not-the-secret", host.peerAddresses[0]);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/Cannot complete Allocation/);
    expect(coturn.output()).toMatch(/check_stun_auth: Cannot find credentials of user <\d+:camera_viewer>/);
  });

  it("refuses a permission to a denied private peer", async () => {
    const r = await allocate(TEST_SECRETS.turnSecrets[0], host.peerAddresses[1]);
    expect(r.output).toMatch(/403|Forbidden IP/i);
    expect(r.output).not.toMatch(/Total lost packets 0 /);
    expect(coturn.output()).toContain(`A peer IP ${host.peerAddresses[1]} denied in the range: 10.0.0.0-10.255.255.255`);
  });

  it("accepts every rendered line except options newer than, or compiled out of, the Debian build", () => {
    const log = coturn.output();
    // 4.6.x prints this notice whenever the (unused) telnet CLI has no password; 4.10+ has the CLI off.
    const notices = log.replace(/CONFIG ERROR: Empty cli-password[^\n]*/g, "");
    expect(notices).not.toMatch(/Wrong address format|CONFIG ERROR|Aborting/);
    const installed = parseSemVer(version.replace(/^.*?(\d+\.\d+\.\d+).*$/s, "$1"));
    expect(installed).toBeDefined();
    const rejected = [...log.matchAll(/Bad configuration format: ([a-z0-9-]+)/g)].map((m) => m[1]);
    for (const option of rejected) {
      if ((COTURN_BUILD_FEATURES.prometheus as readonly string[]).includes(option)) continue;
      const since = parseSemVer(COTURN_OPTIONS.get(option) ?? "0.0.0");
      expect({ option, newerThanInstalled: since !== undefined && installed !== undefined && compareSemVer(since, installed) > 0 }).toEqual(
        {
          option,
          newerThanInstalled: true,
        },
      );
    }
  });

  it("after step 2 of a rotation (previous secret removed) refuses the old credentials and keeps the new", async () => {
    await coturn.stop();
    const dir = tempDir("coturn-rotated");
    const { layout } = materialize(cfg, { ...TEST_SECRETS, turnSecrets: [TEST_SECRETS.turnSecrets[0]] }, dir, "turn");
    coturn = startDaemon("sh", ["-c", turnserverStartScript(layout)]);
    for (let i = 0; i < 50 && !/Total General servers|relay.*initialized|IO method/i.test(coturn.output()); i++)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    const old = await allocate(TEST_SECRETS.turnSecrets[1], host.peerAddresses[0]);
    expect(old.code).not.toBe(0);
    expect(old.output).toMatch(/Cannot complete Allocation/);
    const current = await allocate(TEST_SECRETS.turnSecrets[0], host.peerAddresses[0]);
    expect(current.code).toBe(0);
    expect(current.output).toMatch(/Total lost packets 0 /);
  });
});
