import type { PodTemplateSpec } from "kubernetes-types/core/v1";
import { CONTAINER_LAYOUT, RECONCILER_IMAGE } from "../../schema";
import { configMap, digest, FILE_NAMES, k8sManifests, k8sObjectList, RECONCILER_ENV, type K8sObject } from "../../templates";
import { minimal, parse, stackFromFile } from "../helpers/fixtures";

// What every pod of a stack must be, checked on the templates themselves (the component tests check
// the same through Pulumi): each workload of the prod stack, which runs all of them.
const CODE = "/* reconciler */ process.exit(0);";

type Workload = K8sObject & { kind: "Deployment" | "StatefulSet"; spec: { template: PodTemplateSpec } };

const workloadsOf = (cfg: ReturnType<typeof parse>): Workload[] =>
  k8sObjectList(k8sManifests(cfg, CODE)).filter((o): o is Workload => o.kind === "Deployment" || o.kind === "StatefulSet");

describe("every workload of the prod stack", () => {
  let workloads: Workload[];
  beforeEach(() => {
    workloads = workloadsOf(stackFromFile("prod"));
  });

  it("includes each of the stack's servers", () => {
    expect(workloads.map((w) => w.metadata?.name).sort()).toEqual(
      expect.arrayContaining(["lkstack-cameras", "lkstack-ingress", "lkstack-mediamtx", "lkstack-sfu", "lkstack-turn", "lkstack-valkey"]),
    );
  });

  it("runs every container under the restricted security context: no privilege, no capability, read-only root, non-root", () => {
    for (const w of workloads)
      for (const c of w.spec.template.spec?.containers ?? []) {
        const at = `${w.metadata?.name}/${c.name}`;
        expect([at, c.securityContext]).toEqual([
          at,
          {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
          },
        ]);
      }
  });

  it("runs every pod as its image's unprivileged user, with the runtime's seccomp profile and that user's group on Secret files", () => {
    for (const w of workloads) {
      const s = w.spec.template.spec?.securityContext;
      const at = w.metadata?.name;
      expect([at, s?.runAsNonRoot, s?.seccompProfile]).toEqual([at, true, { type: "RuntimeDefault" }]);
      expect([at, typeof s?.runAsUser, s?.runAsUser !== 0]).toEqual([at, "number", true]);
      expect([at, s?.runAsGroup, s?.fsGroup]).toEqual([at, s?.runAsUser, s?.runAsUser]);
    }
  });

  it("gives every container requests and limits for CPU and memory, and readiness and liveness probes", () => {
    for (const w of workloads)
      for (const c of w.spec.template.spec?.containers ?? []) {
        const at = `${w.metadata?.name}/${c.name}`;
        for (const kind of ["requests", "limits"] as const)
          expect([at, kind, typeof c.resources?.[kind]?.cpu, typeof c.resources?.[kind]?.memory]).toEqual([at, kind, "string", "string"]);
        expect([at, c.readinessProbe !== undefined, c.livenessProbe !== undefined]).toEqual([at, true, true]);
      }
  });

  it("keeps every pod off control-plane nodes", () => {
    for (const w of workloads)
      expect([
        w.metadata?.name,
        w.spec.template.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
      ]).toEqual([w.metadata?.name, [{ matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" }] }]]);
  });
});

describe("ConfigMaps are named by their content and immutable", () => {
  const cfg = () => parse(minimal("kubernetes"));

  it("name = <service>-<part>-<10 hex of the content>, in the stack's namespace with the service's labels", () => {
    const cm = configMap(cfg(), "sfu", { "livekit.yaml": "port: 7880\n" });
    expect(cm.metadata?.name).toMatch(/^lkstack-sfu-config-[0-9a-f]{10}$/);
    expect(cm.metadata?.name).toBe(`lkstack-sfu-config-${digest({ "livekit.yaml": "port: 7880\n" })}`);
    expect(cm.metadata?.namespace).toBe("lkstack");
    expect(cm.metadata?.labels).toEqual(expect.objectContaining({ "app.kubernetes.io/component": "sfu" }));
    expect(cm.immutable).toBe(true);
    expect(cm.data).toEqual({ "livekit.yaml": "port: 7880\n" });
    expect(configMap(cfg(), "cameras", { a: "1" }, "code").metadata?.name).toMatch(/^lkstack-cameras-code-[0-9a-f]{10}$/);
  });

  it("the digest: 10 hex digits, the same for the same files in any order, different for a changed name or body", () => {
    const d = digest({ a: "1", b: "2" });
    expect(d).toMatch(/^[0-9a-f]{10}$/);
    expect(digest({ b: "2", a: "1" })).toBe(d);
    expect(digest({ a: "1", b: "3" })).not.toBe(d);
    expect(digest({ a: "1", c: "2" })).not.toBe(d);
    // Name and body are delimited: moving a character across the boundary is a different digest.
    expect(digest({ ab: "c" })).not.toBe(digest({ a: "bc" }));
  });
});

describe("the camera reconciler on Kubernetes", () => {
  const cameras = () => {
    const m = k8sManifests(stackFromFile("prod"), CODE).cameras;
    if (!m) throw new Error("the prod stack has cameras");
    return m;
  };

  it("runs one replica, replaced (never two at once: two would race on the same ingresses)", () => {
    const d = cameras().deployment;
    expect(d.spec?.replicas).toBe(1);
    expect(d.spec?.strategy).toEqual({ type: "Recreate" });
  });

  it("runs the bundled code from its own ConfigMap with stock node, read-only", () => {
    const { configMaps, deployment } = cameras();
    const [code, ...chunks] = configMaps;
    expect(code.data).toEqual({ [FILE_NAMES.reconciler]: CODE });
    expect(code.metadata?.name).toMatch(/^lkstack-cameras-code-/);
    expect(chunks.length).toBeGreaterThan(0);
    for (const cm of chunks) {
      expect(Object.keys(cm.data ?? {})).toEqual([expect.stringMatching(/^cameras-\d{3}\.json$/)]);
      expect(cm.metadata?.name).toMatch(/^lkstack-cameras-config-[0-9a-f]{10}$/);
      expect(cm.metadata?.labels?.["app.kubernetes.io/component"]).toBe("cameras");
    }
    const pod = deployment.spec?.template.spec;
    const c = pod?.containers[0];
    expect(c?.name).toBe("reconciler");
    expect(c?.image).toBe(RECONCILER_IMAGE);
    expect(c?.command).toEqual(["node", CONTAINER_LAYOUT.cameras.code]);
    expect(c?.volumeMounts).toEqual([
      { name: "code", mountPath: CONTAINER_LAYOUT.cameras.code, subPath: FILE_NAMES.reconciler, readOnly: true },
      { name: "ingresses", mountPath: CONTAINER_LAYOUT.cameras.ingressesDir, readOnly: true },
    ]);
    expect(pod?.volumes?.find((v) => v.name === "code")?.configMap?.name).toBe(code.metadata?.name);
  });

  it("projects every desired-ingress chunk, each key to its own file, into one directory", () => {
    const { configMaps, deployment } = cameras();
    const sources = deployment.spec?.template.spec?.volumes?.find((v) => v.name === "ingresses")?.projected?.sources ?? [];
    expect(sources).toEqual(
      configMaps.slice(1).map((cm) => ({
        configMap: { name: cm.metadata?.name, items: Object.keys(cm.data ?? {}).map((key) => ({ key, path: key })) },
      })),
    );
  });

  it("answers its probes on the health port it is told to listen on, and takes its settings and credentials from env", () => {
    const c = cameras().deployment.spec?.template.spec?.containers[0];
    const env = Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom?.secretKeyRef?.key]));
    const port = Number(env[RECONCILER_ENV.healthPort]);
    expect(port).toBeGreaterThan(0);
    expect(c?.ports).toEqual([{ name: "health", containerPort: port, protocol: "TCP" }]);
    expect(c?.readinessProbe?.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(c?.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(c?.livenessProbe?.initialDelaySeconds).toBeGreaterThan(0);
    expect(env.LIVEKIT_API_SECRET).toBe("LIVEKIT_API_SECRET");
  });

  it("rolls when its code or its cameras change, not otherwise", () => {
    const podDigest = (code: string) =>
      k8sManifests(stackFromFile("prod"), code).cameras?.deployment.spec?.template.metadata?.annotations?.["lkstack.io/config-digest"];
    expect(podDigest(CODE)).toMatch(/^[0-9a-f]{10}$/);
    expect(podDigest(CODE)).toBe(podDigest(CODE));
    expect(podDigest(CODE + " ")).not.toBe(podDigest(CODE));
  });
});

describe("the LiveKit Ingress on Kubernetes", () => {
  const ingressOf = () => {
    const cfg = stackFromFile("prod");
    const i = k8sManifests(cfg, CODE).ingress;
    if (!i) throw new Error("the prod stack runs the Ingress");
    return { cfg, i };
  };

  it("rolls one new pod in before an old one goes (sessions re-encode until they end: never two down)", () => {
    const { i } = ingressOf();
    expect(i.deployment.spec?.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    // Spread across zones, counting its own pods.
    expect(i.deployment.spec?.template.spec?.topologySpreadConstraints?.[0].labelSelector).toEqual({
      matchLabels: { "app.kubernetes.io/name": "lkstack-ingress", "app.kubernetes.io/part-of": "lkstack" },
    });
  });

  it("reads its config from the mounted Secret, keeps GStreamer's registry on a /tmp emptyDir (read-only root)", () => {
    const { i } = ingressOf();
    const pod = i.deployment.spec?.template.spec;
    const c = pod?.containers[0];
    expect(c?.name).toBe("ingress");
    expect(c?.args).toEqual(["--config", CONTAINER_LAYOUT.ingress.config]);
    expect(c?.env?.find((e) => e.name === "HOME")).toEqual({ name: "HOME", value: "/tmp" });
    expect(c?.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(pod?.volumes).toContainEqual({ name: "tmp", emptyDir: { sizeLimit: "1Gi" } });
    expect(c?.volumeMounts?.some((m) => m.mountPath === CONTAINER_LAYOUT.ingress.config)).toBe(true);
    // Its whole config is the Secret's copy (it has no env override for the Redis password): no ConfigMap volume.
    expect(pod?.volumes?.map((v) => v.name)).toEqual(["secret", "tmp"]);
    expect(c?.volumeMounts?.find((m) => m.mountPath === CONTAINER_LAYOUT.ingress.config)?.name).toBe("secret");
  });

  it("declares its health, metrics and RTMP ports, and is probed on the health port (not metrics or RTMP)", () => {
    const { cfg, i } = ingressOf();
    const c = i.deployment.spec?.template.spec?.containers[0];
    const p = cfg.ingress.ports;
    expect(c?.ports).toEqual([
      { name: "health", containerPort: p.health, protocol: "TCP" },
      { name: "metrics", containerPort: p.metrics, protocol: "TCP" },
      { name: "rtmp", containerPort: p.rtmp, protocol: "TCP" },
    ]);
    expect(c?.readinessProbe?.httpGet).toEqual({ path: "/", port: "health" });
    expect(c?.livenessProbe?.httpGet).toEqual({ path: "/", port: "health" });
    expect(c?.livenessProbe?.initialDelaySeconds).toBeGreaterThan(0);
    expect(i.service.metadata?.name).toBe("lkstack-ingress");
    expect(i.service.metadata?.labels?.["app.kubernetes.io/component"]).toBe("ingress");
    expect(i.service.spec?.ports?.map((x) => [x.name, x.port, x.targetPort])).toEqual([
      ["health", p.health, "health"],
      ["metrics", p.metrics, "metrics"],
      ["rtmp", p.rtmp, "rtmp"],
    ]);
  });
});

describe("the stack's Namespace", () => {
  it("enforces the privileged Pod Security level (host network) and warns at restricted", () => {
    const ns = k8sManifests(parse(minimal("kubernetes", { kubernetes: { createNamespace: true, namespace: "cams" } })), CODE).namespace;
    expect(ns).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "cams",
        labels: {
          "app.kubernetes.io/part-of": "lkstack",
          "pod-security.kubernetes.io/enforce": "privileged",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    });
    expect(k8sManifests(parse(minimal("kubernetes", { kubernetes: { createNamespace: false } })), CODE).namespace).toBeUndefined();
  });
});

describe("what every pod template and workload shares", () => {
  let workloads: Workload[];
  beforeEach(() => {
    workloads = workloadsOf(stackFromFile("prod"));
  });

  it("each Deployment selects exactly its own pods, and each pod names the config digest it runs", () => {
    for (const w of workloads) {
      const labels = w.spec.template.metadata?.labels ?? {};
      const selector = (w.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels ?? {};
      expect([w.metadata?.name, selector]).toEqual([
        w.metadata?.name,
        { "app.kubernetes.io/name": w.metadata?.name, "app.kubernetes.io/part-of": "lkstack" },
      ]);
      for (const [k, v] of Object.entries(selector)) expect(labels[k]).toBe(v);
      expect([w.metadata?.name, w.spec.template.metadata?.annotations?.["lkstack.io/config-digest"]]).toEqual([
        w.metadata?.name,
        expect.stringMatching(/^[0-9a-f]{10}$/),
      ]);
    }
  });

  it("no pod gets a service-account token or service-link env (none calls the Kubernetes API)", () => {
    for (const w of workloads) {
      const spec = w.spec.template.spec;
      expect([w.metadata?.name, spec?.automountServiceAccountToken, spec?.enableServiceLinks]).toEqual([w.metadata?.name, false, false]);
    }
  });

  it("the host-network SFU and coturn run one pod per node and spread across zones, each selecting its own pods", () => {
    const byName = Object.fromEntries(workloads.map((w) => [w.metadata?.name, w.spec.template.spec]));
    for (const name of ["lkstack-sfu", "lkstack-turn"]) {
      const own = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "lkstack" };
      expect(byName[name]?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
        { labelSelector: { matchLabels: own }, topologyKey: "kubernetes.io/hostname" },
      ]);
      expect(byName[name]?.topologySpreadConstraints).toEqual([
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: own },
        },
      ]);
    }
  });

  it("lkstack:kubernetes.nodeSelector reaches every pod; without it, pods name no node selector", () => {
    const withSelector = workloadsOf(parse(minimal("kubernetes", { kubernetes: { nodeSelector: { "media-node": "yes" } } })));
    for (const w of withSelector)
      expect([w.metadata?.name, w.spec.template.spec?.nodeSelector]).toEqual([w.metadata?.name, { "media-node": "yes" }]);
    for (const w of workloadsOf(parse(minimal("kubernetes"))))
      expect([w.metadata?.name, w.spec.template.spec?.nodeSelector]).toEqual([w.metadata?.name, undefined]);
  });

  it("config files are mounted one by one, read-only: public ones from the ConfigMap, secret ones 0440 from the Secret", () => {
    const sfu = workloads.find((w) => w.metadata?.name === "lkstack-sfu")?.spec.template.spec;
    const c = sfu?.containers[0];
    expect(c?.volumeMounts?.find((m) => m.mountPath === CONTAINER_LAYOUT.sfu.config)).toEqual({
      name: "config",
      mountPath: CONTAINER_LAYOUT.sfu.config,
      subPath: FILE_NAMES.livekit,
      readOnly: true,
    });
    expect(c?.volumeMounts?.find((m) => m.mountPath === CONTAINER_LAYOUT.sfu.keyFile)).toEqual({
      name: "secret",
      mountPath: CONTAINER_LAYOUT.sfu.keyFile,
      subPath: FILE_NAMES.livekitKeys,
      readOnly: true,
    });
    expect(sfu?.volumes?.find((v) => v.name === "config")?.configMap?.name).toMatch(/^lkstack-sfu-config-[0-9a-f]{10}$/);
    const secret = sfu?.volumes?.find((v) => v.name === "secret")?.secret;
    expect(secret?.defaultMode).toBe(0o440);
    expect(secret?.items?.map((i) => i.key).sort()).toEqual(
      c?.volumeMounts
        ?.filter((m) => m.name === "secret")
        .map((m) => m.subPath)
        .sort(),
    );
  });

  it("in-cluster Services target their container ports by name, over TCP unless told UDP", () => {
    const m = k8sManifests(stackFromFile("prod"), CODE);
    for (const svc of [m.valkey.service, m.ingress?.service, m.mediamtx?.service, m.turn?.service])
      for (const p of svc?.spec?.ports ?? [])
        expect([svc?.metadata?.name, p.targetPort, p.protocol]).toEqual([svc?.metadata?.name, p.name, "TCP"]);
  });

  it("the Ingress gets a disruption budget once it has two replicas, not with one", () => {
    const budget = (replicas: number) =>
      k8sManifests(parse(minimal("kubernetes", { ingress: { replicas } })), CODE).ingress?.podDisruptionBudget;
    expect(budget(1)).toBeUndefined();
    expect(budget(2)?.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "lkstack-ingress", "app.kubernetes.io/part-of": "lkstack" } },
    });
  });
});
