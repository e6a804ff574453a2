import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Container, PodSpec } from "kubernetes-types/core/v1";
import { CONTAINER_LAYOUT, topology, type FileLayout, type StackConfig } from "../../schema";
import { dataStartScript, k8sManifests, sentinelStartScript, type ValkeyObjects } from "../../templates";
import { minimal, parse } from "../helpers/fixtures";

// The Valkey workloads on Kubernetes (templates/k8s/valkey.ts): what a platform engineer relies on
// in each object. Everything is rendered inside the tests (per-test coverage under npm run mutate).
const CODE = "/* reconciler */ process.exit(0);";

/** Sentinel mode with values unlike the defaults, so a default or a constant would not pass. */
const sentinelConfig = (): StackConfig =>
  parse(
    minimal("kubernetes", {
      kubernetes: { namespace: "media" },
      valkey: { mode: "sentinel", port: 6380, sentinel: { port: 26380, masterName: "main" } },
    }),
  );

const valkeyOf = (cfg: StackConfig): ValkeyObjects => k8sManifests(cfg, CODE).valkey;

function sentinelOf(v: ValkeyObjects): NonNullable<ValkeyObjects["sentinel"]> {
  if (!v.sentinel) throw new Error("no Sentinel objects rendered");
  return v.sentinel;
}

function podOf(set: ValkeyObjects["statefulSet"]): PodSpec {
  const spec = set.spec?.template.spec;
  if (!spec) throw new Error("StatefulSet without a pod spec");
  return spec;
}

function containerOf(set: ValkeyObjects["statefulSet"]): Container {
  const containers = podOf(set).containers;
  expect(containers).toHaveLength(1);
  return containers[0];
}

const SELF_DOMAIN = "lkstack-valkey.media.svc.cluster.local";
const SENTINEL_HOST = "lkstack-valkey-sentinel.media.svc.cluster.local";

describe("Valkey data pods' start script (sentinel mode)", () => {
  let cfg: StackConfig;
  let dir: string;
  beforeEach(() => {
    cfg = sentinelConfig();
    dir = mkdtempSync(join(tmpdir(), "lkstack-valkey-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Shims for hostname, valkey-cli (a Sentinel that answers `answer`, or none) and valkey-server. */
  function runScript(hostname: string | undefined, answer: string | undefined) {
    const shim = (file: string, body: string) => {
      writeFileSync(join(dir, file), `#!/bin/sh\n${body}\n`);
      chmodSync(join(dir, file), 0o755);
    };
    shim("hostname", hostname === undefined ? "exit 1" : `echo ${hostname}`);
    shim(
      "valkey-cli",
      [
        `printf '%s\\n' "$@" > ${join(dir, "cli.args")}`,
        answer === undefined ? "echo 'Could not connect' >&2; exit 1" : `printf '%s\\n%s\\n' ${answer} ${cfg.valkey.port}`,
      ].join("\n"),
    );
    shim("valkey-server", `printf '%s\\n' "$@"`);
    const r = spawnSync("/bin/sh", ["-c", dataStartScript(cfg)], { env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: "utf8" });
    const cliArgs = (() => {
      try {
        return readFileSync(join(dir, "cli.args"), "utf8").trimEnd().split("\n");
      } catch {
        return undefined;
      }
    })();
    return { status: r.status, server: r.stdout.trimEnd().split("\n").filter(Boolean), cliArgs };
  }

  it("is six newline-separated lines: strict shell, own address, ask the Sentinels, fall back to the initial primary, start as primary or as replica", () => {
    const initial = topology(cfg).valkeyInitialPrimary;
    expect(initial).toBe(`lkstack-valkey-0.${SELF_DOMAIN}`);
    expect(dataStartScript(cfg).split("\n")).toEqual([
      // Any failure (no hostname) stops the pod rather than starting it under a wrong address.
      "set -eu",
      // The pod's own stable name through the headless Service.
      `self="$(hostname).${SELF_DOMAIN}"`,
      // The Sentinels' Service on the Sentinel port, for the master name; no answer is not an error.
      `primary="$(valkey-cli -h ${SENTINEL_HOST} -p 26380 --no-auth-warning sentinel get-master-addr-by-name main 2>/dev/null | head -n 1 || true)"`,
      // First start: no Sentinel knows a primary yet, so ordinal 0 is.
      `[ -n "$primary" ] || primary="${initial}"`,
      `if [ "$primary" = "$self" ]; then exec valkey-server ${CONTAINER_LAYOUT.valkey.config} --replica-announce-ip "$self"; fi`,
      `exec valkey-server ${CONTAINER_LAYOUT.valkey.config} --replica-announce-ip "$self" --replicaof "$primary" 6380`,
    ]);
  });

  it("parses as POSIX shell (sh -n)", () => {
    const r = spawnSync("/bin/sh", ["-n", "-c", dataStartScript(cfg)], { encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
  });

  it("asks the Sentinel Service, on the Sentinel port, for the current primary of the monitored master", () => {
    expect(runScript("lkstack-valkey-1", `lkstack-valkey-2.${SELF_DOMAIN}`).cliArgs).toEqual([
      "-h",
      SENTINEL_HOST,
      "-p",
      "26380",
      "--no-auth-warning",
      "sentinel",
      "get-master-addr-by-name",
      "main",
    ]);
  });

  it("starts as a replica of the primary the Sentinels name, announcing its own address", () => {
    expect(runScript("lkstack-valkey-1", `lkstack-valkey-2.${SELF_DOMAIN}`)).toMatchObject({
      status: 0,
      server: [
        CONTAINER_LAYOUT.valkey.config,
        "--replica-announce-ip",
        `lkstack-valkey-1.${SELF_DOMAIN}`,
        "--replicaof",
        `lkstack-valkey-2.${SELF_DOMAIN}`,
        "6380",
      ],
    });
  });

  it("starts as primary, not as a replica of itself, when the Sentinels name this pod (a former replica after a failover)", () => {
    expect(runScript("lkstack-valkey-2", `lkstack-valkey-2.${SELF_DOMAIN}`)).toMatchObject({
      status: 0,
      server: [CONTAINER_LAYOUT.valkey.config, "--replica-announce-ip", `lkstack-valkey-2.${SELF_DOMAIN}`],
    });
  });

  it("a restarted ordinal 0 rejoins as a replica when the Sentinels name another primary (no split brain)", () => {
    expect(runScript("lkstack-valkey-0", `lkstack-valkey-1.${SELF_DOMAIN}`).server).toEqual([
      CONTAINER_LAYOUT.valkey.config,
      "--replica-announce-ip",
      `lkstack-valkey-0.${SELF_DOMAIN}`,
      "--replicaof",
      `lkstack-valkey-1.${SELF_DOMAIN}`,
      "6380",
    ]);
  });

  it("when no Sentinel answers (first start), ordinal 0 starts as primary and the others replicate it", () => {
    const initial = topology(cfg).valkeyInitialPrimary;
    expect(runScript("lkstack-valkey-0", undefined)).toMatchObject({
      status: 0,
      server: [CONTAINER_LAYOUT.valkey.config, "--replica-announce-ip", initial],
    });
    expect(runScript("lkstack-valkey-2", undefined)).toMatchObject({
      status: 0,
      server: [CONTAINER_LAYOUT.valkey.config, "--replica-announce-ip", `lkstack-valkey-2.${SELF_DOMAIN}`, "--replicaof", initial, "6380"],
    });
  });

  it("a pod that cannot learn its own name fails instead of starting Valkey under a wrong address", () => {
    const r = runScript(undefined, `lkstack-valkey-1.${SELF_DOMAIN}`);
    expect(r.status).not.toBe(0);
    expect(r.server).toEqual([]);
  });
});

describe("Sentinel's start script", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "lkstack-sentinel-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("rebuilds a private writable sentinel.conf from the mounted config and auth fragment, then execs Sentinel on it", () => {
    const L = CONTAINER_LAYOUT.valkey;
    expect(sentinelStartScript()).toBe(
      `umask 077 && cat ${L.sentinelConfig} ${L.sentinelAuth} > ${L.sentinelRuntime} && exec valkey-server ${L.sentinelRuntime} --sentinel`,
    );
  });

  it("run: the runtime copy is the config followed by the auth fragment, readable by the owner only, and Sentinel runs from it", () => {
    const layout: FileLayout = {
      ...CONTAINER_LAYOUT,
      valkey: {
        ...CONTAINER_LAYOUT.valkey,
        sentinelConfig: join(dir, "sentinel.conf"),
        sentinelAuth: join(dir, "sentinel-auth.conf"),
        sentinelRuntime: join(dir, "runtime.conf"),
      },
    };
    writeFileSync(layout.valkey.sentinelConfig, "port 26380\n");
    writeFileSync(layout.valkey.sentinelAuth, "sentinel auth-pass main x\n");
    writeFileSync(join(dir, "valkey-server"), `#!/bin/sh\nprintf '%s\\n' "$@"\n`);
    chmodSync(join(dir, "valkey-server"), 0o755);
    const r = spawnSync("/bin/sh", ["-c", sentinelStartScript(layout)], { env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: "utf8" });
    expect([r.status, r.stdout]).toEqual([0, `${layout.valkey.sentinelRuntime}\n--sentinel\n`]);
    expect(readFileSync(layout.valkey.sentinelRuntime, "utf8")).toBe("port 26380\nsentinel auth-pass main x\n");
    expect(statSync(layout.valkey.sentinelRuntime).mode & 0o777).toBe(0o600);
  });
});

describe("Valkey objects in sentinel mode", () => {
  let cfg: StackConfig;
  let v: ValkeyObjects;
  beforeEach(() => {
    cfg = sentinelConfig();
    v = valkeyOf(cfg);
  });

  it("each Valkey pod runs the start script through /bin/sh -c (it asks the Sentinels whom to follow)", () => {
    expect(containerOf(v.statefulSet).command).toEqual(["/bin/sh", "-c", dataStartScript(cfg)]);
  });

  it("one Valkey pod per node, and one Sentinel per node", () => {
    for (const [set, name] of [
      [v.statefulSet, "lkstack-valkey"],
      [sentinelOf(v).statefulSet, "lkstack-valkey-sentinel"],
    ] as const)
      expect(podOf(set).affinity?.podAntiAffinity).toEqual({
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            labelSelector: { matchLabels: { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "lkstack" } },
            topologyKey: "kubernetes.io/hostname",
          },
        ],
      });
  });

  it("at most one Valkey pod is down at a time (drains, node upgrades)", () => {
    expect(v.podDisruptionBudget?.metadata).toEqual(expect.objectContaining({ name: "lkstack-valkey", namespace: "media" }));
    expect(v.podDisruptionBudget?.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "lkstack-valkey", "app.kubernetes.io/part-of": "lkstack" } },
    });
  });

  it("the Valkey container listens on its port, is probed on it, mounts only valkey.conf, its auth include and its data directory", () => {
    const c = containerOf(v.statefulSet);
    expect(c.name).toBe("valkey");
    expect(c.ports).toEqual([{ name: "valkey", containerPort: 6380, protocol: "TCP" }]);
    expect(c.readinessProbe?.exec?.command).toEqual(["sh", "-c", "valkey-cli -p 6380 --no-auth-warning ping | grep -q PONG"]);
    // The TCP listener only: a slow AOF load must not end in a restart loop.
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: "valkey" }, initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 6 });
    expect(c.volumeMounts).toEqual([
      { name: "config", mountPath: CONTAINER_LAYOUT.valkey.config, subPath: "valkey.conf", readOnly: true },
      { name: "secret", mountPath: CONTAINER_LAYOUT.valkey.authInclude, subPath: "valkey-auth.conf", readOnly: true },
      { name: "data", mountPath: CONTAINER_LAYOUT.valkey.dataDir },
    ]);
  });

  it("the Valkey pods read their files from the stack's content-named ConfigMap and carry only their own auth include", () => {
    const volumes = podOf(v.statefulSet).volumes ?? [];
    expect(v.configMap.metadata?.name).toMatch(/^lkstack-valkey-config-[0-9a-f]{10}$/);
    expect(volumes.find((x) => x.name === "config")).toEqual({ name: "config", configMap: { name: v.configMap.metadata?.name } });
    expect(volumes.find((x) => x.name === "secret")?.secret?.items).toEqual([{ key: "valkey-auth.conf", path: "valkey-auth.conf" }]);
  });

  it("the Valkey pods roll one at a time in order, and answer by name through a headless Service on the Valkey port", () => {
    expect(v.statefulSet.spec?.updateStrategy).toEqual({ type: "RollingUpdate" });
    expect(v.statefulSet.spec?.podManagementPolicy).toBe("OrderedReady");
    expect(v.service.metadata).toEqual(expect.objectContaining({ name: "lkstack-valkey", namespace: "media" }));
    expect(v.service.spec).toEqual({
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: { "app.kubernetes.io/name": "lkstack-valkey", "app.kubernetes.io/part-of": "lkstack" },
      ports: [{ name: "valkey", port: 6380, targetPort: "valkey", protocol: "TCP" }],
    });
  });

  it("the Sentinel container listens on its port, is probed on it, runs the start script through /bin/sh -c, mounts only sentinel.conf and its auth fragment", () => {
    const c = containerOf(sentinelOf(v).statefulSet);
    expect(c.name).toBe("sentinel");
    expect(c.command).toEqual(["/bin/sh", "-c", sentinelStartScript()]);
    expect(c.ports).toEqual([{ name: "sentinel", containerPort: 26380, protocol: "TCP" }]);
    expect(c.readinessProbe?.exec?.command).toEqual(["sh", "-c", "valkey-cli -p 26380 --no-auth-warning ping | grep -q PONG"]);
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: "sentinel" }, initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3 });
    expect(c.volumeMounts).toEqual([
      { name: "config", mountPath: CONTAINER_LAYOUT.valkey.sentinelConfig, subPath: "sentinel.conf", readOnly: true },
      { name: "secret", mountPath: CONTAINER_LAYOUT.valkey.sentinelAuth, subPath: "sentinel-auth.conf", readOnly: true },
      // Its writable runtime copy (Sentinel rewrites it).
      { name: "data", mountPath: CONTAINER_LAYOUT.valkey.dataDir },
    ]);
  });

  it("a Sentinel pod's Secret volume carries only the Sentinel auth fragment, and its data is scratch", () => {
    const volumes = podOf(sentinelOf(v).statefulSet).volumes;
    expect(volumes?.find((x) => x.name === "secret")?.secret?.items).toEqual([{ key: "sentinel-auth.conf", path: "sentinel-auth.conf" }]);
    expect(volumes?.find((x) => x.name === "data")).toEqual({ name: "data", emptyDir: {} });
  });

  it("a Sentinel is small: 50m CPU and 64Mi requested, 250m and 128Mi at most", () => {
    expect(containerOf(sentinelOf(v).statefulSet).resources).toEqual({
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { cpu: "250m", memory: "128Mi" },
    });
  });

  it("the Sentinels are reachable by name on the Sentinel port through a headless Service, and at most one is down at a time", () => {
    const s = sentinelOf(v);
    const selector = { "app.kubernetes.io/name": "lkstack-valkey-sentinel", "app.kubernetes.io/part-of": "lkstack" };
    expect(s.service.metadata).toEqual(expect.objectContaining({ name: "lkstack-valkey-sentinel", namespace: "media" }));
    expect(s.service.spec).toEqual({
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector,
      ports: [{ name: "sentinel", port: 26380, targetPort: "sentinel", protocol: "TCP" }],
    });
    expect(s.podDisruptionBudget.metadata).toEqual(expect.objectContaining({ name: "lkstack-valkey-sentinel", namespace: "media" }));
    expect(s.podDisruptionBudget.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: selector } });
  });
});

describe("Valkey objects in standalone mode", () => {
  it("one pod running valkey-server on its config, no anti-affinity, no disruption budget, no Sentinel", () => {
    const v = valkeyOf(parse(minimal("kubernetes", { valkey: { mode: "standalone" } })));
    expect(v.statefulSet.spec?.replicas).toBe(1);
    expect(containerOf(v.statefulSet).command).toEqual(["valkey-server", CONTAINER_LAYOUT.valkey.config]);
    expect(podOf(v.statefulSet).affinity?.podAntiAffinity).toBeUndefined();
    expect(v.podDisruptionBudget).toBeUndefined();
    expect(v.sentinel).toBeUndefined();
  });

  it("without persistence, Valkey claims no volume and keeps its data in an emptyDir", () => {
    const v = valkeyOf(parse(minimal("kubernetes", { valkey: { mode: "standalone", persistence: false } })));
    expect(v.statefulSet.spec?.volumeClaimTemplates).toBeUndefined();
    expect(podOf(v.statefulSet).volumes?.find((x) => x.name === "data")).toEqual({ name: "data", emptyDir: {} });
  });

  it("with persistence, each Valkey pod claims one ReadWriteOnce volume of the configured size for its data", () => {
    const v = valkeyOf(
      parse(minimal("kubernetes", { valkey: { mode: "standalone", persistence: true }, kubernetes: { valkeyStorage: "20Gi" } })),
    );
    expect(v.statefulSet.spec?.volumeClaimTemplates?.map((c) => [c.metadata?.name, c.spec?.accessModes, c.spec?.resources])).toEqual([
      ["data", ["ReadWriteOnce"], { requests: { storage: "20Gi" } }],
    ]);
    // The claims carry Valkey's labels, so the stack's volumes are found (and cleaned up) by them.
    expect(v.statefulSet.spec?.volumeClaimTemplates?.[0].metadata?.labels).toMatchObject({
      "app.kubernetes.io/name": "lkstack-valkey",
      "app.kubernetes.io/part-of": "lkstack",
    });
    expect(podOf(v.statefulSet).volumes?.find((x) => x.name === "data")).toBeUndefined();
  });
});
