import type { NetworkPolicySpec } from "kubernetes-types/networking/v1";
import { parse as parseYaml } from "yaml";
import { cameraIngest, formatConfigPath, parseStackConfig, type StackConfigInput } from "../../schema";
import {
  desiredIngresses,
  dockerServices,
  k8sManifests,
  MEDIAMTX_READ_USER,
  PUBLISHER_ENV,
  publishedCameras,
  renderStack,
  type PublishedCamera,
} from "../../templates";
import { configProblemsOf, minimal, TEST_SECRETS } from "../helpers/fixtures";

const ID = "3f2b8c1e-9d4a-4e6b-8f1a-2c5d7e9a0b13";
const OTHER = "5a1c2e3f-4b5d-4c6e-8f70-81a2b3c4d5e6";
const high = { path: "/Streaming/Channels/101", width: 1920, height: 1080, bitrateKbps: 4000 };
const low = { path: "/Streaming/Channels/102", width: 640, height: 360, bitrateKbps: 500 };
const IMAGE = "registry.example.org/cctv/lkstack-publisher:0.1.0";

/** A passthrough camera (main + sub stream) and a one-stream camera the Ingress transcodes. */
function twoModes(extra: Partial<StackConfigInput> = {}, target: "kubernetes" | "docker" = "kubernetes"): StackConfigInput {
  return minimal(target, {
    cameras: [
      { id: ID, rtsp: "rtsp://10.30.1.11:554", credentials: "lab", streams: { high, low } },
      { id: OTHER, rtsp: "rtsp://10.30.1.12:554/Streaming/Channels/101" },
    ],
    publisher: { image: IMAGE },
    ...extra,
  });
}

/** The problems a config is refused with, as "  path: problem | fix: fix" lines. */
function refusal(input: StackConfigInput): string[] {
  const problems = configProblemsOf(() => parseStackConfig(input));
  if (problems.length === 0) throw new Error("the config was accepted");
  return problems.map((p) => `  ${formatConfigPath(p.path)}: ${p.problem} | fix: ${p.fix}`);
}

const camera = (over: Record<string, unknown>) =>
  minimal("kubernetes", { cameras: [{ id: ID, ...over }], publisher: { image: IMAGE } } as Partial<StackConfigInput>);

describe("ingest mode", () => {
  it("defaults to passthrough exactly when the camera lists a low stream", () => {
    const cfg = parseStackConfig(twoModes());
    expect(cfg.cameras.map((c) => cameraIngest(c))).toEqual(["passthrough", "transcode"]);
    const highOnly = parseStackConfig(camera({ rtsp: "rtsp://10.30.1.11", streams: { high } }));
    expect(cameraIngest(highOnly.cameras[0])).toBe("transcode");
    const forced = parseStackConfig(camera({ rtsp: "rtsp://10.30.1.11", streams: { high, low }, ingest: "transcode" }));
    expect(cameraIngest(forced.cameras[0])).toBe("transcode");
  });

  it("refuses H.265 in passthrough, naming the stream's codec and both fixes", () => {
    const lines = refusal(camera({ rtsp: "rtsp://10.30.1.11", streams: { high: { ...high, codec: "h265" }, low } }));
    expect(lines).toEqual([expect.stringMatching(/^ {2}lkstack:cameras\[0\]\.streams\.high\.codec: browsers cannot/)]);
    // Transcoding decodes it: accepted.
    expect(() =>
      parseStackConfig(camera({ rtsp: "rtsp://10.30.1.11", streams: { high: { ...high, codec: "h265" }, low }, ingest: "transcode" })),
    ).not.toThrow();
  });

  it("refuses layers out of order, by size and by bitrate", () => {
    expect(refusal(camera({ rtsp: "rtsp://10.30.1.11", streams: { high: low, low: high } }))).toEqual([
      expect.stringMatching(/streams\.low\.width: 1920x1080 is not smaller than streams\.high/),
      expect.stringMatching(/streams\.low\.bitrateKbps: 4000 kbps is not below streams\.high/),
    ]);
    expect(refusal(camera({ rtsp: "rtsp://10.30.1.11", streams: { high, low: { ...low, bitrateKbps: 4000 } } }))).toEqual([
      expect.stringMatching(/streams\.low\.bitrateKbps/),
    ]);
    // The same picture area turned on its side is not smaller.
    const side = { ...low, width: 360, height: 640, path: "/side" };
    expect(refusal(camera({ rtsp: "rtsp://10.30.1.11", streams: { high: { ...low, bitrateKbps: 900 }, low: side } }))).toEqual([
      expect.stringMatching(/streams\.low\.width: 360x640 is not smaller than streams\.high \(640x360\)/),
    ]);
  });

  it("refuses the same stream as two layers", () => {
    expect(refusal(camera({ rtsp: "rtsp://10.30.1.11", streams: { high, low: { ...low, path: high.path } } }))).toEqual([
      expect.stringMatching(/streams\.low\.path: the same stream as streams\.high/),
    ]);
  });

  it("refuses a camera URL with a path the streams would silently drop, and a relative stream path", () => {
    expect(refusal(camera({ rtsp: "rtsp://10.30.1.11:554/Streaming/Channels/101", streams: { high, low } }))).toEqual([
      expect.stringMatching(/cameras\[0\]\.rtsp: with streams, rtsp names the camera only/),
    ]);
    expect(refusal(camera({ rtsp: "rtsp://10.30.1.11", streams: { high, low: { ...low, path: "ch2" } } }))).toEqual([
      expect.stringMatching(/streams\.low\.path: not an absolute RTSP path/),
    ]);
    // A stream path is held to the camera URL rules too (no "@" after the host).
    expect(refusal(camera({ rtsp: "rtsp://10.30.1.11", streams: { high, low: { ...low, path: "/a@b" } } }))).toEqual([
      expect.stringMatching(/streams\.low\.path: gortsplib/),
    ]);
  });

  it("refuses passthrough without streams, and a transcode layer subset on a passthrough camera", () => {
    expect(refusal(camera({ rtsp: "rtsp://10.30.1.11/s", ingest: "passthrough" }))).toEqual([
      expect.stringMatching(/cameras\[0\]\.ingest: passthrough relays the camera's own streams/),
    ]);
    expect(refusal(camera({ rtsp: "rtsp://10.30.1.11", streams: { high, low }, layers: ["low"] }))).toEqual([
      expect.stringMatching(/cameras\[0\]\.layers: layers picks what the Ingress encodes/),
    ]);
  });

  it("each refusal says how to fix it", () => {
    const fixOf = (over: Record<string, unknown>): string[] =>
      refusal(camera({ rtsp: "rtsp://10.30.1.11", ...over })).map((l) => l.split(" | fix: ")[1]);
    expect(fixOf({ rtsp: "rtsp://10.30.1.11/s", ingest: "passthrough" })).toEqual([
      "add streams.high (and streams.low, the camera's sub stream) with their RTSP paths, or set ingest: transcode",
    ]);
    expect(fixOf({ streams: { high, low }, layers: ["low"] })).toEqual(["drop layers, or set ingest: transcode"]);
    expect(fixOf({ rtsp: "rtsp://10.30.1.11:554/s", streams: { high, low } })).toEqual([
      "set rtsp to rtsp://10.30.1.11:554 and give each stream its path under streams.<layer>.path",
    ]);
    expect(fixOf({ streams: { high, low: { ...low, path: "ch2" } } })).toEqual(['start it with "/", e.g. /ch2']);
    expect(fixOf({ streams: { high, low: { ...low, path: high.path } } })).toEqual([
      "give each layer the path of a different stream of the camera (its main and sub stream), or drop this one",
    ]);
    expect(fixOf({ streams: { high: { ...high, codec: "h265" }, low } })).toEqual([
      "set this stream to H.264 in the camera's encoder settings (then codec: h264), or set ingest: transcode",
    ]);
    expect(fixOf({ streams: { high: low, low: high } })).toEqual([
      "give the larger stream the higher layer (high > medium > low)",
      "check the camera's encoder settings: a lower layer must send fewer bits",
    ]);
  });

  it("a camera named by its address alone, with or without the trailing slash, is what streams need", () => {
    for (const rtsp of ["rtsp://10.30.1.11:554", "rtsp://10.30.1.11:554/"])
      expect(() => parseStackConfig(camera({ rtsp, streams: { high, low } }))).not.toThrow();
  });

  it("needs an image source on a cluster, and refuses two", () => {
    const input = twoModes({ publisher: {} });
    expect(refusal(input)).toEqual([expect.stringMatching(/lkstack:publisher\.image: 1 passthrough camera\(s\) need the publisher/)]);
    expect(refusal(twoModes({ publisher: { image: IMAGE, build: { repository: "registry.example.org/cctv/p" } } }))).toEqual([
      expect.stringMatching(/lkstack:publisher\.build: both/),
    ]);
    // The Docker target builds it on the host.
    expect(() => parseStackConfig(twoModes({ publisher: {} }, "docker"))).not.toThrow();
    expect(refusal(twoModes({ publisher: { image: "Not A Ref" } }))).toEqual([
      expect.stringMatching(/lkstack:publisher\.image: not an image reference/),
    ]);
  });

  it("an Ingress-less stack is fine when every camera is passthrough, not when one transcodes", () => {
    const allPassthrough = camera({ rtsp: "rtsp://10.30.1.11", streams: { high, low } });
    expect(() => parseStackConfig({ ...allPassthrough, ingress: { enabled: false } })).not.toThrow();
    expect(refusal({ ...twoModes(), ingress: { enabled: false } })).toEqual([
      expect.stringMatching(/lkstack:ingress\.enabled: 1 camera\(s\) use ingest: transcode/),
    ]);
  });
});

describe("the publisher's own checks, with their fixes", () => {
  const problemsOf = (input: StackConfigInput) =>
    configProblemsOf(() => parseStackConfig(input)).map((p) => ({ path: p.path.join("."), problem: p.problem, fix: p.fix }));

  it("an image and a build repository both set; a cluster without either", () => {
    expect(problemsOf(twoModes({ publisher: { image: IMAGE, build: { repository: "registry.example.org/cctv/p" } } as never }))).toEqual([
      {
        path: "publisher.build",
        problem: "both an image to run and a repository to build into are set",
        fix: "keep lkstack:publisher.image (an image you pushed) or lkstack:publisher.build.repository (the program builds and pushes), not both",
      },
    ]);
    expect(problemsOf(twoModes({ publisher: {} as never }))).toEqual([
      {
        path: "publisher.image",
        problem: "1 passthrough camera(s) need the publisher, and a cluster can only pull its image from a registry",
        fix: "set lkstack:publisher.build.repository (e.g. registry.example.org/cctv/lkstack-publisher; the program builds publisher/Dockerfile and pushes), or lkstack:publisher.image to an image you pushed",
      },
    ]);
  });

  it("more passthrough cameras than Docker's one publisher takes; MediaMTX off", () => {
    const two = minimal("docker", {
      cameras: [
        { id: ID, rtsp: "rtsp://172.30.42.201:554", streams: { high, low } },
        { id: OTHER, rtsp: "rtsp://172.30.42.202:554", streams: { high, low } },
      ],
      publisher: { image: IMAGE, camerasPerReplica: 1 },
    } as never);
    expect(problemsOf(two)).toEqual([
      {
        path: "publisher.camerasPerReplica",
        problem: "the Docker target runs one publisher, and 2 passthrough cameras exceed its 1",
        fix: "raise lkstack:publisher.camerasPerReplica to 2 (its resources grow with it), or deploy to the kubernetes target, which shards them",
      },
    ]);
    expect(problemsOf(twoModes({ mediamtx: { enabled: false } } as never))).toContainEqual({
      path: "mediamtx.enabled",
      problem: "the publisher reads passthrough cameras from MediaMTX, which is disabled",
      fix: "enable MediaMTX",
    });
  });
});

describe("what a passthrough camera renders", () => {
  const cfg = parseStackConfig(twoModes());
  let rendered: ReturnType<typeof renderStack>;
  // Per test: per-test coverage (npm run mutate) credits only what runs inside a test.
  beforeEach(() => (rendered = renderStack(cfg, TEST_SECRETS)));

  it("MediaMTX pulls each stream on its own path, with the camera's credentials only in the secret body", () => {
    const pub = parseYaml(rendered.mediamtx?.publicFiles["mediamtx.yml"] ?? "") as { paths: Record<string, { source: string }> };
    const sec = parseYaml(rendered.mediamtx?.secretFiles["mediamtx.yml"] ?? "") as { paths: Record<string, { source: string }> };
    expect(Object.keys(pub.paths)).toEqual([`camera_${ID}`, `camera_${ID}_low`, `camera_${OTHER}`]);
    expect(pub.paths[`camera_${ID}`].source).toBe("rtsp://10.30.1.11:554/Streaming/Channels/101");
    expect(pub.paths[`camera_${ID}_low`].source).toBe("rtsp://10.30.1.11:554/Streaming/Channels/102");
    const cred = `${TEST_SECRETS.cameraCredentials.lab.username}:${TEST_SECRETS.cameraCredentials.lab.password}@`;
    expect(sec.paths[`camera_${ID}_low`].source).toBe(`rtsp://${cred}10.30.1.11:554/Streaming/Channels/102`);
  });

  it("the publisher's MediaMTX account may read and nothing else, and its password is secret", () => {
    type User = { user: string; pass?: string; permissions: { action: string }[] };
    const users = (file: string | undefined) => (parseYaml(file ?? "") as { authInternalUsers: User[] }).authInternalUsers;
    const pubUser = users(rendered.mediamtx?.publicFiles["mediamtx.yml"]).find((u) => u.user === MEDIAMTX_READ_USER);
    expect(pubUser?.permissions).toEqual([{ action: "read" }]);
    expect(pubUser?.pass).toBeUndefined();
    expect(users(rendered.mediamtx?.secretFiles["mediamtx.yml"]).find((u) => u.user === MEDIAMTX_READ_USER)?.pass).toBe(
      TEST_SECRETS.mediamtxReadPassword,
    );
    // Without a passthrough camera the account does not exist.
    const none = renderStack(
      parseStackConfig(minimal("kubernetes", { cameras: [{ id: OTHER, rtsp: "rtsp://10.30.1.12/s" }] })),
      TEST_SECRETS,
    );
    expect(users(none.mediamtx?.publicFiles["mediamtx.yml"]).map((u) => u.user)).not.toContain(MEDIAMTX_READ_USER);
    expect(none.publisher).toBeUndefined();
  });

  it("the reconciler makes ingresses for transcode cameras only; the publisher gets the passthrough ones, high first", () => {
    expect(desiredIngresses(cfg).map((d) => d.roomName)).toEqual([`camera_${OTHER}`]);
    const files = rendered.publisher?.publicFiles ?? {};
    expect(Object.keys(files)).toEqual(["publish-000.json"]);
    const cams = JSON.parse(files["publish-000.json"]) as PublishedCamera[];
    expect(cams).toEqual(publishedCameras(cfg));
    expect(cams).toEqual([
      {
        id: ID,
        room: `camera_${ID}`,
        identity: `camera_${ID}`,
        name: `camera_${ID}`,
        layers: [
          { quality: "high", path: `camera_${ID}`, width: 1920, height: 1080, bitrateKbps: 4000, fps: 25 },
          { quality: "low", path: `camera_${ID}_low`, width: 640, height: 360, bitrateKbps: 500, fps: 25 },
        ],
      },
    ]);
    expect(rendered.publisher?.secretEnv).toEqual({
      LIVEKIT_API_KEY: TEST_SECRETS.apiKeys[0].key,
      LIVEKIT_API_SECRET: TEST_SECRETS.apiKeys[0].secret,
      MEDIAMTX_READ_PASSWORD: TEST_SECRETS.mediamtxReadPassword,
    });
  });
});

describe("the publisher on Kubernetes", () => {
  const cameras = Array.from({ length: 120 }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    rtsp: `rtsp://10.9.${i >> 8}.${(i % 250) + 1}`,
    streams: { high, low },
  }));
  const cfg = parseStackConfig(minimal("kubernetes", { cameras, publisher: { image: IMAGE } }));
  const publisherOf = () => {
    const m = k8sManifests(cfg, "//");
    const sts = m.publisher?.statefulSet;
    const container = sts?.spec?.template.spec?.containers[0];
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? `from:${e.valueFrom?.secretKeyRef?.key}`]));
    return { m, sts, container, env };
  };
  let m: ReturnType<typeof publisherOf>["m"];
  let sts: ReturnType<typeof publisherOf>["sts"];
  let container: ReturnType<typeof publisherOf>["container"];
  let env: ReturnType<typeof publisherOf>["env"];
  // Per test: per-test coverage (npm run mutate) credits only what runs inside a test.
  beforeEach(() => ({ m, sts, container, env } = publisherOf()));

  it("runs one pod per 50 cameras, each pod's ordinal its shard", () => {
    expect(sts?.spec?.replicas).toBe(3);
    expect(env[PUBLISHER_ENV.shardCount]).toBe("3");
    expect(env[PUBLISHER_ENV.shardIndex]).toBeUndefined();
    expect(sts?.spec?.podManagementPolicy).toBe("Parallel");
  });

  it("reads its cameras from one content-named ConfigMap per publish-NNN.json chunk, the publisher's, each projected", () => {
    const maps = m.publisher?.configMaps ?? [];
    expect(maps.length).toBeGreaterThan(0);
    for (const cm of maps) {
      expect(cm.metadata?.name).toMatch(/^lkstack-publisher-config-[0-9a-f]{10}$/);
      expect(cm.metadata?.labels?.["app.kubernetes.io/component"]).toBe("publisher");
      expect(Object.keys(cm.data ?? {})).toEqual([expect.stringMatching(/^publish-\d{3}\.json$/)]);
    }
    const projected = sts?.spec?.template.spec?.volumes?.flatMap((v) => v.projected?.sources ?? []).map((src) => src.configMap?.name);
    expect(projected).toEqual(maps.map((cm) => cm.metadata?.name));
    expect(sts?.metadata?.name).toBe("lkstack-publisher");
    expect(sts?.metadata?.labels?.["app.kubernetes.io/component"]).toBe("publisher");
  });

  it("rolls one pod at a time and keeps all but one up through drains", () => {
    // A StatefulSet's rolling update replaces one pod at a time by itself. `rollingUpdate.maxUnavailable`
    // is alpha through Kubernetes 1.34 (MaxUnavailableStatefulSet, off by default): the API server drops
    // it, and every `pulumi up` would then plan an update (found by test/engine/prod.test.ts).
    expect(sts?.spec?.updateStrategy).toEqual({ type: "RollingUpdate" });
    expect(m.publisher?.podDisruptionBudget.spec?.maxUnavailable).toBe(1);
  });

  it("probes its health port, runs read-only and unprivileged, and reads secrets from its Secret only", () => {
    expect(container?.image).toBe(IMAGE);
    expect(container?.ports).toEqual([{ name: "health", containerPort: 9210, protocol: "TCP" }]);
    expect(container?.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(container?.readinessProbe?.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(container?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(container?.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(sts?.spec?.template.spec?.automountServiceAccountToken).toBe(false);
    expect(env.LIVEKIT_API_SECRET).toBe("from:LIVEKIT_API_SECRET");
    expect(env.MEDIAMTX_READ_PASSWORD).toBe("from:MEDIAMTX_READ_PASSWORD");
    expect(env[PUBLISHER_ENV.livekitUrl]).toBe("ws://lkstack-sfu.lkstack.svc.cluster.local:7880");
    expect(env[PUBLISHER_ENV.mediamtxRtspUrl]).toBe("rtsp://lkstack-mediamtx.lkstack.svc.cluster.local:8554");
  });

  it("is sized for its share of the cameras (120 over 3 pods: 40), limits twice the requests", () => {
    // 0.1 core + 40 × 0.03; 64 MiB + 40 × 8 MiB.
    // Parsed here: per-test coverage (npm run mutate) credits a test only with what runs inside it.
    const sized = parseStackConfig(minimal("kubernetes", { cameras, publisher: { image: IMAGE } }));
    expect(sized.publisher.resources).toEqual({ requests: { cpu: "1300m", memory: "384Mi" }, limits: { cpu: "2600m", memory: "768Mi" } });
    const own = { requests: { cpu: "2", memory: "1Gi" }, limits: { cpu: "2", memory: "1Gi" } };
    expect(parseStackConfig(minimal("kubernetes", { cameras, publisher: { image: IMAGE, resources: own } })).publisher.resources).toEqual(
      own,
    );
  });

  it("network policies: MediaMTX's RTSP admits the publisher; the publisher reaches MediaMTX, the SFU and DNS only", () => {
    const byName: Record<string, NetworkPolicySpec | undefined> = Object.fromEntries(
      m.networkPolicies.map((p) => [p.metadata?.name ?? "", p.spec]),
    );
    expect(byName["lkstack-mediamtx"]?.ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "lkstack-publisher", "app.kubernetes.io/part-of": "lkstack" } } }],
      ports: [{ protocol: "TCP", port: 8554 }],
    });
    const p = byName["lkstack-publisher"];
    expect(p?.ingress?.flatMap((r) => r.ports)).toEqual([{ protocol: "TCP", port: 9210 }]);
    const egressPorts = p?.egress?.flatMap((r) => r.ports ?? []);
    expect(egressPorts).toEqual(
      expect.arrayContaining([
        { protocol: "TCP", port: 7880 },
        { protocol: "UDP", port: 50000, endPort: 50500 },
        { protocol: "TCP", port: 7881 },
        { protocol: "TCP", port: 8554 },
      ]),
    );
    // Nothing else: no egress rule without ports (that would be every port).
    expect(p?.egress?.every((r) => (r.ports ?? []).length > 0)).toBe(true);
  });
});

describe("the publisher on Docker", () => {
  it("one container for every passthrough camera, checked by its own binary", () => {
    const cfg = parseStackConfig(twoModes({ publisher: {} }, "docker"));
    const spec = dockerServices(cfg, "//").find((s) => s.workload === "publisher");
    expect(spec?.image).toBe("lkstack-publisher:0.1.0");
    expect(spec?.env[PUBLISHER_ENV.shardCount]).toBe("1");
    expect(spec?.env[PUBLISHER_ENV.shardIndex]).toBe("0");
    expect(spec?.healthcheck.tests).toEqual(["CMD", "/usr/local/bin/lkstack-publisher", "healthcheck"]);
    expect(spec?.readOnly).toBe(true);
    expect(spec?.hostNetwork).toBe(false);
  });

  it("refuses more passthrough cameras than one publisher carries", () => {
    const cams = Array.from({ length: 3 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      rtsp: `rtsp://10.9.0.${i + 1}`,
      streams: { high, low },
    }));
    expect(refusal(minimal("docker", { cameras: cams, publisher: { camerasPerReplica: 2 } }))).toEqual([
      expect.stringMatching(/lkstack:publisher\.camerasPerReplica: the Docker target runs one publisher/),
    ]);
    expect(() => parseStackConfig(minimal("docker", { cameras: cams, publisher: { camerasPerReplica: 3 } }))).not.toThrow();
  });
});

describe("on-demand publishing", () => {
  const cams = Array.from({ length: 60 }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    rtsp: `rtsp://10.9.0.${i + 1}`,
    streams: { high, low },
  }));
  const cfg = parseStackConfig(minimal("kubernetes", { cameras: cams, publisher: { image: IMAGE, onDemand: true } }));
  let livekit: { webhook?: { urls: string[] } };
  beforeEach(() => {
    livekit = parseYaml(renderStack(cfg, TEST_SECRETS).sfu?.publicFiles["livekit.yaml"] ?? "") as { webhook?: { urls: string[] } };
  });

  it("LiveKit posts its webhooks to every publisher pod by its stable name (each acts on its own shard)", () => {
    expect(livekit.webhook?.urls).toEqual([
      "http://lkstack-publisher-0.lkstack-publisher.lkstack.svc.cluster.local:9210/webhook",
      "http://lkstack-publisher-1.lkstack-publisher.lkstack.svc.cluster.local:9210/webhook",
    ]);
    // Signed with the current API key, which the SFU's Secret carries.
    expect(renderStack(cfg, TEST_SECRETS).sfu?.secretEnv.LIVEKIT_WEBHOOK_API_KEY).toBe(TEST_SECRETS.apiKeys[0].key);
  });

  it("the publisher stops a camera the seed's 60 s after its last viewer, unless told otherwise", () => {
    const env = Object.fromEntries(
      (k8sManifests(cfg, "//").publisher?.statefulSet.spec?.template.spec?.containers[0].env ?? []).map((e) => [e.name, e.value]),
    );
    expect([env.LKSTACK_ON_DEMAND, env.LKSTACK_IDLE_STOP_SECONDS]).toEqual(["true", "60"]);
    const quick = parseStackConfig(
      minimal("kubernetes", { cameras: cams, publisher: { image: IMAGE, onDemand: true, idleStopSeconds: 30 } }),
    );
    expect(k8sManifests(quick, "//").publisher?.statefulSet.spec?.template.spec?.containers[0].env).toContainEqual({
      name: "LKSTACK_IDLE_STOP_SECONDS",
      value: "30",
    });
  });

  it("the SFU may reach the publishers' port; off, no webhook and no such rule", () => {
    const sfuEgress = k8sManifests(cfg, "//").networkPolicies.find((p) => p.metadata?.name === "lkstack-sfu")?.spec?.egress;
    expect(sfuEgress).toContainEqual({
      to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "lkstack-publisher", "app.kubernetes.io/part-of": "lkstack" } } }],
      ports: [{ protocol: "TCP", port: 9210 }],
    });
    const off = parseStackConfig(minimal("kubernetes", { cameras: cams, publisher: { image: IMAGE } }));
    expect(
      (parseYaml(renderStack(off, TEST_SECRETS).sfu?.publicFiles["livekit.yaml"] ?? "") as { webhook?: unknown }).webhook,
    ).toBeUndefined();
    const offEgress = k8sManifests(off, "//").networkPolicies.find((p) => p.metadata?.name === "lkstack-sfu")?.spec?.egress ?? [];
    expect(offEgress.flatMap((r) => r.ports ?? [])).not.toContainEqual({ protocol: "TCP", port: 9210 });
  });
});

describe("on-demand pulls", () => {
  it("MediaMTX pulls a passthrough camera only while the publisher reads it; a transcode camera always", () => {
    const cfg = parseStackConfig(twoModes({ publisher: { image: IMAGE, onDemand: true } }));
    const doc = parseYaml(renderStack(cfg, TEST_SECRETS).mediamtx?.publicFiles["mediamtx.yml"] ?? "") as {
      paths: Record<string, { sourceOnDemand: boolean }>;
    };
    expect(Object.fromEntries(Object.entries(doc.paths).map(([k, v]) => [k, v.sourceOnDemand]))).toEqual({
      [`camera_${ID}`]: true,
      [`camera_${ID}_low`]: true,
      [`camera_${OTHER}`]: false,
    });
  });
});
