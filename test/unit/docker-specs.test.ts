import { CONTAINER_LAYOUT, DEFAULT_PORTS, parseCpu, SERVICE_NAMES, SERVICES, secretsFromEnv } from "../../schema";
import { defaultEdgeListen, deployedSecretFiles, dockerFiles, dockerServices, mountPath, renderStack, type Service } from "../../templates";
import { minimal, parse, stackFromFile } from "../helpers/fixtures";

/** The dev stack's containers, built inside each test so per-test coverage (npm run mutate) sees which test reads what. */
const devSpecs = () => dockerServices(stackFromFile("dev"), "/* reconciler */");
function devSpec(workload: string) {
  const s = devSpecs().find((x) => x.workload === workload);
  if (!s) throw new Error(`no ${workload} in the dev stack`);
  return s;
}

describe("Docker target: what each container gets", () => {
  const cfg = stackFromFile("dev");

  it("each container's CPU limit is its configured limit, not a default", () => {
    const limit = (r: { limits: { cpu: string | number } }) => String(parseCpu(r.limits.cpu));
    expect(devSpec("sfu").cpus).toBe(limit(cfg.sfu.resources));
    expect(devSpec("ingress").cpus).toBe(limit(cfg.ingress.resources));
    expect(devSpec("mediamtx").cpus).toBe(limit(cfg.mediamtx.resources));
    expect(devSpec("valkey").cpus).toBe(limit(cfg.valkey.resources));
    // Different limits, so a constant would not pass.
    expect(new Set(devSpecs().map((s) => s.cpus)).size).toBeGreaterThan(2);
  });

  it("servers that read a public config get it at the layout's path; secret parts are marked secret", () => {
    expect(devSpec("sfu").files).toEqual([
      { name: "livekit.yaml", path: CONTAINER_LAYOUT.sfu.config, secret: false },
      { name: "keys.yaml", path: CONTAINER_LAYOUT.sfu.keyFile, secret: true },
      { name: "turn-secret", path: CONTAINER_LAYOUT.sfu.turnSecretFile, secret: true },
    ]);
    expect(devSpec("valkey").files).toEqual([
      { name: "valkey.conf", path: CONTAINER_LAYOUT.valkey.config, secret: false },
      { name: "valkey-auth.conf", path: CONTAINER_LAYOUT.valkey.authInclude, secret: true },
    ]);
    expect(devSpec("turn").files).toEqual([
      { name: "turnserver.conf", path: CONTAINER_LAYOUT.turn.config, secret: false },
      { name: "turnserver-auth.conf", path: CONTAINER_LAYOUT.turn.authFragment, secret: true },
    ]);
    expect(devSpec("edge").files).toEqual([{ name: "Caddyfile", path: CONTAINER_LAYOUT.edge.config, secret: false }]);
    expect(devSpec("publisher").files.map((f) => [f.name, f.secret])).toEqual([["publish-000.json", false]]);
    expect(devSpec("cameras").files.map((f) => [f.name, f.secret])).toEqual([
      ["cameras-000.json", false],
      ["reconciler.js", false],
    ]);
  });

  it("the Ingress gets a scratch /tmp in memory (its GStreamer pipelines write there on a read-only root)", () => {
    expect(devSpec("ingress").tmpfs).toEqual({ "/tmp": expect.stringMatching(/(^|,)size=\d+[kmg](,|$)/) });
    expect(devSpec("ingress").tmpfs["/tmp"]).toContain("nosuid");
    // GStreamer keeps its registry cache under $HOME: on the read-only root that must be the tmpfs.
    expect(devSpec("ingress").env.HOME).toBe("/tmp");
  });

  it("the Ingress and MediaMTX run from their Secret-held body alone: no public copy is mounted", () => {
    expect(devSpec("ingress").files).toEqual([{ name: "livekit-ingress.yaml", path: CONTAINER_LAYOUT.ingress.config, secret: true }]);
    expect(devSpec("mediamtx").files.every((f) => f.secret)).toBe(true);
    expect(devSpec("mediamtx").files.map((f) => f.name)).toEqual(["mediamtx-000.yml"]);
  });
});

describe("Docker target: hardening, health and lifecycle of every container", () => {
  const cfg = stackFromFile("dev");
  const seconds = (d: string) => {
    const m = /^(\d+)s$/.exec(d);
    if (!m) throw new Error(`not a Docker duration in seconds: "${d}"`);
    return Number(m[1]);
  };

  it("every container runs read-only as its own non-root user, with no added capability but the edge's port 443", () => {
    expect(devSpecs().length).toBeGreaterThanOrEqual(7);
    for (const s of devSpecs()) {
      const uid = SERVICES[s.workload].uid;
      expect([s.name, s.readOnly, s.uid, s.user]).toEqual([s.name, true, uid, `${uid}:${uid}`]);
      expect(uid).not.toBe(0);
      expect([s.name, s.capAdd]).toEqual([s.name, s.workload === "edge" ? ["NET_BIND_SERVICE"] : []]);
    }
  });

  it("only the SFU and coturn use the host network (a UDP range); the rest sit on the bridge at fixed addresses", () => {
    expect(
      devSpecs()
        .filter((s) => s.hostNetwork)
        .map((s) => s.workload),
    ).toEqual(["sfu", "turn"]);
    for (const s of devSpecs().filter((x) => !x.hostNetwork))
      expect([s.name, s.ipv4Address]).toEqual([s.name, expect.stringMatching(/^172\.30\.42\.\d+$/)]);
  });

  it("every health check is a real command with sane timing: a timeout inside its interval, three tries", () => {
    for (const h of devSpecs().map((s) => ({ name: s.name, ...s.healthcheck }))) {
      expect([h.name, ["CMD", "CMD-SHELL"].includes(h.tests[0]), h.tests.length > 1]).toEqual([h.name, true, true]);
      expect(seconds(h.timeout)).toBeLessThan(seconds(h.interval));
      expect(seconds(h.startPeriod)).toBeGreaterThan(0);
      expect(h.retries).toBe(3);
    }
  });

  it("each health check asks its own server on its own port", () => {
    const check = (w: string) => devSpec(w).healthcheck.tests.join(" ");
    expect(check("valkey")).toBe(`CMD-SHELL valkey-cli -p ${cfg.valkey.port} --no-auth-warning ping | grep -q PONG`);
    expect(check("sfu")).toBe(`CMD wget -q -O /dev/null http://127.0.0.1:${cfg.sfu.ports.http}/`);
    expect(check("turn")).toBe(`CMD turnutils_stunclient -p ${cfg.turn.ports.listening} 127.0.0.1`);
    expect(check("mediamtx")).toBe(`CMD wget -q -O /dev/null http://127.0.0.1:${cfg.mediamtx.ports.api}/v3/paths/list`);
    expect(check("ingress")).toBe(`CMD wget -q -O /dev/null http://127.0.0.1:${cfg.ingress.ports.health}/health`);
    expect(check("cameras")).toBe(`CMD wget -q -O /dev/null http://127.0.0.1:${DEFAULT_PORTS.cameras.health}/healthz`);
  });

  it("servers start from the rendered file at the layout's path", () => {
    expect(devSpec("valkey").command).toEqual(["valkey-server", CONTAINER_LAYOUT.valkey.config]);
    expect(devSpec("sfu").command).toEqual(["--config", CONTAINER_LAYOUT.sfu.config]);
    expect(devSpec("ingress").command).toEqual(["--config", CONTAINER_LAYOUT.ingress.config]);
    expect(devSpec("cameras").command).toEqual(["node", CONTAINER_LAYOUT.cameras.code]);
  });

  it("Valkey keeps its data on a named volume; nothing else has one", () => {
    expect(devSpec("valkey").volumes).toEqual([
      { volumeName: `${SERVICE_NAMES.valkey}-data`, containerPath: CONTAINER_LAYOUT.valkey.dataDir },
    ]);
    expect(
      devSpecs()
        .filter((s) => s.volumes.length > 0)
        .map((s) => s.workload),
    ).toEqual(["valkey"]);
  });

  it("the SFU is given its drain time to stop; every other server some seconds", () => {
    expect(devSpec("sfu").stopTimeoutSeconds).toBeGreaterThanOrEqual(cfg.sfu.drainSeconds);
    for (const s of devSpecs()) expect(s.stopTimeoutSeconds).toBeGreaterThanOrEqual(10);
  });

  it("the reconciler's code reaches the cameras container, and no other", () => {
    const rendered = renderStack(cfg, secretsFromEnv({}, cfg).secrets);
    const files = (w: "cameras" | "sfu") => {
      const r = rendered[w];
      if (!r) throw new Error(`${w} not rendered`);
      return dockerFiles(cfg, devSpec(w), r, "CODE");
    };
    expect(files("cameras")["reconciler.js"]).toBe("CODE");
    expect(Object.keys(files("sfu"))).not.toContain("reconciler.js");
    expect(Object.keys(files("sfu"))).toEqual(expect.arrayContaining(["livekit.yaml", "keys.yaml"]));
  });
});

describe("Docker target: TLS certificates come from the host's files, read-only, where each server reads them", () => {
  const turnTls = { enabled: true, certificate: { certFile: "/etc/lkstack/tls/turn.pem", keyFile: "/etc/lkstack/tls/turn.key" } };
  const hostFiles = (cfg: ReturnType<typeof parse>, workload: string) =>
    dockerServices(cfg, "").find((s) => s.workload === workload)?.hostFiles;

  it("the edge's certificate and key", () => {
    const cfg = stackFromFile("dev");
    const c = cfg.edge.certificate;
    if (!c || !("certFile" in c)) throw new Error("the dev stack's edge reads host files");
    expect(hostFiles(cfg, "edge")).toEqual([
      { source: c.certFile, target: CONTAINER_LAYOUT.edge.tlsCert },
      { source: c.keyFile, target: CONTAINER_LAYOUT.edge.tlsKey },
    ]);
  });

  it("coturn's, when it serves TLS; none without TLS, and no other server gets any", () => {
    const tls = parse(minimal("docker", { turn: { domain: "turn.example.test", allowedPeers: ["172.30.42.0/24"], tls: turnTls } }));
    expect(hostFiles(tls, "turn")).toEqual([
      { source: turnTls.certificate.certFile, target: CONTAINER_LAYOUT.turn.tlsCert },
      { source: turnTls.certificate.keyFile, target: CONTAINER_LAYOUT.turn.tlsKey },
    ]);
    expect(
      dockerServices(tls, "")
        .filter((s) => s.hostFiles.length > 0)
        .map((s) => s.workload),
    ).toEqual(["turn"]);
    expect(hostFiles(parse(minimal("docker")), "turn")).toEqual([]);
  });
});

describe("Docker target: configs joined with their secret part live in memory only", () => {
  it.each([
    ["turn", CONTAINER_LAYOUT.turn.runtimeConfig],
    ["mediamtx", CONTAINER_LAYOUT.mediamtx.config],
  ])("%s writes its joined config into an owner-only tmpfs", (workload, joined) => {
    const s = devSpecs().find((x) => x.workload === workload);
    if (!s) throw new Error(`no ${workload}`);
    const dir = joined.slice(0, joined.lastIndexOf("/"));
    expect(s.entrypoint?.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(s.entrypoint?.[2]).toContain(`> ${joined}`);
    expect(Object.keys(s.tmpfs)).toEqual([dir]);
    const uid = SERVICES[s.workload].uid;
    expect(s.tmpfs[dir]).toMatch(new RegExp(`(^|,)mode=0700(,|$)`));
    expect(s.tmpfs[dir]).toContain(`uid=${uid},gid=${uid}`);
    expect(s.tmpfs[dir]).toContain("noexec");
  });

  it("no TURN container when TURN is off", () => {
    const off = parse(minimal("docker", { turn: { enabled: false, domain: "turn.example.test", allowedPeers: ["172.30.42.0/24"] } }));
    expect(dockerServices(off, "").map((s) => s.workload)).not.toContain("turn");
  });
});

describe("Docker target: the edge and MediaMTX specifics", () => {
  const cfg = stackFromFile("dev");

  it("Caddy keeps its state (ACME account, locks) in an owner-only tmpfs its environment points at, and is healthy once it listens", () => {
    const edge = devSpec("edge");
    const dir = CONTAINER_LAYOUT.edge.stateDir;
    expect(edge?.env).toEqual({ HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir });
    expect(Object.keys(edge?.tmpfs ?? {})).toEqual([dir]);
    expect(edge?.tmpfs[dir]).toContain(`mode=0700,uid=${SERVICES.edge.uid},gid=${SERVICES.edge.uid}`);
    expect(edge?.healthcheck.tests).toEqual(["CMD", "nc", "-z", "127.0.0.1", String(defaultEdgeListen(cfg).port)]);
    // The entrypoint is a shell script: Caddy plus the watcher that reloads a renewed certificate.
    expect(edge?.entrypoint?.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(edge?.entrypoint?.[2]).toContain(`caddy reload --config ${CONTAINER_LAYOUT.edge.config}`);
  });

  it("MediaMTX runs the -ffmpeg image variant: its entrypoint and health check need a shell and wget, which the plain image (FROM scratch) lacks", () => {
    expect(devSpec("mediamtx")?.image).toMatch(/-ffmpeg$/);
    expect(devSpec("mediamtx")?.entrypoint?.[0]).toBe("/bin/sh");
  });

  it("no MediaMTX or Ingress container when they are off", () => {
    const off = parse(minimal("docker", { mediamtx: { enabled: false }, ingress: { enabled: false } }));
    expect(dockerServices(off, "").map((s) => s.workload)).toEqual(["valkey", "sfu", "turn"]);
  });
});

describe("every rendered file has its place in the containers", () => {
  it.each(["dev", "prod"] as const)("the %s stack: each public and deployed secret file maps to a mount path", (stack) => {
    const cfg = stackFromFile(stack);
    const rendered = renderStack(cfg, secretsFromEnv({}, cfg).secrets);
    const names = (Object.entries(rendered) as [Service, NonNullable<(typeof rendered)[Service]>][]).flatMap(([service, r]) => [
      ...Object.keys(r.publicFiles),
      ...Object.keys(deployedSecretFiles(cfg, service, r)),
    ]);
    expect(names.length).toBeGreaterThan(8);
    expect(names.filter((n) => mountPath(CONTAINER_LAYOUT, n) === undefined)).toEqual([]);
  });
});

describe("Docker Swarm: services find each other by name on the overlay, not at fixed addresses", () => {
  it("no service, the edge included, is given a fixed bridge address", () => {
    const dev = stackFromFile("dev");
    const swarm = parse(
      minimal("docker", { docker: { ...dev.docker, mode: "swarm" }, edge: dev.edge, cameras: dev.cameras, publisher: dev.publisher }),
    );
    const specs = dockerServices(swarm, "");
    expect(specs.map((s) => s.workload)).toEqual(expect.arrayContaining(["edge", "publisher", "cameras"]));
    expect(specs.filter((s) => s.ipv4Address !== undefined).map((s) => s.workload)).toEqual([]);
  });
});
