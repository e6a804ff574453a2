import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, type StackConfig } from "../../schema";
import { renderStack } from "../../templates";
import { minimal, stackFromFile, TEST_SECRETS } from "../helpers/fixtures";
import { beforeBlock, get, ofType, recordingMocks, settled, type Recorded } from "../helpers/mocks";

const rec = recordingMocks();

beforeAll(async () => {
  await rec.install();
});

async function deploy(cfg: StackConfig): Promise<Recorded[]> {
  rec.resources.length = 0;
  const { DockerStack } = await import("../../components/docker");
  const stack = new DockerStack("lkstack", { config: cfg, secrets: pulumi.secret(TEST_SECRETS) });
  const leaves = Object.values(stack.workloads).flatMap((w) => [w.container?.urn, w.service?.urn].filter((u) => u !== undefined));
  await settled(stack.network.urn, ...leaves);
  return [...rec.resources];
}

const secretStrings = [
  ...TEST_SECRETS.apiKeys.map((k) => k.secret),
  ...TEST_SECRETS.turnSecrets,
  TEST_SECRETS.valkeyPassword,
  TEST_SECRETS.mediamtxApiPassword,
  TEST_SECRETS.mediamtxReadPassword,
];

type Upload = { file: string; content: string; owner: string; permissions: string };

describe("Docker target, standalone (dev stack)", () => {
  const cfg = stackFromFile("dev");
  let rs: Recorded[];
  let containers: Recorded[];
  beforeBlock(async () => {
    rs = await deploy(cfg);
    containers = ofType(rs, "docker:index/container:Container");
  });

  test("one component per service under lkstack:docker:Stack", () => {
    const types = new Set(rs.map((r) => r.type));
    for (const t of [
      "lkstack:docker:Stack",
      "lkstack:docker:Sfu",
      "lkstack:docker:Ingress",
      "lkstack:docker:Turn",
      "lkstack:docker:Valkey",
      "lkstack:docker:MediaMtx",
      "lkstack:docker:Cameras",
      "lkstack:docker:Edge",
      "lkstack:docker:Publisher",
    ])
      expect(types).toContain(t);
    expect(containers.map((c) => get(c.inputs, "name")).sort()).toEqual(
      [
        "lkstack-cameras",
        "lkstack-edge",
        "lkstack-ingress",
        "lkstack-mediamtx",
        "lkstack-publisher",
        "lkstack-sfu",
        "lkstack-turn",
        "lkstack-valkey",
      ].sort(),
    );
  });

  test("every container has limits, a healthcheck, a restart policy and no privileges", () => {
    for (const c of containers) {
      const n = String(get(c.inputs, "name"));
      expect([n, Number(get(c.inputs, "memory")) > 0, Number(get(c.inputs, "cpus")) > 0]).toEqual([n, true, true]);
      const tests = get(c.inputs, "healthcheck.tests") as string[];
      expect([n, tests.length > 1 && tests[0] !== "NONE"]).toEqual([n, true]);
      expect([n, get(c.inputs, "restart")]).toEqual([n, "unless-stopped"]);
      expect([n, get(c.inputs, "capabilities.drops")]).toEqual([n, ["ALL"]]);
      // Only the edge keeps one: the Caddy image's binary carries it as a file capability.
      expect([n, get(c.inputs, "capabilities.adds")]).toEqual([n, n === "lkstack-edge" ? ["NET_BIND_SERVICE"] : undefined]);
      expect([n, get(c.inputs, "securityOpts")]).toEqual([n, ["no-new-privileges:true"]]);
      expect([n, get(c.inputs, "readOnly")]).toEqual([n, true]);
      expect([n, String(get(c.inputs, "user"))]).toEqual([n, expect.stringMatching(/^[1-9]\d*:\d+$/)]);
    }
  });

  test("SFU and coturn use the host network; only the TLS edge publishes a port (443 onto Caddy's 8443)", () => {
    const mode = (n: string) => get(containers.find((c) => get(c.inputs, "name") === n)?.inputs, "networkMode");
    expect(mode("lkstack-sfu")).toBe("host");
    expect(mode("lkstack-turn")).toBe("host");
    for (const c of containers)
      expect([get(c.inputs, "name"), get(c.inputs, "ports") ?? []]).toEqual([
        get(c.inputs, "name"),
        get(c.inputs, "name") === "lkstack-edge" ? [{ internal: 8443, external: 443, protocol: "tcp" }] : [],
      ]);
    for (const n of ["lkstack-valkey", "lkstack-ingress", "lkstack-mediamtx", "lkstack-cameras"]) {
      const c = containers.find((x) => get(x.inputs, "name") === n);
      expect(get(c?.inputs, "networkMode")).toBeUndefined();
      expect(get(c?.inputs, "networksAdvanced.0.ipv4Address")).toMatch(/^172\.30\.42\.1[0-3]$/);
    }
  });

  test("the edge mounts the host's certificate files read-only where its Caddyfile reads them", () => {
    const edge = containers.find((c) => get(c.inputs, "name") === "lkstack-edge");
    expect(get(edge?.inputs, "mounts")).toEqual([
      { type: "bind", source: "/etc/lkstack/tls/live.pem", target: "/etc/caddy/tls/tls.crt", readOnly: true },
      { type: "bind", source: "/etc/lkstack/tls/live.key", target: "/etc/caddy/tls/tls.key", readOnly: true },
    ]);
    for (const c of containers)
      if (c !== edge) expect([get(c.inputs, "name"), get(c.inputs, "mounts")]).toEqual([get(c.inputs, "name"), undefined]);
  });

  test("secrets only in secret-marked inputs: env and 0400 uploads owned by the service user", () => {
    for (const c of containers) {
      const n = String(get(c.inputs, "name"));
      const envs = (get(c.inputs, "envs") as string[] | undefined) ?? [];
      const hasSecretEnv = envs.some((e) => secretStrings.some((s) => e.includes(s)));
      if (hasSecretEnv) expect([n, c.secretPaths.some((p) => p.startsWith("envs"))]).toEqual([n, true]);
      const uploads = get(c.inputs, "uploads") as Upload[];
      uploads.forEach((u, i) => {
        const secret = secretStrings.some((s) => u.content.includes(s));
        if (secret) {
          expect([n, u.file, u.permissions, u.owner]).toEqual([n, u.file, "0400", String(get(c.inputs, "user")).split(":")[0]]);
          // The engine marks the element, or the whole list when it would otherwise leak the secret.
          expect([n, u.file, c.secretPaths.some((p) => p === "uploads" || p.startsWith(`uploads[${i}]`))]).toEqual([n, u.file, true]);
        } else expect([n, u.file, u.permissions]).toEqual([n, u.file, "0444"]);
      });
      const rest = Object.fromEntries(Object.entries(c.inputs).filter(([k]) => k !== "envs" && k !== "uploads"));
      for (const s of secretStrings) expect([n, JSON.stringify(rest).includes(s)]).toEqual([n, false]);
    }
  });

  test("uploads are the same bytes the conformance tests feed to the real servers", () => {
    const rendered = renderStack(cfg, TEST_SECRETS);
    const sfu = containers.find((c) => get(c.inputs, "name") === "lkstack-sfu");
    const uploads = get(sfu?.inputs, "uploads") as Upload[];
    expect(uploads.find((u) => u.file === "/etc/livekit/livekit.yaml")?.content).toBe(rendered.sfu?.publicFiles["livekit.yaml"]);
    expect(uploads.find((u) => u.file === "/etc/livekit/secret/keys.yaml")?.content).toBe(rendered.sfu?.secretFiles["keys.yaml"]);
    const turn = containers.find((c) => get(c.inputs, "name") === "lkstack-turn");
    expect((get(turn?.inputs, "uploads") as Upload[]).find((u) => u.file === "/etc/coturn/turnserver.conf")?.content).toBe(
      rendered.turn?.publicFiles["turnserver.conf"],
    );
  });

  test("labels name the stack and the config digest; a change replaces exactly the containers that use it", async () => {
    const digests = (r: Recorded[]) =>
      Object.fromEntries(
        ofType(r, "docker:index/container:Container").map((c) => [
          String(get(c.inputs, "name")),
          (get(c.inputs, "labels") as { label: string; value: string }[]).find((l) => l.label === "lkstack.io/config-digest")?.value,
        ]),
      );
    const before = digests(rs);
    expect(Object.values(before).every((d) => /^[0-9a-f]{10}$/.test(String(d)))).toBe(true);
    const changed = await deploy(parseStackConfig({ ...minimal("docker"), rooms: { emptyTimeoutSeconds: 90 } }));
    const base = await deploy(parseStackConfig(minimal("docker")));
    const a = digests(base);
    const b = digests(changed);
    expect(Object.keys(a).filter((n) => a[n] !== b[n])).toEqual(["lkstack-sfu"]);
  });
});

describe("Docker target, swarm", () => {
  test("services carry the seed's HA block, Swarm configs and secrets, host-mode SFU ports", async () => {
    const cfg = parseStackConfig(minimal("docker", { docker: { mode: "swarm" }, sfu: { replicas: 3 } }));
    const rs = await deploy(cfg);
    const services = ofType(rs, "docker:index/service:Service");
    expect(services).toHaveLength(5);
    const sfu = services.find((s) => get(s.inputs, "name") === "lkstack-sfu");
    expect(get(sfu?.inputs, "mode.replicated.replicas")).toBe(3);
    expect(get(sfu?.inputs, "updateConfig")).toEqual(expect.objectContaining({ parallelism: 1, delay: "30s" }));
    expect(get(sfu?.inputs, "rollbackConfig")).toEqual(expect.objectContaining({ parallelism: 1 }));
    expect(get(sfu?.inputs, "taskSpec.placement.constraints")).toEqual(["node.role == worker"]);
    const ports = get(sfu?.inputs, "endpointSpec.ports") as { publishMode: string; protocol: string }[];
    expect(ports.every((p) => p.publishMode === "host")).toBe(true);
    expect(ports.filter((p) => p.protocol === "udp")).toHaveLength(501);
    for (const s of services) {
      const n = String(get(s.inputs, "name"));
      expect([n, Number(get(s.inputs, "taskSpec.resources.limits.memoryBytes")) > 0]).toEqual([n, true]);
      expect([n, (get(s.inputs, "taskSpec.containerSpec.healthcheck.tests") as string[]).length > 1]).toEqual([n, true]);
      expect([n, get(s.inputs, "updateConfig.parallelism"), get(s.inputs, "rollbackConfig.parallelism")]).toEqual([n, 1, 1]);
      // A failed update rolls back to the running version (the seed's deploy block), never pauses half-done.
      expect([n, get(s.inputs, "updateConfig.failureAction")]).toEqual([n, "rollback"]);
      // Host-mode ports (SFU, coturn) cannot be bound twice on a node: the old task stops first.
      expect([n, get(s.inputs, "updateConfig.order"), get(s.inputs, "rollbackConfig.order")]).toEqual([n, "stop-first", "stop-first"]);
      // Only the SFU publishes, and only in host mode.
      if (n !== "lkstack-sfu") expect([n, get(s.inputs, "endpointSpec")]).toEqual([n, undefined]);
    }
    const secrets = ofType(rs, "docker:index/secret:Secret");
    expect(secrets.length).toBeGreaterThan(3);
    for (const s of secrets) expect(s.secretPaths).toContain("data");
    const configs = ofType(rs, "docker:index/serviceConfig:ServiceConfig");
    for (const c of configs)
      for (const v of secretStrings) expect(Buffer.from(String(get(c.inputs, "data")), "base64").toString()).not.toContain(v);
    expect(cfg.sfu.nodeIp).toEqual({ strategy: "stun", stunServers: ["turn.example.test:3478"] });
  });
});

describe("Docker target, the same tmpfs in both modes", () => {
  /** `size=64m` in bytes, as Docker reads a tmpfs size. */
  const bytes = (size: string): number => {
    const m = /^(\d+)([kmg]?)$/i.exec(size);
    if (!m) throw new Error(`bad tmpfs size ${size}`);
    return Number(m[1]) * { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as "" | "k" | "m" | "g"];
  };

  // Caught the Swarm gap: its services got every tmpfs at 16m and 0700 root-owned, so coturn's and
  // MediaMTX's (uid set, 64m) were too small or unwritable, while their containers were right.
  test("every tmpfs a container gets, its Swarm service gets too: same path and size, writable by the service user", async () => {
    const input = minimal("docker", { cameras: [{ id: "550e8400-e29b-41d4-a716-446655440000", rtsp: "rtsp://cam.example.test/stream" }] });
    const standalone = ofType(await deploy(parseStackConfig(input)), "docker:index/container:Container");
    const swarm = ofType(await deploy(parseStackConfig({ ...input, docker: { mode: "swarm" } })), "docker:index/service:Service");
    expect(swarm.map((s) => String(get(s.inputs, "name"))).sort()).toEqual(standalone.map((c) => String(get(c.inputs, "name"))).sort());
    let seen = 0;
    for (const c of standalone) {
      const name = String(get(c.inputs, "name"));
      const want = Object.entries((get(c.inputs, "tmpfs") ?? {}) as Record<string, string>).map(([target, options]) => {
        const opt = Object.fromEntries(options.split(",").map((o) => o.split("=") as [string, string?]));
        const owned = opt.uid !== undefined && opt.uid !== "0";
        // Swarm cannot chown: a tmpfs for a non-root user must be world-writable (sticky) to be usable.
        return { target, sizeBytes: bytes(opt.size ?? "16m"), mode: owned ? 0o1777 : parseInt(opt.mode ?? "700", 8) };
      });
      seen += want.length;
      const service = swarm.find((s) => get(s.inputs, "name") === name);
      const mounts = (
        (get(service?.inputs, "taskSpec.containerSpec.mounts") ?? []) as { type: string; target: string; tmpfsOptions?: object }[]
      )
        .filter((m) => m.type === "tmpfs")
        .map((m) => ({ target: m.target, ...m.tmpfsOptions }));
      expect([name, mounts]).toEqual([name, want]);
    }
    expect(seen).toBeGreaterThanOrEqual(3);
  });
});
