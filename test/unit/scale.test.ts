import { createHash } from "node:crypto";
import { reconcilerCode } from "../../reconciler/bundle";
import { parseStackConfig, type StackConfig, type StackSecrets } from "../../schema";
import {
  dockerFiles,
  dockerServices,
  k8sManifests,
  k8sObjectList,
  k8sSecrets,
  mediamtxSecretParts,
  OBJECT_LIMITS,
  renderStack,
  FILE_NAMES,
  type K8sObject,
} from "../../templates";
import { minimal, TEST_SECRETS } from "../helpers/fixtures";

/** Kubernetes refuses a ConfigMap or Secret over 1 MiB (and etcd larger requests). */
const K8S_MAX = 1024 * 1024;
/** Docker Swarm (swarmkit controlapi): config data under 1000 KiB, secret data under 500 KiB. */
const SWARM_CONFIG_MAX = 1000 * 1024;
const SWARM_SECRET_MAX = 500 * 1024;
const CAMERAS = 10_000;

/** Deterministic v4-shaped UUIDs, so a failure names the same object every run. */
function uuid(i: number): string {
  const h = createHash("sha256").update(`camera-${i}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A city's worth of cameras, every one with credentials, as the stack file would list them. */
function city(target: "kubernetes" | "docker"): StackConfig {
  // A standalone Docker host runs one SFU, far too few for a city: the Docker case is a Swarm.
  const docker = target === "docker" ? { docker: { mode: "swarm" } } : {};
  const cameras = Array.from({ length: CAMERAS }, (_, i) => ({
    id: uuid(i),
    name: `junction-${i}`,
    rtsp: `rtsp://10.20.${Math.floor(i / 250)}.${(i % 250) + 1}:554/Streaming/Channels/101`,
    credentials: i % 2 ? "corridor-a" : "corridor-b",
  }));
  // 40 SFU nodes: the UDP range check sizes the SFU for 10,000 camera participants.
  return parseStackConfig(minimal(target, { cameras, sfu: { replicas: 40 }, ...docker } as Parameters<typeof minimal>[1]));
}

/** Credentials longer than most cameras take: the split must hold them. */
const SECRETS: StackSecrets = {
  ...TEST_SECRETS,
  cameraCredentials: {
    "corridor-a": { username: "operator-corridor-a", password: "sEcReT-camera-a-0123456789abcdef" },
    "corridor-b": { username: "operator-corridor-b", password: "sEcReT-camera-b-0123456789abcdef" },
  },
};

const bytes = (o: unknown): number => Buffer.byteLength(JSON.stringify(o), "utf8");
const label = (o: K8sObject): string => `${o.kind}/${o.metadata?.name ?? "?"}`;

describe(`${CAMERAS} cameras`, () => {
  it("Kubernetes: every object of the stack, Secrets included, serializes under 1 MiB", () => {
    const cfg = city("kubernetes");
    const objects: K8sObject[] = [...k8sObjectList(k8sManifests(cfg, reconcilerCode())), ...k8sSecrets(cfg, SECRETS)];
    // With headroom: what the API server stores adds metadata (uid, managedFields, …) to this.
    const over = objects.filter((o) => bytes(o) >= K8S_MAX - 64 * 1024).map((o) => `${label(o)}: ${bytes(o)} bytes`);
    expect(over).toEqual([]);
    // The split is real: several ConfigMaps for the reconciler, several Secrets for MediaMTX.
    expect(objects.filter((o) => o.kind === "ConfigMap" && o.metadata?.name?.startsWith("lkstack-cameras-")).length).toBeGreaterThan(2);
    expect(objects.filter((o) => o.kind === "Secret" && o.metadata?.name?.startsWith("lkstack-mediamtx-")).length).toBeGreaterThan(1);
  });

  it("Docker Swarm: every config under 1000 KiB, every secret under 500 KiB", () => {
    const cfg = city("docker");
    const rendered = renderStack(cfg, SECRETS);
    const over: string[] = [];
    for (const spec of dockerServices(cfg, reconcilerCode())) {
      const r = rendered[spec.service];
      if (!r) throw new Error(`${spec.service} not rendered`);
      const content = dockerFiles(cfg, spec, r, reconcilerCode());
      for (const f of spec.files) {
        const body = content[f.name];
        expect([spec.name, f.name, typeof body]).toEqual([spec.name, f.name, "string"]);
        const n = Buffer.byteLength(body, "utf8");
        if (n >= (f.secret ? SWARM_SECRET_MAX : SWARM_CONFIG_MAX)) over.push(`${spec.name} ${f.name}: ${n} bytes`);
      }
    }
    expect(over).toEqual([]);
  });

  it("the MediaMTX parts joined in name order are the rendered body, byte for byte", () => {
    const cfg = city("kubernetes");
    const body = renderStack(cfg, SECRETS).mediamtx?.secretFiles[FILE_NAMES.mediamtx] ?? "";
    const parts = mediamtxSecretParts(cfg, body);
    expect(Object.keys(parts).length).toBeGreaterThan(2);
    expect(
      Object.keys(parts)
        .sort()
        .map((n) => parts[n])
        .join(""),
    ).toBe(body);
  });

  it("the limits the split is held to are the platforms' own", () => {
    expect(OBJECT_LIMITS).toEqual({ kubernetes: K8S_MAX, swarmConfig: SWARM_CONFIG_MAX, swarmSecret: SWARM_SECRET_MAX });
  });
});
