import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { CONTAINER_LAYOUT } from "../../schema";
import {
  FILE_NAMES,
  chunkFileName,
  desiredIngresses,
  desiredIngressFiles,
  edgeStartScript,
  certWatchScript,
  renderValkeyConf,
  isChunkFile,
  mountPath,
  packInOrder,
  utf8Bytes,
  parseDesiredIngressFiles,
  renderLivekitConfig,
  renderTurnserverConf,
  renderIngressSecretBody,
  renderCaddyfile,
  publisherWebhookUrls,
  publishedCameraFiles,
  CHUNK_BUDGET,
  renderStack,
} from "../../templates";
import { TEST_SECRETS, minimal, parse, stackFromFile } from "../helpers/fixtures";

// Details of templates/ that the renderers' own tests reach only in passing: the chunk names the
// reconciler and the publisher read, where each chunk is mounted, and coturn's address lines.

/**
 * Files of a JSON array with one item per line (cameras-NNN.json, publish-NNN.json): several, each
 * under the public chunk budget, and none could have taken the next file's first item (its line
 * and the ",\n" before it).
 */
function expectFullChunks(files: Record<string, string>): void {
  const bodies = Object.values(files);
  expect(bodies.length).toBeGreaterThan(1);
  bodies.forEach((body, k) => {
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(CHUNK_BUDGET.public);
    const next = bodies[k + 1]?.split("\n")[1]?.replace(/,$/, "");
    if (next !== undefined) expect(Buffer.byteLength(body) + Buffer.byteLength(next) + 2).toBeGreaterThan(CHUNK_BUDGET.public);
  });
}

describe("chunk files", () => {
  it("a chunk is <prefix><at least three digits><suffix>; nothing else counts as one", () => {
    expect(chunkFileName("cameras", 7)).toBe("cameras-007.json");
    expect(["cameras-000.json", "cameras-1234.json"].map((n) => isChunkFile("cameras", n))).toEqual([true, true]);
    for (const name of [
      "cameras-00.json",
      "cameras-abc.json",
      "cameras-000.json.bak",
      "xcameras-000.json",
      "cameras-000.yaml",
      "c-000.json",
      "cameras-0a00.json",
      "cameras-a000.json",
      "cameras-000a.json",
    ])
      expect([name, isChunkFile("cameras", name)]).toEqual([name, false]);
  });

  it("each kind is mounted in its own directory", () => {
    const l = CONTAINER_LAYOUT;
    expect(mountPath(l, chunkFileName("cameras", 1))).toBe(`${l.cameras.ingressesDir}/cameras-001.json`);
    expect(mountPath(l, chunkFileName("publish", 2))).toBe(`${l.publisher.camerasDir}/publish-002.json`);
    expect(mountPath(l, chunkFileName("mediamtx", 3))).toBe(`${l.mediamtx.partsDir}/mediamtx-003.yml`);
    expect(mountPath(l, FILE_NAMES.livekit)).toBe(l.sfu.config);
    expect(mountPath(l, "unknown.txt")).toBeUndefined();
  });
});

describe("the reconciler's reading of cameras-NNN.json", () => {
  const one = (name: string) => ({ name, roomName: name, identity: name, participantName: name, fps: 25, layers: [] });

  it("joins the chunks in name order and ignores every other file", () => {
    const files = {
      "cameras-001.json": JSON.stringify([one("camera_b")]),
      "README.txt": "not json",
      "cameras-000.json": JSON.stringify([one("camera_a")]),
      "cameras-x.json": JSON.stringify([one("camera_z")]),
    };
    expect(parseDesiredIngressFiles(files).map((d) => d.name)).toEqual(["camera_a", "camera_b"]);
  });

  it("refuses a chunk that is not a JSON array, naming it", () => {
    expect(() => parseDesiredIngressFiles({ "cameras-000.json": JSON.stringify(one("camera_a")) })).toThrow(
      "cameras-000.json: not a JSON array of ingresses",
    );
  });
});

describe("address lines", () => {
  it("coturn listens and relays on the given addresses, and maps its external address onto the private one", () => {
    const cfg = parse(
      minimal("docker", {
        turn: {
          domain: "t.example",
          allowedPeers: ["172.30.42.0/24"],
          listeningIps: ["10.1.0.5", "10.1.0.6"],
          relayIps: ["10.1.0.7"],
          externalIp: "198.51.100.9",
          privateIp: "10.1.0.5",
        },
      } as never),
    );
    const lines = renderTurnserverConf(cfg, CONTAINER_LAYOUT).split("\n");
    expect(lines.filter((l) => /^(listening-ip|relay-ip|external-ip)=/.test(l))).toEqual([
      "listening-ip=10.1.0.5",
      "listening-ip=10.1.0.6",
      "relay-ip=10.1.0.7",
      "external-ip=198.51.100.9/10.1.0.5",
    ]);
  });

  it("livekit.yaml asks the configured STUN servers only when some are given", () => {
    const rtcOf = (stunServers: string[]) =>
      (
        parseYaml(
          renderLivekitConfig(
            parse(minimal("kubernetes", { sfu: { nodeIp: { strategy: "stun", stunServers } } } as never)),
            CONTAINER_LAYOUT,
          ),
        ) as { rtc: Record<string, unknown> }
      ).rtc;
    expect(rtcOf(["stun.example.test:3478"])).toEqual(
      expect.objectContaining({ use_external_ip: true, stun_servers: ["stun.example.test:3478"] }),
    );
    expect(rtcOf([])).toEqual(expect.objectContaining({ use_external_ip: true }));
    expect(rtcOf([])).not.toHaveProperty("stun_servers");
  });
});

describe("each transcode camera's desired ingress", () => {
  const cams = [
    { id: "00000000-0000-4000-8000-000000000001", rtsp: "rtsp://10.30.1.1:554/a", name: "Lobby" },
    { id: "00000000-0000-4000-8000-000000000002", rtsp: "rtsp://10.30.1.2:554/b", layers: ["low"] },
  ];
  const stack = (cameras: unknown[]) => parse(minimal("kubernetes", { cameras } as never));

  it("encodes the camera's chosen layers only, at the highest frame rate among them; is named for its room, shown by the camera's name", () => {
    const [lobby, low] = desiredIngresses(stack(cams));
    expect(lobby.layers.map((l) => l.quality)).toEqual(["high", "medium", "low"]);
    expect(lobby.fps).toBe(25);
    expect(lobby.participantName).toBe("Lobby");
    expect(low.layers).toEqual([{ quality: "low", width: 640, height: 360, bitrateKbps: 500 }]);
    expect(low.fps).toBe(15);
    expect(low.participantName).toBe("camera_00000000-0000-4000-8000-000000000002");
    expect([low.name, low.roomName, low.identity]).toEqual(Array(3).fill("camera_00000000-0000-4000-8000-000000000002"));
  });

  it("cameras-000.json holds one ingress per line in a JSON array, and `[]` without cameras", () => {
    const files = desiredIngressFiles(stack(cams));
    const lines = files["cameras-000.json"].split("\n");
    expect(lines[0]).toBe("[");
    expect(lines.slice(-2)).toEqual(["]", ""]);
    expect(lines.slice(1, -2).map((l) => (JSON.parse(l.replace(/,$/, "")) as { name: string }).name)).toEqual([
      "camera_00000000-0000-4000-8000-000000000001",
      "camera_00000000-0000-4000-8000-000000000002",
    ]);
    expect(lines[1].endsWith(",")).toBe(true);
    expect(desiredIngressFiles(stack([]))).toEqual({ "cameras-000.json": "[]\n" });
  });
});

describe("packInOrder", () => {
  const len = (s: string) => s.length;

  it("fills each chunk up to the budget exactly, frame included, in order", () => {
    expect(packInOrder(["aaa", "bb", "c", "dddd"], len, 6, 1)).toEqual([
      ["aaa", "bb"],
      ["c", "dddd"],
    ]);
    expect(packInOrder(["aaa", "bbb"], len, 6)).toEqual([["aaa", "bbb"]]);
    expect(packInOrder([], len, 6)).toEqual([[]]);
  });

  it("refuses an item that could fit no chunk, and takes one that fills a chunk exactly", () => {
    expect(() => packInOrder(["abcdef"], len, 6, 1)).toThrow("one item of 6 bytes exceeds the 6-byte chunk budget");
    expect(packInOrder(["abcde"], len, 6, 1)).toEqual([["abcde"]]);
  });

  it("counts UTF-8 bytes, not UTF-16 units", () => {
    expect([utf8Bytes("é"), utf8Bytes("😀"), utf8Bytes("a")]).toEqual([2, 4, 1]);
  });
});

describe("settings the servers read", () => {
  it("valkey.conf appends to its AOF only with persistence on", () => {
    const conf = (persistence: boolean) =>
      renderValkeyConf(parse(minimal("kubernetes", { valkey: { persistence } } as never)), CONTAINER_LAYOUT).split("\n");
    expect(conf(true)).toContain("appendonly yes");
    expect(conf(false)).toContain("appendonly no");
  });

  it("the certificate watcher runs its command once the files changed and held still, once per change, and ends with the server", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lkstack-certwatch-"));
    const [cert, key, log] = ["cert.pem", "key.pem", "reloads"].map((f) => join(dir, f));
    writeFileSync(cert, "cert 1");
    writeFileSync(key, "key 1");
    writeFileSync(log, "");
    const reloads = () => readFileSync(log, "utf8");
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // The server stands in as `sleep`: the script's closing exec makes it the watched process.
    const script = `${certWatchScript({ cert, key }, `echo reload >> ${log}`, 2)} exec sleep 8`;
    const server = spawn("sh", ["-c", script], { stdio: "ignore", detached: true });
    const ended = new Promise<number | null>((resolve) => server.on("exit", resolve));
    try {
      // A check passes with nothing changed: nothing runs.
      await wait(2500);
      expect(reloads()).toBe("");
      const changed = Date.now();
      writeFileSync(cert, "cert 2");
      writeFileSync(key, "key 2");
      while (reloads() === "" && Date.now() - changed < 6000) await wait(100);
      // Not at the check that saw the change but at the next one, when it held still (cert-manager
      // and `cp` may write one file a moment before the other): a full period later at least.
      expect(Date.now() - changed).toBeGreaterThanOrEqual(1900);
      expect(reloads()).toBe("reload\n");
      expect(await ended).toBe(0);
      // After the server, no watcher is left to act on a change (two periods would reload).
      writeFileSync(cert, "cert 3");
      await wait(4500);
      expect(reloads()).toBe("reload\n");
    } finally {
      try {
        process.kill(-(server.pid ?? 0), "SIGKILL");
      } catch {
        // The group is gone: nothing outlived the server.
      }
    }
  }, 25_000);

  it("the edge's watcher watches the certificate and the key it serves", () => {
    const script = edgeStartScript(CONTAINER_LAYOUT);
    expect(script).toContain(CONTAINER_LAYOUT.edge.tlsCert);
    expect(script).toContain(CONTAINER_LAYOUT.edge.tlsKey);
  });
});

describe("coturn's threads, the edge's host and the cameras files' budget", () => {
  it("coturn runs one relay thread per core of its CPU limit, rounded up, at least one", () => {
    const cpus = (cpu: string) =>
      renderTurnserverConf(
        parse(
          minimal("kubernetes", {
            turn: { resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu, memory: "512Mi" } } },
          } as never),
        ),
        CONTAINER_LAYOUT,
      )
        .split("\n")
        .filter((l) => l.startsWith("cpus="));
    expect(cpus("2500m")).toEqual(["cpus=3"]);
    expect(cpus("250m")).toEqual(["cpus=1"]);
  });

  it("the Caddyfile refuses a stack without the edge's host (the schema requires one)", () => {
    const cfg = stackFromFile("dev");
    expect(() => renderCaddyfile({ ...cfg, edge: { ...cfg.edge, host: undefined } }, CONTAINER_LAYOUT)).toThrow(
      "lkstack:edge.host is unset (validation requires it with the edge on)",
    );
  });

  it("cameras-NNN.json: each file under the public chunk budget, and none could have taken the next camera", () => {
    const cameras = Array.from({ length: 6000 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      rtsp: `rtsp://10.80.${Math.floor(i / 250)}.${(i % 250) + 1}:554/main`,
    }));
    expectFullChunks(desiredIngressFiles(parse(minimal("kubernetes", { cameras, sfu: { replicas: 24 } } as never))));
  });
});

describe("the publisher's webhooks and camera files", () => {
  const IMAGE = "registry.example.org/cctv/lkstack-publisher:0.1.0";
  const passthrough = (i: number) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    rtsp: `rtsp://10.70.${Math.floor(i / 250)}.${(i % 250) + 1}:554`,
    streams: {
      high: { path: "/main", width: 1920, height: 1080, bitrateKbps: 4000 },
      low: { path: "/sub", width: 640, height: 360, bitrateKbps: 500 },
    },
  });
  const transcode = { id: "00000000-0000-4000-8000-00000000ffff", rtsp: "rtsp://10.70.9.9:554/main" };
  type Target = "kubernetes" | "docker";
  const stack = (target: Target, cameras: unknown[], extra: Record<string, unknown> = {}) =>
    parse(minimal(target, { cameras, publisher: { image: IMAGE, onDemand: true, camerasPerReplica: 2 }, ...extra } as never));

  it("on Kubernetes, LiveKit posts to each publisher pod by its stable name", () => {
    const cfg = stack("kubernetes", [0, 1, 2].map(passthrough), { kubernetes: { namespace: "media" } });
    expect(publisherWebhookUrls(cfg)).toEqual(
      [0, 1].map((i) => `http://lkstack-publisher-${i}.lkstack-publisher.media.svc.cluster.local:${cfg.publisher.ports.health}/webhook`),
    );
  });

  it("on a Docker host, to the publisher's fixed address; in a Swarm, to its service name", () => {
    const host = stack("docker", [passthrough(0)]);
    expect(host.docker.subnet).toBe("172.30.42.0/24");
    expect(publisherWebhookUrls(host)).toEqual([`http://172.30.42.15:${host.publisher.ports.health}/webhook`]);
    const swarm = stack("docker", [passthrough(0)], { docker: { mode: "swarm" } });
    expect(publisherWebhookUrls(swarm)).toEqual([`http://lkstack-publisher:${swarm.publisher.ports.health}/webhook`]);
  });

  it("no webhook without a publisher to take it, or without on-demand publishing", () => {
    for (const target of ["kubernetes", "docker"] as const) {
      expect(publisherWebhookUrls(stack(target, [transcode]))).toEqual([]);
      const always = parse(minimal(target, { cameras: [passthrough(0)], publisher: { image: IMAGE } } as never));
      expect(publisherWebhookUrls(always)).toEqual([]);
    }
  });

  it("publish-NNN.json: a JSON array, one camera per line; an empty array without passthrough cameras", () => {
    expect(publishedCameraFiles(stack("kubernetes", [transcode]))).toEqual({ "publish-000.json": "[]\n" });
    const files = publishedCameraFiles(stack("kubernetes", [passthrough(0), transcode, passthrough(1)]));
    expect(Object.keys(files)).toEqual(["publish-000.json"]);
    const lines = files["publish-000.json"].split("\n");
    expect(lines[0]).toBe("[");
    expect(lines.slice(-2)).toEqual(["]", ""]);
    expect(lines.slice(1, -2).map((l) => (JSON.parse(l.replace(/,$/, "")) as { id: string }).id)).toEqual([
      passthrough(0).id,
      passthrough(1).id,
    ]);
    expect(lines[1].endsWith(",")).toBe(true);
    expect(JSON.parse(files["publish-000.json"])).toHaveLength(2);
  });

  it("each file stays under the public chunk budget and could not have taken the next camera", () => {
    const cfg = stack(
      "kubernetes",
      Array.from({ length: 4000 }, (_, i) => passthrough(i)),
      { publisher: { image: IMAGE, camerasPerReplica: 500 }, sfu: { replicas: 16 } },
    );
    expectFullChunks(publishedCameraFiles(cfg));
  });
});

describe("the Ingress's secret body and the edge's Caddyfile", () => {
  it("the Ingress gets the Valkey password, and the Sentinel password too when Sentinel runs", () => {
    const standalone = parseYaml(renderIngressSecretBody(parse(minimal("kubernetes")), TEST_SECRETS)) as { redis: Record<string, unknown> };
    expect(standalone.redis.password).toBe(TEST_SECRETS.valkeyPassword);
    expect(standalone.redis).not.toHaveProperty("sentinel_password");
    const sentinel = parseYaml(
      renderIngressSecretBody(parse(minimal("kubernetes", { valkey: { mode: "sentinel" } } as never)), TEST_SECRETS),
    ) as {
      redis: Record<string, unknown>;
    };
    expect(sentinel.redis.sentinel_password).toBe(TEST_SECRETS.valkeyPassword);
  });

  it("the Caddyfile binds to one address only when asked", () => {
    const cfg = stackFromFile("dev");
    const layout = CONTAINER_LAYOUT;
    const bound = renderCaddyfile(cfg, layout, { port: 8443, upstream: "127.0.0.1:7880", bind: "127.0.0.1" }).split("\n");
    const site = `https://${cfg.edge.host}:8443 {`;
    expect(bound).toContain(site);
    expect(bound[bound.indexOf(site) + 1]).toBe("\tbind 127.0.0.1");
    expect(renderCaddyfile(cfg, layout, { port: 8443, upstream: "127.0.0.1:7880" })).not.toMatch(/\tbind /);
  });
});

describe("what each service gets in env, and the files' banners", () => {
  const env = (over: Record<string, unknown> = {}) => renderStack(parse(minimal("kubernetes", over as never)), TEST_SECRETS);

  it("the SFU: Valkey's password always, Sentinel's and the webhook key only when used; Valkey and the Ingress their own", () => {
    const plain = env();
    expect(plain.sfu?.secretEnv).toEqual({
      LIVEKIT_REDIS_PASSWORD: TEST_SECRETS.valkeyPassword,
      LIVEKIT_PROMETHEUS_PASSWORD: TEST_SECRETS.metricsPassword,
    });
    expect(plain.valkey?.secretEnv).toEqual({ REDISCLI_AUTH: TEST_SECRETS.valkeyPassword });
    expect(plain.ingress?.secretEnv).toEqual({
      LIVEKIT_API_KEY: TEST_SECRETS.apiKeys[0].key,
      LIVEKIT_API_SECRET: TEST_SECRETS.apiKeys[0].secret,
    });
    const used = env({ valkey: { mode: "sentinel" }, webhook: { urls: ["https://hooks.example.org/lk"] } });
    expect(used.sfu?.secretEnv).toEqual({
      LIVEKIT_REDIS_PASSWORD: TEST_SECRETS.valkeyPassword,
      LIVEKIT_REDIS_SENTINEL_PASSWORD: TEST_SECRETS.valkeyPassword,
      LIVEKIT_WEBHOOK_API_KEY: TEST_SECRETS.apiKeys[0].key,
      LIVEKIT_PROMETHEUS_PASSWORD: TEST_SECRETS.metricsPassword,
    });
  });

  it("a secret an env reader would alter is refused, naming the service's env", () => {
    expect(() => renderStack(parse(minimal("kubernetes")), { ...TEST_SECRETS, valkeyPassword: "'quoted-0123456789" })).toThrow(
      "refusing to render sfu.env: LIVEKIT_REDIS_PASSWORD has a value an env-file reader would alter (quote or blank at an end)",
    );
  });

  it("livekit.yaml hands viewers TURN servers only when coturn runs", () => {
    const rtc = (over: Record<string, unknown>) =>
      (parseYaml(renderLivekitConfig(parse(minimal("kubernetes", over as never)), CONTAINER_LAYOUT)) as { rtc: Record<string, unknown> })
        .rtc;
    expect(rtc({ turn: { enabled: false } })).not.toHaveProperty("turn_servers");
    expect(rtc({}).turn_servers).toEqual([
      { host: "turn.example.test", port: 3478, protocol: "udp", secret_file: CONTAINER_LAYOUT.sfu.turnSecretFile },
      { host: "turn.example.test", port: 3478, protocol: "tcp", secret_file: CONTAINER_LAYOUT.sfu.turnSecretFile },
    ]);
  });

  it("livekit.yaml caps a room's participants only when asked; each file names its server and pinned version", () => {
    const room = (maxParticipants: number) =>
      (
        parseYaml(renderLivekitConfig(parse(minimal("kubernetes", { rooms: { maxParticipants } } as never)), CONTAINER_LAYOUT)) as {
          room: Record<string, unknown>;
        }
      ).room;
    expect(room(0)).not.toHaveProperty("max_participants");
    expect(room(12).max_participants).toBe(12);
    const cfg = parse(minimal("kubernetes", { versions: { livekitServer: "v1.13.4", livekitIngress: "v1.5.0" } } as never));
    expect(renderLivekitConfig(cfg, CONTAINER_LAYOUT).split("\n")[0]).toBe(
      "# Rendered by lkstack for livekit-server v1.13.4. Do not edit: change the stack config.",
    );
    expect(renderIngressSecretBody(cfg, TEST_SECRETS).split("\n")[0]).toBe(
      "# Rendered by lkstack for livekit-ingress v1.5.0. Do not edit: change the stack config.",
    );
  });
});
