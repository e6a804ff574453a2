import type { ConfigMap } from "kubernetes-types/core/v1";
import { CONTAINER_LAYOUT, parseStackConfig, type StackConfig } from "../../schema";
import { k8sManifests, PUBLISHER_ENV, publishedCameraFiles, publisherWebhookUrls, type PublisherObjects } from "../../templates";
import { minimal } from "../helpers/fixtures";

// The passthrough publisher on Kubernetes (templates/k8s/publisher.ts): what an operator relies on in
// each of its objects. Everything is rendered inside the tests (per-test coverage under npm run mutate).
const CODE = "/* reconciler */ process.exit(0);";
const IMAGE = "registry.example.org/cctv/lkstack-publisher:0.1.0";
const high = { path: "/Streaming/Channels/101", width: 1920, height: 1080, bitrateKbps: 4000 };
const low = { path: "/Streaming/Channels/102", width: 640, height: 360, bitrateKbps: 500 };

/** Values unlike the defaults (namespace, health port), so a default or a constant would not pass. */
const cfg: StackConfig = parseStackConfig(
  minimal("kubernetes", {
    kubernetes: { namespace: "media" },
    cameras: Array.from({ length: 3 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      rtsp: `rtsp://10.9.0.${i + 1}:554`,
      streams: { high, low },
    })),
    publisher: { image: IMAGE, onDemand: true, camerasPerReplica: 2, ports: { health: 9311 } },
  }),
);

/** What selects the publisher's pods, and nothing else. */
const SELECTOR = { "app.kubernetes.io/name": "lkstack-publisher", "app.kubernetes.io/part-of": "lkstack" };
/** Every publisher object's labels. */
const LABELS = { ...SELECTOR, "app.kubernetes.io/component": "publisher", "app.kubernetes.io/managed-by": "lkstack" };

function publisherOf(c: StackConfig): PublisherObjects {
  const p = k8sManifests(c, CODE).publisher;
  if (!p) throw new Error("no publisher objects rendered");
  return p;
}

describe("the publisher's objects on Kubernetes", () => {
  let p: PublisherObjects;
  beforeEach(() => {
    p = publisherOf(cfg);
  });

  const podSpecOf = () => {
    const spec = p.statefulSet.spec?.template.spec;
    if (!spec) throw new Error("StatefulSet without a pod spec");
    return spec;
  };
  const containerOf = () => {
    const containers = podSpecOf().containers;
    expect(containers).toHaveLength(1);
    return containers[0];
  };

  it("the StatefulSet is lkstack-publisher in the stack's namespace, with the publisher's labels", () => {
    expect(p.statefulSet.metadata).toEqual({ name: "lkstack-publisher", namespace: "media", labels: LABELS });
    expect(p.statefulSet.spec?.replicas).toBe(2);
  });

  it("the StatefulSet selects exactly the publisher's pods, and its pods carry the publisher's labels", () => {
    expect(p.statefulSet.spec?.selector).toEqual({ matchLabels: SELECTOR });
    expect(p.statefulSet.spec?.template.metadata?.labels).toEqual(LABELS);
  });

  it("its pods spread across zones counting the publisher's own pods only", () => {
    expect(podSpecOf().topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: cfg.kubernetes.zoneTopologyKey,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: SELECTOR },
      },
    ]);
  });

  it("its one container is named publisher and serves its health port by name", () => {
    const container = containerOf();
    expect(container.name).toBe("publisher");
    expect(container.image).toBe(IMAGE);
    expect(container.ports).toEqual([{ name: "health", containerPort: 9311, protocol: "TCP" }]);
  });

  it("each chunk of the camera list is its own content-named, immutable ConfigMap of the publisher's, holding that chunk", () => {
    const files = publishedCameraFiles(cfg);
    expect(Object.keys(files)).toEqual(["publish-000.json"]);
    expect(p.configMaps.map((cm: ConfigMap) => cm.data)).toEqual(Object.entries(files).map(([name, body]) => ({ [name]: body })));
    for (const cm of p.configMaps) {
      expect(cm.metadata?.name).toMatch(/^lkstack-publisher-config-[0-9a-f]{10}$/);
      expect(cm.metadata?.namespace).toBe("media");
      expect(cm.metadata?.labels).toEqual(LABELS);
      expect(cm.immutable).toBe(true);
    }
    // Content-named: another camera list is another ConfigMap.
    const fewer = parseStackConfig(
      minimal("kubernetes", {
        kubernetes: { namespace: "media" },
        cameras: [{ id: "00000000-0000-4000-8000-000000000000", rtsp: "rtsp://10.9.0.1:554", streams: { high, low } }],
        publisher: { image: IMAGE },
      }),
    );
    expect(publisherOf(fewer).configMaps[0]?.metadata?.name).not.toBe(p.configMaps[0]?.metadata?.name);
  });

  it("the camera lists are mounted read-only in one directory, each chunk's key to its own file", () => {
    const dir = CONTAINER_LAYOUT.publisher.camerasDir;
    expect(dir).toBe("/etc/lkstack/publish");
    const container = containerOf();
    expect(container.volumeMounts).toEqual([{ name: "cameras", mountPath: dir, readOnly: true }]);
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(env[PUBLISHER_ENV.camerasDir]).toBe(dir);
    expect(podSpecOf().volumes).toEqual([
      {
        name: "cameras",
        projected: {
          sources: p.configMaps.map((cm) => ({
            configMap: { name: cm.metadata?.name, items: [{ key: "publish-000.json", path: "publish-000.json" }] },
          })),
        },
      },
    ]);
    const projectedNames = podSpecOf().volumes?.[0]?.projected?.sources?.map((s) => s.configMap?.name);
    expect(projectedNames).toEqual([expect.stringMatching(/^lkstack-publisher-config-[0-9a-f]{10}$/)]);
  });

  it("a headless Service (clusterIP None) gives each pod the stable DNS name LiveKit's webhooks use", () => {
    expect(p.service.metadata).toEqual({ name: "lkstack-publisher", namespace: "media", labels: LABELS });
    expect(p.service.spec?.clusterIP).toBe("None");
    expect(p.service.spec?.type).toBe("ClusterIP");
    expect(p.service.spec?.selector).toEqual(SELECTOR);
    // The StatefulSet's governing Service: pod <sts>-<n> resolves as <sts>-<n>.<service>.<namespace>.svc.
    expect(p.statefulSet.spec?.serviceName).toBe(p.service.metadata?.name);
    const hosts = publisherWebhookUrls(cfg).map((u) => new URL(u).hostname);
    expect(hosts).toEqual(
      [0, 1].map(
        (i) => `${p.statefulSet.metadata?.name}-${i}.${p.service.metadata?.name}.${p.service.metadata?.namespace}.svc.cluster.local`,
      ),
    );
  });

  it("the Service exposes the health port, targeting the container's port of that name", () => {
    expect(p.service.spec?.ports).toEqual([{ name: "health", port: 9311, targetPort: "health", protocol: "TCP" }]);
    const portNames = (containerOf().ports ?? []).map((port) => port.name);
    expect(portNames).toContain(p.service.spec?.ports?.[0]?.targetPort);
  });

  it("the disruption budget selects the publisher's pods and lets one be down at a time", () => {
    expect(p.podDisruptionBudget.metadata).toEqual({ name: "lkstack-publisher", namespace: "media", labels: LABELS });
    expect(p.podDisruptionBudget.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: SELECTOR } });
  });
});
