import type { Container, PodSpec, Volume } from "kubernetes-types/core/v1";
import type { StackConfig } from "../../schema";
import {
  defaultSecretNames,
  k8sManifests,
  LABEL,
  mediamtxObjects,
  mediamtxPartNames,
  workloadInputs,
  type MediamtxObjects,
  type WorkloadInput,
} from "../../templates";
import { minimal, parse } from "../helpers/fixtures";

// MediaMTX on Kubernetes (templates/k8s/mediamtx.ts): what a platform engineer relies on in its
// Deployment and Service. Everything is rendered inside the tests or their beforeEach (per-test
// coverage under npm run mutate).
const CODE = "/* reconciler */ process.exit(0);";

/** A release pinned to an image digest, so the variant's place in the reference shows. */
const DIGEST = `sha256:${"ab".repeat(32)}`;

/** Values unlike the defaults, so a default or a constant would not pass. */
const config = (): StackConfig =>
  parse(
    minimal("kubernetes", {
      kubernetes: { namespace: "media" },
      versions: { mediamtx: `v1.20.3@${DIGEST}` },
      mediamtx: { ports: { rtsp: 18554, api: 19997, metrics: 19998 } },
    }),
  );

/** Enough cameras that MediaMTX's Secret-held body needs more than one part (as in k8s-secrets.test.ts). */
const cityConfig = (): StackConfig =>
  parse(
    minimal("kubernetes", {
      sfu: { ports: { udpMode: "single" } },
      cameras: Array.from({ length: 4000 }, (_, i) => ({
        id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        rtsp: `rtsp://10.50.${Math.floor(i / 250)}.${(i % 250) + 1}:554/stream`,
      })),
    }),
  );

function mediamtxOf(cfg: StackConfig): MediamtxObjects {
  const m = k8sManifests(cfg, CODE).mediamtx;
  if (!m) throw new Error("MediaMTX is rendered by default");
  return m;
}

function podOf(m: MediamtxObjects): PodSpec {
  const spec = m.deployment.spec?.template.spec;
  if (!spec) throw new Error("Deployment without a pod spec");
  return spec;
}

function initOf(m: MediamtxObjects): Container {
  const init = podOf(m).initContainers ?? [];
  expect(init).toHaveLength(1);
  return init[0];
}

function containerOf(m: MediamtxObjects): Container {
  const containers = podOf(m).containers;
  expect(containers).toHaveLength(1);
  return containers[0];
}

function volumeOf(m: MediamtxObjects, name: string): Volume | undefined {
  return (podOf(m).volumes ?? []).find((v) => v.name === name);
}

const PARTS_DIR = "/etc/mediamtx";
const RUNTIME_DIR = "/run/mediamtx";
const RUNTIME_CONFIG = "/run/mediamtx/mediamtx.yml";

describe("MediaMTX's Deployment and Service on Kubernetes", () => {
  let m: MediamtxObjects;
  beforeEach(() => {
    m = mediamtxOf(config());
  });

  it("MediaMTX is replaced, never two at once (Recreate): two instances would each pull every always-on camera", () => {
    expect(m.deployment.spec?.replicas).toBe(1);
    expect(m.deployment.spec?.strategy).toEqual({ type: "Recreate" });
  });

  it("an init container, join-config, joins the Secret-held parts into the runtime config through /bin/sh -c, owner-only (umask 077)", () => {
    const init = initOf(m);
    expect(init.name).toBe("join-config");
    expect(init.command).toEqual(["/bin/sh", "-c", `umask 077 && cat ${PARTS_DIR}/mediamtx-000.yml > ${RUNTIME_CONFIG}`]);
  });

  it("the init container runs the same release's -ffmpeg variant (it has a shell; the plain image is FROM scratch), MediaMTX the plain image", () => {
    expect(initOf(m).image).toBe(`bluenviron/mediamtx:1.20.3-ffmpeg@${DIGEST}`);
    expect(containerOf(m).image).toBe(`bluenviron/mediamtx:1.20.3@${DIGEST}`);
  });

  it("the init container reads the parts read-only and writes into the runtime config's directory", () => {
    expect(initOf(m).volumeMounts).toEqual([
      { name: "parts", mountPath: PARTS_DIR, readOnly: true },
      { name: "runtime", mountPath: RUNTIME_DIR },
    ]);
  });

  it("MediaMTX runs the joined config, which it reads read-only from the runtime directory", () => {
    const c = containerOf(m);
    expect(c.name).toBe("mediamtx");
    expect(c.args).toEqual([RUNTIME_CONFIG]);
    expect(c.volumeMounts).toEqual([{ name: "runtime", mountPath: RUNTIME_DIR, readOnly: true }]);
  });

  it("the joined config (every camera credential) lives on a memory-backed emptyDir, never on a node's disk", () => {
    expect(volumeOf(m, "runtime")).toEqual({ name: "runtime", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } });
  });

  it("the single part Secret is mounted by key, files mode 0440, under the parts directory", () => {
    expect(volumeOf(m, "parts")).toEqual({
      name: "parts",
      projected: {
        defaultMode: 0o440,
        sources: [{ secret: { name: "lkstack-mediamtx-secret", items: [{ key: "mediamtx-000.yml", path: "mediamtx-000.yml" }] } }],
      },
    });
  });

  it("MediaMTX's container ports are exactly RTSP and the API, by name (metrics stays on loopback)", () => {
    expect(containerOf(m).ports).toEqual([
      { name: "rtsp", containerPort: 18554, protocol: "TCP" },
      { name: "api", containerPort: 19997, protocol: "TCP" },
    ]);
  });

  it("it is probed on its RTSP port (the API and metrics listeners admit loopback only)", () => {
    const c = containerOf(m);
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: "rtsp" }, periodSeconds: 10 });
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: "rtsp" }, initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3 });
  });

  it("the Service, in the cluster only, exposes exactly RTSP and the API, each to the container port of its name, and selects MediaMTX's pods", () => {
    expect(m.service.metadata?.name).toBe("lkstack-mediamtx");
    expect(m.service.metadata?.namespace).toBe("media");
    expect(m.service.spec).toEqual({
      type: "ClusterIP",
      selector: { [LABEL.name]: "lkstack-mediamtx", [LABEL.partOf]: "lkstack" },
      ports: [
        { name: "rtsp", port: 18554, targetPort: "rtsp", protocol: "TCP" },
        { name: "api", port: 19997, targetPort: "api", protocol: "TCP" },
      ],
    });
    expect(m.deployment.spec?.template.metadata?.labels).toEqual(expect.objectContaining(m.service.spec?.selector));
  });
});

describe("a city's MediaMTX: its body in several part Secrets", () => {
  let city: StackConfig;
  let parts: string[];
  let input: WorkloadInput;
  beforeEach(() => {
    city = cityConfig();
    parts = mediamtxPartNames(city);
    const i = workloadInputs(city, defaultSecretNames()).mediamtx;
    if (!i) throw new Error("the city stack runs MediaMTX");
    input = i;
  });

  it("each part Secret (as Pulumi names them) is mounted by key, in part order, into the one parts directory", () => {
    expect(parts.length).toBeGreaterThan(1);
    const secrets = parts.map((_, i) => `mtx-part-${i}-x7k2`);
    const volume = volumeOf(mediamtxObjects(city, input, secrets), "parts");
    expect(volume).toEqual({
      name: "parts",
      projected: { defaultMode: 0o440, sources: parts.map((p, i) => ({ secret: { name: secrets[i], items: [{ key: p, path: p }] } })) },
    });
  });

  it("the init container joins every part, in name order, into the one config MediaMTX reads", () => {
    expect(parts.length).toBeGreaterThan(1);
    const init = initOf(mediamtxObjects(city, input));
    const files = parts.map((p) => `${PARTS_DIR}/${p}`).join(" ");
    expect(init.command).toEqual(["/bin/sh", "-c", `umask 077 && cat ${files} > ${RUNTIME_CONFIG}`]);
    expect(parts).toEqual(parts.map((_, i) => `mediamtx-${String(i).padStart(3, "0")}.yml`));
  });
});
