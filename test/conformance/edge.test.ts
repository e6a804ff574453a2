import { mkdirSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { dirname, join } from "node:path";
import {
  dispose,
  LocalVideoTrack,
  Room,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
} from "@livekit/rtc-node";
import { AccessToken } from "livekit-server-sdk";
import type { Browser, Page } from "playwright-core";
import { doctorTargets, runDoctor, type Check } from "../../cli/doctor";
import { inspectTls } from "../../cli/probes/tls";
import { turnAllocateTls, turnRestCredentials } from "../../cli/probes/turn";
import { layoutUnder, SECRET_ENV, signallingUrl } from "../../schema";
import { edgeStartScript, renderCaddyfile, turnserverStartScript } from "../../templates";
import { PROJECT_DIR, TEST_SECRETS } from "../helpers/fixtures";
import { startLocalStack, type LocalStack } from "../helpers/livekitStack";
import { issueLeaf, makeCa, type Leaf, type TestCa } from "../helpers/pki";
import { materialize } from "../helpers/realStack";
import { freePorts, launchChromium, requireBinaries, startDaemon, tempDir, waitForTcp, type Daemon } from "../helpers/servers";

const bins = requireBinaries(["livekitServer", "redisServer", "chromium", "caddy", "openssl", "turnserver"]);
const suite = bins.available ? describe : describe.skip;

/** Resolves to 127.0.0.1 for Node (/etc/hosts) and Chromium alike, so no DNS is touched. */
const HOST = "localhost";
const ROOM = "camera_7d1f0c3a-5b2e-4c69-9a8d-1e2f3a4b5c6d";
const W = 320;
const H = 180;
/** The watchers' period in the test (the stack's default is DEFAULTS.certWatchSeconds). */
const WATCH_SECONDS = 1;

function frame(n: number): VideoFrame {
  const data = new Uint8Array(W * H * 1.5);
  for (let y = 0; y < H; y++) data.fill(16 + Math.floor((200 * y) / H), y * W, (y + 1) * W);
  const x0 = (n * 8) % W;
  for (let y = 0; y < H; y++) data.fill(235, y * W + x0, y * W + Math.min(W, x0 + 24));
  data.fill(128, W * H);
  return new VideoFrame(data, W, H, VideoBufferType.I420);
}

/** Rewrites a certificate pair in place, the certificate first, as a renewal job on a Docker host does. */
function install(leaf: Leaf, paths: { cert: string; key: string }): void {
  mkdirSync(dirname(paths.cert), { recursive: true });
  writeFileSync(paths.cert, leaf.cert);
  writeFileSync(paths.key, leaf.key, { mode: 0o600 });
}

async function until(what: string, pred: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await pred()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

suite("the TLS edge: Caddy from the rendered Caddyfile before livekit-server, coturn TLS, renewals", () => {
  let dir: string;
  let ca: TestCa;
  let first: Leaf;
  let renewed: Leaf;
  let stack: LocalStack;
  let caddy: Daemon;
  let coturn: Daemon;
  let viewer: Daemon;
  let page: Page;
  let browser: Browser;
  let https: HttpsServer;
  let camera: Room;
  let timer: NodeJS.Timeout;
  let edgePort = 0;
  let pagePort = 0;
  let turnTlsPort = 0;
  let edgeFiles: { cert: string; key: string };
  let turnFiles: { cert: string; key: string };
  const sockets: string[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    dir = tempDir("edge");
    ca = makeCa(dir);
    // 10 days: doctor must call it too close to expiry; the renewal has 90.
    first = issueLeaf(dir, ca, "first", HOST, 10);
    renewed = issueLeaf(dir, ca, "renewed", HOST, 90);
    let viewerPort: number, turnPort: number, turnMetrics: number;
    [edgePort, pagePort, viewerPort, turnPort, turnTlsPort, turnMetrics] = await freePorts(6);
    stack = await startLocalStack(
      { start: 53100, end: 53200 },
      {
        // The Caddy this test runs is Debian's.
        versions: { caddy: "2.6.2" },
        edge: {
          enabled: true,
          host: HOST,
          port: edgePort,
          certificate: { certFile: "/etc/lkstack/tls/live.pem", keyFile: "/etc/lkstack/tls/live.key" },
        },
        turn: {
          domain: HOST,
          listeningIps: ["127.0.0.1"],
          ports: { listening: turnPort, tls: turnTlsPort, metrics: turnMetrics },
          tls: { enabled: true, certificate: { certFile: "/etc/lkstack/tls/turn.pem", keyFile: "/etc/lkstack/tls/turn.key" } },
        },
      },
    );

    // The edge: the rendered Caddyfile; the only test-only settings are where Caddy listens and the
    // SFU's loopback address (the rendered upstream is the Docker bridge gateway).
    const edgeLayout = layoutUnder(join(dir, "edge"));
    edgeFiles = { cert: edgeLayout.edge.tlsCert, key: edgeLayout.edge.tlsKey };
    install(first, edgeFiles);
    mkdirSync(edgeLayout.edge.stateDir, { recursive: true });
    mkdirSync(dirname(edgeLayout.edge.config), { recursive: true });
    writeFileSync(
      edgeLayout.edge.config,
      renderCaddyfile(stack.cfg, edgeLayout, { port: edgePort, upstream: `127.0.0.1:${stack.http}`, bind: "127.0.0.1" }),
    );
    const state = edgeLayout.edge.stateDir;
    caddy = startDaemon("sh", ["-c", edgeStartScript(edgeLayout, WATCH_SECONDS)], {
      env: { PATH: process.env.PATH, HOME: state, XDG_DATA_HOME: state, XDG_CONFIG_HOME: state },
    });
    await waitForTcp(edgePort, caddy);
    // Caddy listens a moment before its certificate cache is filled: ready is a completed handshake.
    await until(
      "Caddy's first TLS handshake",
      async () => (await inspectTls("127.0.0.1", edgePort, HOST, 2000, ca.cert).catch(() => undefined))?.serial === first.serial,
      15000,
    );

    // coturn from the rendered turnserver.conf and the containers' start script (with its watcher).
    const { layout } = materialize(stack.cfg, TEST_SECRETS, join(dir, "turn"), "turn");
    turnFiles = { cert: layout.turn.tlsCert, key: layout.turn.tlsKey };
    install(first, turnFiles);
    coturn = startDaemon("sh", ["-c", turnserverStartScript(layout, { watchSeconds: WATCH_SECONDS })]);
    await waitForTcp(turnTlsPort, coturn);

    // A camera: publishes straight to the SFU (the edge is for viewers).
    const key = TEST_SECRETS.apiKeys[0];
    const t = new AccessToken(key.key, key.secret, { identity: "camera-edge" });
    t.addGrant({ roomJoin: true, room: ROOM, canPublish: true, canSubscribe: false });
    camera = new Room();
    await camera.connect(stack.wsUrl, await t.toJwt(), { autoSubscribe: false, dynacast: true });
    const source = new VideoSource(W, H);
    const opts = new TrackPublishOptions();
    opts.source = TrackSource.SOURCE_CAMERA;
    await camera.localParticipant?.publishTrack(LocalVideoTrack.createVideoTrack("camera", source), opts);
    let n = 0;
    timer = setInterval(() => source.captureFrame(frame(n++)), 1000 / 10);

    // `lkstack viewer --url wss://…` (the built CLI), trusting the test CA as an operator's machine trusts its CA.
    viewer = startDaemon(
      process.execPath,
      [
        join(PROJECT_DIR, "bin", "lkstack.js"),
        "viewer",
        "--stack",
        "dev",
        "--port",
        String(viewerPort),
        "--url",
        signallingUrl(stack.cfg) ?? "",
      ],
      {
        cwd: PROJECT_DIR,
        env: {
          PATH: process.env.PATH,
          [SECRET_ENV.apiKey]: key.key,
          [SECRET_ENV.apiSecret]: key.secret,
          NODE_EXTRA_CA_CERTS: ca.certPath,
        },
      },
    );
    await waitForTcp(viewerPort, viewer);

    // The page over https, as a city's viewer page is served: this front maps its own origin onto the
    // viewer's (127.0.0.1) one; any other Origin passes unchanged, so the viewer's guard still applies.
    const own = `https://${HOST}:${pagePort}`;
    https = createHttpsServer({ cert: renewed.cert, key: renewed.key }, (req, res) => {
      const origin = req.headers.origin === own ? { origin: `http://127.0.0.1:${viewerPort}` } : {};
      const up = httpRequest(
        {
          host: "127.0.0.1",
          port: viewerPort,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: `127.0.0.1:${viewerPort}`, ...origin },
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.once("error", () => res.writeHead(502).end());
      req.pipe(up);
    });
    await new Promise<void>((r) => https.listen(pagePort, "127.0.0.1", r));

    // Chromium accepts exactly the test certificates' keys.
    browser = await launchChromium([`--ignore-certificate-errors-spki-list=${first.spkiSha256},${renewed.spkiSha256}`]);
    page = await browser.newPage();
    page.on("websocket", (ws) => sockets.push(ws.url()));
    page.on("console", (m) => logs.push(m.text()));
    page.on("pageerror", (e) => logs.push(String(e)));
  }, 90000);

  afterAll(async () => {
    clearInterval(timer);
    await browser?.close();
    await new Promise((r) => (https ? https.close(r) : r(undefined)));
    await viewer?.stop();
    await camera?.disconnect();
    await dispose();
    await caddy?.stop();
    await coturn?.stop();
    await stack?.stop();
  });

  const tile = () => page.locator(`section.tile[data-room="${ROOM}"]`);
  const frames = async () => Number((await tile().getAttribute("data-frames")) ?? 0);
  const playing = async () => {
    const f1 = await frames();
    await new Promise((r) => setTimeout(r, 1000));
    return (await frames()) > f1;
  };
  const doctor = async (): Promise<Check[]> => {
    const targets = doctorTargets(
      stack.cfg,
      { url: stack.url, turn: `127.0.0.1:${stack.cfg.turn.ports.listening}` },
      {
        [SECRET_ENV.turnSecret]: TEST_SECRETS.turnSecrets[0],
      },
    );
    return runDoctor(stack.cfg, { ...targets, valkey: undefined, ingressUrl: undefined, tlsCa: ca.cert });
  };
  const row = (checks: Check[], name: RegExp) => {
    const c = checks.find((x) => name.test(x.name));
    if (!c) throw new Error(`no doctor row ${String(name)} in ${checks.map((x) => x.name).join(", ")}`);
    return c;
  };

  it("serves the test CA's certificate for lkstack:edge.host, and doctor judges chain, name and days left", async () => {
    const served = await inspectTls("127.0.0.1", edgePort, HOST, 4000, ca.cert);
    expect(served).toEqual(expect.objectContaining({ chainOk: true, nameOk: true, serial: first.serial }));
    // A name the certificate does not carry is caught (coturn serves its certificate whatever the
    // SNI; Caddy refuses a name it has no site for), and so is a chain from an untrusted root.
    expect((await inspectTls("127.0.0.1", turnTlsPort, "wrong.example.org", 4000, ca.cert)).nameOk).toBe(false);
    expect((await inspectTls("127.0.0.1", edgePort, HOST, 4000)).chainOk).toBe(false);
    const checks = await doctor();
    const signalling = row(checks, /^signalling/);
    process.stdout.write(`doctor before renewal: ${signalling.name}: ${signalling.figure}\n`);
    expect(signalling.ok).toBe(false);
    expect(signalling.figure).toMatch(/^(9|10) days left/);
    expect(signalling.fix).toMatch(/renew/);
    expect(row(checks, /^TURN\/TLS certificate/).ok).toBe(false);
    expect(row(checks, /^TURN\/TLS allocation/)).toEqual(expect.objectContaining({ ok: true }));
  }, 30000);

  it("an https page plays the camera through wss:// on the edge (lkstack viewer --url wss://…)", async () => {
    await page.goto(`https://${HOST}:${pagePort}/`);
    await tile()
      .waitFor({ timeout: 20000 })
      .catch(async (e: unknown) => {
        const rooms = await page.evaluate(async () => (await fetch("/api/rooms")).text());
        throw new Error(
          `${String(e)}\n/api/rooms: ${rooms}\nviewer: ${viewer.output()}\npage: ${(await page.content()).slice(-1500)}\nconsole: ${logs.join("\n")}`,
        );
      });
    await until(
      "video",
      async () => (await page.locator("video").evaluate((v) => (v as unknown as { videoWidth: number }).videoWidth)) > 0,
      20000,
    );
    expect(await playing()).toBe(true);
    expect(page.url()).toMatch(/^https:/);
    // The browser's signalling went to the edge, over TLS, and nowhere else.
    expect(sockets.length).toBeGreaterThan(0);
    for (const url of sockets) expect(url.startsWith(`wss://${HOST}:${edgePort}/`)).toBe(true);
  }, 45000);

  it("TURN/TLS allocations keep succeeding while coturn's certificate is replaced, and the renewed one is served", async () => {
    const creds = turnRestCredentials(TEST_SECRETS.turnSecrets[0], "edge-test");
    const results: { ok: boolean; serial?: string; error?: string }[] = [];
    let stop = false;
    const loop = (async () => {
      // Bounded: at most 400 allocations, and the test stops it once the renewal is served.
      for (let i = 0; i < 400 && !stop; i++) {
        results.push(await turnAllocateTls("127.0.0.1", turnTlsPort, HOST, creds.username, creds.password, 3000, ca.cert));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await until("allocations before the renewal", async () => results.length >= 5, 10000);
    install(renewed, turnFiles);
    const ms = await until("the renewed certificate on 5349", async () => results.at(-1)?.serial === renewed.serial, 20000);
    const after = results.length;
    await until("more allocations after the renewal", async () => results.length >= after + 5, 10000);
    stop = true;
    await loop;
    const failed = results.filter((r) => !r.ok);
    process.stdout.write(
      `TURN/TLS: ${results.length} allocations, ${failed.length} failed, renewed certificate served ${ms} ms after the files changed\n`,
    );
    expect(failed).toEqual([]);
    expect(results[0].serial).toBe(first.serial);
    expect(results.slice(after).every((r) => r.serial === renewed.serial)).toBe(true);
  }, 60000);

  it("the edge serves its renewed certificate, the page keeps playing, and doctor passes it", async () => {
    install(renewed, edgeFiles);
    const ms = await until(
      "the renewed certificate on the edge",
      async () => (await inspectTls("127.0.0.1", edgePort, HOST, 4000, ca.cert)).serial === renewed.serial,
      20000,
    );
    process.stdout.write(`edge: renewed certificate served ${ms} ms after the files changed\n`);
    await until("frames after the edge renewal", playing, 20000);
    const checks = await doctor();
    const signalling = row(checks, /^signalling/);
    process.stdout.write(`doctor after renewal: ${signalling.name}: ${signalling.figure}\n`);
    expect(signalling).toEqual(expect.objectContaining({ ok: true }));
    expect(signalling.figure).toContain(renewed.serial);
    expect(row(checks, /^TURN\/TLS certificate/).ok).toBe(true);
  }, 60000);
});
