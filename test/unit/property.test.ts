import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { ConfigError, STACK_KEYS, parseStackConfig, rangesOverlap, type StackConfigInput } from "../../schema";
import type { PodSpec } from "kubernetes-types/core/v1";
import { FILE_NAMES, k8sManifests, k8sObjectList, k8sSecrets, renderStack } from "../../templates";
import { validateK8s } from "../helpers/k8sValidate";
import { TEST_SECRETS } from "../helpers/fixtures";
import { assertNoSecretInPublicFiles, assertWithinAllowLists } from "../helpers/invariants";

const range = (lo: number, hi: number) =>
  fc
    .tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: 1, max: 6000 }))
    .map(([start, size]) => ({ start, end: Math.min(65535, start + size - 1) }));

const cidr4 = fc.tuple(fc.ipV4(), fc.integer({ min: 8, max: 32 })).map(([ip, p]) => `${ip}/${p}`);

/** Stack configs near the edges the schema guards: overlapping ranges, busy nodes, odd IPs. */
const stackInput: fc.Arbitrary<StackConfigInput> = fc
  .record({
    target: fc.constantFrom("docker" as const, "kubernetes" as const),
    udp: range(20000, 60000),
    relay: range(20000, 60000),
    http: fc.integer({ min: 1024, max: 19999 }),
    replicas: fc.integer({ min: 1, max: 4 }),
    viewers: fc.integer({ min: 0, max: 2000 }),
    cameras: fc.array(fc.uuid({ version: 4 }), { maxLength: 6 }),
    nodeIp: fc.option(fc.ipV4(), { nil: undefined }),
    allowedPeers: fc.array(cidr4, { maxLength: 3 }),
    tls: fc.boolean(),
    sentinel: fc.boolean(),
    turnEnabled: fc.boolean(),
    ingressEnabled: fc.boolean(),
  })
  .map((r) => ({
    target: r.target,
    capacity: { concurrentViewers: r.viewers },
    sfu: {
      replicas: r.replicas,
      ports: { http: r.http, udp: r.udp },
      ...(r.nodeIp ? { nodeIp: { strategy: "static" as const, address: r.nodeIp } } : {}),
    },
    turn: {
      enabled: r.turnEnabled,
      domain: "turn.example.test",
      allowedPeers: r.allowedPeers,
      ports: { relay: r.relay },
      tls: r.tls
        ? { enabled: true, certificate: r.target === "kubernetes" ? { secretName: "tls" } : { certFile: "/c.pem", keyFile: "/k.pem" } }
        : { enabled: false },
    },
    valkey: { mode: r.sentinel ? ("sentinel" as const) : ("standalone" as const) },
    ingress: { enabled: r.ingressEnabled },
    cameras: r.cameras.map((id, i) => ({ id, rtsp: `rtsp://10.9.0.${i + 1}:554/stream` })),
  }));

describe("any config the schema accepts renders valid, safe files", () => {
  it("the schema either accepts or raises a ConfigError whose paths start at a stack key", () => {
    fc.assert(
      fc.property(stackInput, (input) => {
        try {
          parseStackConfig(input);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          for (const p of e.problems) expect(STACK_KEYS).toContain(String(p.path[0]));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("accepted configs keep ports, ranges, allow-lists and secrets in order", () => {
    let accepted = 0;
    fc.assert(
      fc.property(stackInput, (input) => {
        let cfg;
        try {
          cfg = parseStackConfig(input);
        } catch (e) {
          if (e instanceof ConfigError) return;
          throw e;
        }
        accepted++;
        if (cfg.turn.enabled) expect(rangesOverlap(cfg.sfu.ports.udp, cfg.turn.ports.relay)).toBe(false);
        assertWithinAllowLists(cfg);
        assertNoSecretInPublicFiles(cfg);
        const r = renderStack(cfg, TEST_SECRETS);
        const lk = parseYaml(r.sfu?.publicFiles[FILE_NAMES.livekit] ?? "");
        expect([lk.rtc.port_range_start, lk.rtc.port_range_end]).toEqual([cfg.sfu.ports.udp.start, cfg.sfu.ports.udp.end]);
        if (r.turn) {
          const body = r.turn.publicFiles[FILE_NAMES.turn];
          expect(body).toContain(`min-port=${cfg.turn.ports.relay.start}\nmax-port=${cfg.turn.ports.relay.end}\n`);
        }
        for (const service of Object.values(r))
          for (const [name, body] of Object.entries(service?.publicFiles ?? {})) if (/\.ya?ml$/.test(name)) parseYaml(body);
      }),
      { numRuns: 300 },
    );
    // The generator must reach the interesting half too, or the property proves nothing.
    expect(accepted).toBeGreaterThan(20);
  });
});

describe("any kubernetes config the schema accepts yields manifests that keep the HA and safety invariants", () => {
  it("one SFU per node, maxSurge 0, PDB, limits and probes everywhere, policies cover every workload, schema-valid", () => {
    const toValidate: unknown[] = [];
    let accepted = 0;
    fc.assert(
      fc.property(stackInput, fc.boolean(), (input, monitoring) => {
        let cfg;
        try {
          cfg = parseStackConfig({
            ...input,
            target: "kubernetes",
            kubernetes: { monitoring: { serviceMonitor: monitoring, prometheusRule: monitoring, grafanaDashboard: monitoring } },
          });
        } catch (e) {
          if (e instanceof ConfigError) return;
          throw e;
        }
        accepted++;
        const m = k8sManifests(cfg, "// reconciler bundle");
        const sfu = m.sfu.deployment.spec;
        expect(sfu?.strategy?.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
        expect(sfu?.template.spec?.hostNetwork).toBe(true);
        expect(sfu?.template.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0].topologyKey).toBe(
          "kubernetes.io/hostname",
        );
        expect(m.sfu.podDisruptionBudget.spec?.maxUnavailable).toBe(1);
        const udp = sfu?.template.spec?.containers[0].ports?.filter((p) => p.protocol === "UDP") ?? [];
        expect(udp).toHaveLength(cfg.sfu.ports.udp.end - cfg.sfu.ports.udp.start + 1);
        const objects = k8sObjectList(m);
        const pods = objects.flatMap((o) => {
          const spec = (o as { spec?: { template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec } } }).spec;
          return spec?.template?.spec
            ? [{ name: o.metadata?.name, labels: spec.template.metadata?.labels ?? {}, spec: spec.template.spec }]
            : [];
        });
        for (const p of pods)
          for (const c of p.spec.containers) {
            expect([p.name, c.resources?.limits?.cpu !== undefined, c.resources?.limits?.memory !== undefined]).toEqual([
              p.name,
              true,
              true,
            ]);
            expect([p.name, c.readinessProbe !== undefined, c.livenessProbe !== undefined]).toEqual([p.name, true, true]);
          }
        for (const p of pods)
          expect([
            p.name,
            m.networkPolicies.some((np) => {
              const sel = np.spec?.podSelector?.matchLabels ?? {};
              return Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => p.labels[k] === v);
            }),
          ]).toEqual([p.name, true]);
        const open = m.networkPolicies
          .filter((np) => JSON.stringify(np.spec?.ingress).includes('"0.0.0.0/0"'))
          .map((np) => np.metadata?.name);
        expect(open.every((n) => n === "lkstack-sfu" || n === "lkstack-turn")).toBe(true);
        // Every secret the stack is given lands in a Secret object and in nothing else: searched over
        // the manifests and the Secrets together, so a value copied into a ConfigMap or env would show.
        const secretObjects = k8sSecrets(cfg, TEST_SECRETS);
        const everything: { kind?: string; text: string }[] = [...objects, ...secretObjects].map((o) => ({
          kind: o.kind,
          text: JSON.stringify(o),
        }));
        const given = [TEST_SECRETS.valkeyPassword, ...TEST_SECRETS.turnSecrets, ...TEST_SECRETS.apiKeys.map((k) => k.secret)];
        for (const v of cfg.turn.enabled ? given : given.filter((g) => !TEST_SECRETS.turnSecrets.includes(g))) {
          const holders = everything.filter((o) => o.text.includes(v)).map((o) => o.kind);
          expect({ v, held: holders.length > 0, kinds: [...new Set(holders)] }).toEqual({ v, held: true, kinds: ["Secret"] });
        }
        if (toValidate.length < 400) toValidate.push(...objects, ...secretObjects);
      }),
      { numRuns: 120 },
    );
    expect(accepted).toBeGreaterThan(10);
    expect(validateK8s(toValidate).filter((r) => !r.ok)).toEqual([]);
  });
});
