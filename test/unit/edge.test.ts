import { CONTAINER_LAYOUT, ConfigError, formatConfigPath, parseStackConfig, signallingUrl, type StackConfigInput } from "../../schema";
import {
  dockerServices,
  edgeObjects,
  k8sManifests,
  renderCaddyfile,
  renderLivekitConfig,
  turnObjects,
  tlsSecretFor,
  turnserverStartScript,
  workloadInputs,
  defaultSecretNames,
} from "../../templates";
import { configProblemsOf, minimal, parse, stackFromFile } from "../helpers/fixtures";

function assertNever(what: string): never {
  throw new Error(`${what} is missing`);
}

function problems(input: StackConfigInput): string {
  try {
    parseStackConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

const k8sEdge = (edge: Record<string, unknown>) => minimal("kubernetes", { edge } as Partial<StackConfigInput>);
const dockerEdge = (edge: Record<string, unknown>) =>
  minimal("docker", { sfu: { nodeIp: { strategy: "static", address: "172.30.42.1" } }, edge } as Partial<StackConfigInput>);

describe("lkstack:edge is checked before anything is created", () => {
  it("off by default: no public URL, no edge objects", () => {
    const c = parse(minimal("kubernetes"));
    expect(c.edge.enabled).toBe(false);
    expect(signallingUrl(c)).toBeUndefined();
    expect(edgeObjects(c)).toBeUndefined();
  });

  it.each([
    [
      "no host",
      k8sEdge({ enabled: true, certificate: { secretName: "live-tls" } }),
      /lkstack:edge\.host: the edge is enabled without a public host name\n\s+fix: set lkstack:edge\.host/,
    ],
    [
      "no certificate (kubernetes)",
      k8sEdge({ enabled: true, host: "live.example.org" }),
      /lkstack:edge\.certificate: the stack's TLS edge has no certificate\n\s+fix: set certificate: \{issuer/,
    ],
    [
      "no certificate (docker)",
      dockerEdge({ enabled: true, host: "live.example.org" }),
      /lkstack:edge\.certificate: .*\n\s+fix: set certificate: \{certFile/,
    ],
    [
      "a docker edge port taken by the SFU",
      dockerEdge({ enabled: true, host: "live.example.org", port: 7880, certificate: { certFile: "/a.pem", keyFile: "/a.key" } }),
      /lkstack:edge\.port: port 7880 \(TLS edge\) collides with SFU HTTP/,
    ],
    [
      "a host that is not a DNS name",
      k8sEdge({ enabled: true, host: "live example", certificate: { secretName: "x" } }),
      /lkstack:edge\.host/,
    ],
  ])("%s: refused, naming the path and the fix", (_what, input, message) => {
    expect(problems(input)).toMatch(message);
  });

  it("each certificate problem's fix names what the target mounts; an unused one names the kind that would use it", () => {
    const said = (input: StackConfigInput): string[] =>
      configProblemsOf(() => parseStackConfig(input)).map((p) => `${formatConfigPath(p.path)}: ${p.problem} | ${p.fix}`);
    const host = "live.example.org";
    expect(said(k8sEdge({ enabled: true, host, certificate: { certFile: "/a.pem", keyFile: "/a.key" } }))).toEqual([
      "lkstack:edge.certificate: host file paths need the docker target | use {secretName: <kubernetes.io/tls Secret>} or {issuer: {name}} on Kubernetes",
    ]);
    const onDocker = "use {certFile, keyFile} (absolute paths on the Docker host) on Docker";
    expect(said(dockerEdge({ enabled: true, host, certificate: { secretName: "x" } }))).toEqual([
      `lkstack:edge.certificate: a Secret reference needs the kubernetes target | ${onDocker}`,
    ]);
    expect(said(dockerEdge({ enabled: true, host, certificate: { issuer: { name: "le" } } }))).toEqual([
      `lkstack:edge.certificate.issuer: a cert-manager issuer needs the kubernetes target | ${onDocker}`,
    ]);
    expect(said(k8sEdge({ enabled: true, host, certificate: { secretName: "x" }, kubernetes: { kind: "external" } }))).toEqual([
      'lkstack:edge.certificate: with edge.kubernetes.kind "external" your own load balancer holds the certificate, and this one would go unused | ' +
        'remove lkstack:edge.certificate, or set lkstack:edge.kubernetes.kind to "ingress"',
    ]);
    const files = { certFile: "/a.pem", keyFile: "/a.key" };
    expect(said(dockerEdge({ enabled: true, host, certificate: files, docker: { kind: "external" } }))).toEqual([
      'lkstack:edge.certificate: with edge.docker.kind "external" your own load balancer holds the certificate, and this one would go unused | ' +
        'remove lkstack:edge.certificate, or set lkstack:edge.docker.kind to "caddy"',
    ]);
    expect(said(dockerEdge({ enabled: true, host, certificate: files, kubernetes: { annotations: { "a.example/b": "c" } } }))).toEqual([
      "lkstack:edge.kubernetes.annotations: Ingress annotations have no effect on the docker target | remove lkstack:edge.kubernetes.annotations",
    ]);
  });

  it("the signalling URL needs the edge on and a host; a port other than 443 is written out", () => {
    const edge = (enabled: boolean, host: string | undefined, port: number) =>
      signallingUrl({ target: "kubernetes", edge: { ...parse(minimal("kubernetes")).edge, enabled, host, port } });
    expect(edge(true, "live.example.org", 443)).toBe("wss://live.example.org");
    expect(edge(true, "live.example.org", 8443)).toBe("wss://live.example.org:8443");
    expect(edge(true, undefined, 443)).toBeUndefined();
    expect(edge(false, "live.example.org", 443)).toBeUndefined();
  });

  it("an external edge needs no certificate and still advertises wss://", () => {
    const c = parse(k8sEdge({ enabled: true, host: "live.example.org", kubernetes: { kind: "external" } }));
    expect(signallingUrl(c)).toBe("wss://live.example.org");
    expect(edgeObjects(c)).toBeUndefined();
  });
});

describe("Kubernetes: the SFU's 7880 behind the cluster's Ingress", () => {
  const prod = stackFromFile("prod");
  let edge: ReturnType<typeof edgeObjects>;
  beforeEach(() => {
    edge = edgeObjects(prod);
  });

  it("routes wss://<host>/ to the SFU Service's http port, TLS from the cert-manager Secret", () => {
    expect(signallingUrl(prod)).toBe("wss://live.rta.ae");
    expect(edge?.ingress.spec).toEqual({
      ingressClassName: "nginx",
      tls: [{ hosts: ["live.rta.ae"], secretName: "lkstack-sfu-edge-tls" }],
      rules: [
        {
          host: "live.rta.ae",
          http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "lkstack-sfu", port: { name: "http" } } } }] },
        },
      ],
    });
  });

  it("holds WebSocket signalling for lkstack:edge.websocketTimeoutSeconds (ingress-nginx's 60 s default would cut it)", () => {
    expect(edge?.ingress.metadata?.annotations).toEqual(
      expect.objectContaining({
        "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
        "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
      }),
    );
  });

  it("asks cert-manager for exactly the host, from the named issuer, into the Secret the Ingress reads", () => {
    expect(edge?.certificate?.spec).toEqual({
      secretName: "lkstack-sfu-edge-tls",
      dnsNames: ["live.rta.ae"],
      issuerRef: { name: "letsencrypt-prod", kind: "ClusterIssuer", group: "cert-manager.io" },
    });
  });

  it("leaves ICE/TCP and the UDP range on the nodes (host network), not behind the edge", () => {
    const m = k8sManifests(prod, "");
    const pod = m.sfu.deployment.spec?.template.spec;
    expect(pod?.hostNetwork).toBe(true);
    expect(JSON.stringify(edge)).not.toMatch(/7881|rtc-tcp|50000/);
  });

  it("the Ingress and its Certificate live in the stack's namespace with the SFU's labels", () => {
    const sfuLabels = {
      "app.kubernetes.io/name": "lkstack-sfu",
      "app.kubernetes.io/component": "sfu",
      "app.kubernetes.io/part-of": "lkstack",
      "app.kubernetes.io/managed-by": "lkstack",
    };
    for (const o of [edge?.ingress, edge?.certificate])
      expect(o?.metadata).toEqual(
        expect.objectContaining({
          name: "lkstack-sfu-edge",
          namespace: prod.kubernetes.namespace,
          labels: expect.objectContaining(sfuLabels),
        }),
      );
  });

  it("the TLS Secret: none without a certificate, the named one as is, the issued one by the stack's name", () => {
    expect(tlsSecretFor(undefined, "issued")).toBeUndefined();
    expect(tlsSecretFor({ secretName: "mine" }, "issued")).toBe("mine");
    expect(tlsSecretFor({ issuer: { name: "le", kind: "ClusterIssuer" } }, "issued")).toBe("issued");
    // Host files are Docker's: no Secret on Kubernetes.
    expect(tlsSecretFor({ certFile: "/a.pem", keyFile: "/a.key" }, "issued")).toBeUndefined();
  });

  it("only a Kubernetes stack gets an Ingress object (Docker runs its own edge)", () => {
    const docker = parse(
      dockerEdge({ enabled: true, host: "live.example.org", port: 8443, certificate: { certFile: "/a.pem", keyFile: "/a.key" } }),
    );
    expect(edgeObjects(docker)).toBeUndefined();
  });

  it("an existing Secret is used as is, and no Certificate is made", () => {
    const c = parse(k8sEdge({ enabled: true, host: "live.example.org", certificate: { secretName: "live-tls" } }));
    expect(edgeObjects(c)?.ingress.spec?.tls).toEqual([{ hosts: ["live.example.org"], secretName: "live-tls" }]);
    expect(edgeObjects(c)?.certificate).toBeUndefined();
  });
});

describe("coturn reloads a renewed certificate without a restart", () => {
  it("with TLS on, the start script watches the mounted certificate and sends SIGUSR2 to the server it execs", () => {
    const script = turnserverStartScript(CONTAINER_LAYOUT, {});
    expect(script).toContain("cat /etc/coturn/tls/tls.crt /etc/coturn/tls/tls.key 2>/dev/null | cksum");
    expect(script).toContain("kill -USR2 $$");
    expect(script).toMatch(/sleep 30;/);
    // The server replaces the shell (PID 1 gets SIGTERM); the watcher runs in the background.
    expect(script).toMatch(/\) & exec turnserver -c \/var\/tmp\/turnserver\.conf$/);
  });

  it("the Kubernetes and Docker coturn run that script when TLS is on", () => {
    const prod = stackFromFile("prod");
    const turn = turnObjects(prod, workloadInputs(prod, defaultSecretNames()).turn ?? assertNever("turn input"));
    expect(turn.deployment.spec?.template.spec?.containers[0].command?.[2]).toContain("kill -USR2 $$");
    const docker = parse(dockerEdge({ enabled: false }) as StackConfigInput & { turn: Record<string, unknown> });
    expect(dockerServices(docker, "").find((s) => s.workload === "turn")?.entrypoint?.[2]).not.toContain("USR2");
  });

  it("on Docker, coturn's host certificate files are mounted where turnserver.conf reads them", () => {
    const c = parse(
      minimal("docker", {
        sfu: { nodeIp: { strategy: "static", address: "172.30.42.1" } },
        turn: {
          domain: "turn.example.org",
          allowedPeers: ["172.30.42.1/32"],
          tls: { enabled: true, certificate: { certFile: "/etc/t.pem", keyFile: "/etc/t.key" } },
        },
      }),
    );
    const turn = dockerServices(c, "").find((s) => s.workload === "turn");
    expect(turn?.hostFiles).toEqual([
      { source: "/etc/t.pem", target: "/etc/coturn/tls/tls.crt" },
      { source: "/etc/t.key", target: "/etc/coturn/tls/tls.key" },
    ]);
    expect(turn?.entrypoint?.[2]).toContain("kill -USR2 $$");
    // LiveKit hands out the turns: entry only because TLS is really served.
    expect(renderLivekitConfig(c, CONTAINER_LAYOUT)).toMatch(/protocol: tls/);
    expect(
      renderLivekitConfig(
        parse(
          minimal("docker", {
            sfu: { nodeIp: { strategy: "static", address: "172.30.42.1" } },
            turn: { domain: "turn.example.org", allowedPeers: ["172.30.42.1/32"] },
          }),
        ),
        CONTAINER_LAYOUT,
      ),
    ).not.toMatch(/protocol: tls/);
  });
});

describe("Docker: the Caddy edge", () => {
  const dev = stackFromFile("dev");
  let caddyfile: string;
  // Per test: per-test coverage (npm run mutate) credits only what runs inside a test.
  beforeEach(() => (caddyfile = renderCaddyfile(dev, CONTAINER_LAYOUT)));

  it("terminates TLS for the host with the mounted files and proxies to the SFU on the bridge gateway", () => {
    expect(caddyfile).toMatch(/^https:\/\/live\.dev\.lkstack\.internal:8443 \{$/m);
    expect(caddyfile).toMatch(/^\ttls \/etc\/caddy\/tls\/tls\.crt \/etc\/caddy\/tls\/tls\.key$/m);
    expect(caddyfile).toMatch(/^\treverse_proxy 172\.30\.42\.1:7880$/m);
  });

  it("takes no certificate of its own and keeps its admin API off the network", () => {
    expect(caddyfile).toMatch(/^\tauto_https off$/m);
    expect(caddyfile).toMatch(/^\tadmin unix\/\/var\/lib\/caddy\/admin\.sock$/m);
  });

  it("publishes lkstack:edge.port, runs Caddy with a watcher that reloads it, and advertises wss://", () => {
    const spec = dockerServices(dev, "").find((s) => s.workload === "edge");
    expect(spec?.image).toBe("caddy:2.10.2");
    expect(spec?.publishedPorts).toEqual([{ target: 8443, published: 443 }]);
    expect(spec?.entrypoint?.[2]).toContain(
      "caddy reload --config /etc/caddy/Caddyfile --adapter caddyfile --address unix//var/lib/caddy/admin.sock --force",
    );
    expect(spec?.entrypoint?.[2]).toMatch(/exec caddy run --config \/etc\/caddy\/Caddyfile --adapter caddyfile$/);
    expect(signallingUrl(dev)).toBe("wss://live.dev.lkstack.internal");
  });

  it("in a Swarm the edge reaches the SFU by its service name", () => {
    const swarm = parse(
      minimal("docker", {
        docker: { mode: "swarm" },
        edge: { enabled: true, host: "live.example.org", port: 8443, certificate: { certFile: "/a.pem", keyFile: "/a.key" } },
      } as Partial<StackConfigInput>),
    );
    expect(renderCaddyfile(swarm, CONTAINER_LAYOUT)).toMatch(/^\treverse_proxy lkstack-sfu:7880$/m);
    expect(signallingUrl(swarm)).toBe("wss://live.example.org:8443");
  });
});
