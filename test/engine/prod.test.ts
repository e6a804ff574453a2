import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import type { EngineResult } from "../helpers/engineRunner";
import { startKubeCluster, type KubeCluster } from "../helpers/kubeCluster";
import {
  Discovery,
  crdManifests,
  fetchObject,
  mustChange,
  objectRefs,
  podFromTemplate,
  type KubeObject,
  type ObjectRef,
} from "../helpers/kubeObjects";
import { policyPackExecutable, prepareEngine, stackFileConfig, type Engine } from "../helpers/pulumiEngine";
import { BINARIES, requireBinaries } from "../helpers/servers";

// `pulumi preview/up/destroy` of the prod stack through the real engine (the Pulumi CLI and the
// kubernetes provider built from the module proxy) against a real kube-apiserver.
const { available } = requireBinaries(["pulumi", "pulumiKubernetes", "kubeApiserver", "kubeControllerManager", "etcd", "engineCrds"]);
const suite = available ? describe : describe.skip;

const STACK = "prod";
const OP_MS = 10 * 60_000;

/** A value no template or default could contain: a random run mark inside (letters and digits). */
const distinct = (label: string) => `${label}${randomBytes(20).toString("hex")}`;
const SECRETS = {
  apiKey: `API${randomBytes(6).toString("hex")}`,
  apiSecret: distinct("engApiSecret"),
  turnA: distinct("engTurnA"),
  turnB: distinct("engTurnB"),
  valkey: distinct("engValkey"),
  mediamtx: distinct("engMediamtx"),
  mediamtxRead: distinct("engMediamtxRead"),
  metrics: distinct("engMetrics"),
  cameraA: distinct("engCameraA"),
  cameraB: distinct("engCameraB"),
};

function secretConfig(turnSecrets: string[]): ConfigMap {
  const secret = (v: unknown) => ({ value: typeof v === "string" ? v : JSON.stringify(v), secret: true });
  // Every secret given, so the program creates no random.* resource (the random provider cannot be
  // built here; see README "The real engine").
  return {
    "lkstack:apiKeys": secret([{ key: SECRETS.apiKey, secret: SECRETS.apiSecret }]),
    "lkstack:turnSecrets": secret(turnSecrets),
    "lkstack:valkeyPassword": secret(SECRETS.valkey),
    "lkstack:mediamtxApiPassword": secret(SECRETS.mediamtx),
    "lkstack:mediamtxReadPassword": secret(SECRETS.mediamtxRead),
    "lkstack:metricsPassword": secret(SECRETS.metrics),
    "lkstack:cameraCredentials": secret({
      "corridor-a": { username: "viewer", password: SECRETS.cameraA },
      "corridor-b": { username: "viewer", password: SECRETS.cameraB },
    }),
  };
}

/** The stack file's config with one top-level `lkstack:*` object edited. */
function edited(base: ConfigMap, key: string, edit: (v: Record<string, unknown>) => unknown): ConfigMap {
  const current = base[key] ? (JSON.parse(base[key].value) as Record<string, unknown>) : {};
  return { ...base, [key]: { value: JSON.stringify(edit(current)), secret: false } };
}

const changedUrns = (r: EngineResult) => new Set(r.steps.filter((s) => s.op !== "same").map((s) => s.urn));
/** What changed and why, for failure messages: "<op> <type::name> [diffs]". */
const changes = (r: EngineResult) =>
  r.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${shortUrn(s.urn)} [${s.diffs.join(", ")}]`);
const shortUrn = (urn: string) => urn.split("::").slice(-2).join("::");
/** A URN's own type and name, without its parents: "kubernetes:apps/v1:Deployment::lkstack-sfu". */
const typeAndName = (urn: string) => shortUrn(urn).split("$").pop() ?? urn;
const sorted = (s: Iterable<string>) => [...s].map(shortUrn).sort();

function expectOk(r: EngineResult): void {
  if (!r.ok) throw new Error(`engine failed: ${r.error}\n${r.diagnostics.map((d) => d.message).join("\n")}`);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
}

suite("prod through the real Pulumi engine and a real kube-apiserver", () => {
  let cluster: KubeCluster;
  let engine: Engine;
  let discovery: Discovery;
  let config: ConfigMap;
  let refs: ObjectRef[] = [];
  const namespace = "lkstack";

  const liveObjects = async () => {
    const out: { ref: ObjectRef; object: KubeObject }[] = [];
    for (const ref of refs) {
      const r = await fetchObject(cluster, discovery, ref);
      if (r.status !== 200) throw new Error(`${ref.kind} ${ref.name} answered ${r.status}`);
      out.push({ ref, object: r.object });
    }
    return out;
  };
  const up = async (cfg: ConfigMap) => {
    const r = await engine.run("up", STACK, cfg);
    expectOk(r);
    refs = objectRefs(await engine.exportState(STACK));
    return r;
  };

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startKubeCluster();
    for (const crd of crdManifests(BINARIES.engineCrds)) {
      const r = await cluster.api("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
      expect(r.status).toBe(201);
    }
    // Established before the provider asks for them (a fresh discovery each time: it caches).
    for (const kind of ["ServiceMonitor", "PrometheusRule"]) {
      const deadline = Date.now() + 30_000;
      while (!(await new Discovery(cluster).path({ apiVersion: "monitoring.coreos.com/v1", kind }).catch(() => "")))
        if (Date.now() > deadline) throw new Error(`${kind} CRD never served`);
        else await new Promise((r) => setTimeout(r, 300));
    }
    discovery = new Discovery(cluster);
    engine = prepareEngine({ KUBECONFIG: cluster.kubeconfig });
    config = { ...stackFileConfig(STACK), ...secretConfig([SECRETS.turnA]) };
    process.stdout.write(`control plane and CRDs ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }, OP_MS);

  afterAll(async () => {
    await cluster?.stop();
  });

  it(
    "preview plans every object; up creates them and the API server holds each one",
    async () => {
      const preview = await engine.run("preview", STACK, config);
      expectOk(preview);
      const planned = preview.changes.create ?? 0;
      expect(planned).toBeGreaterThan(40);
      expect(Object.keys(preview.changes)).toEqual(["create"]);
      expect(preview.steps.some((s) => s.type.startsWith("random:"))).toBe(false);

      const created = await up(config);
      expect(created.changes).toEqual({ create: planned });
      const kinds = new Set(refs.map((r) => r.kind));
      for (const k of [
        "Namespace",
        "Deployment",
        "StatefulSet",
        "Secret",
        "ConfigMap",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "ServiceMonitor",
        "PrometheusRule",
      ])
        expect(kinds).toContain(k);
      const live = await liveObjects();
      expect(live).toHaveLength(refs.length);
      // Server-side field validation: a field the schema (or a CRD's) does not know is a warning.
      const warnings = created.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message);
      expect(warnings.filter((w) => /unknown field|duplicate field/i.test(w))).toEqual([]);
      process.stdout.write(`prod: ${planned} planned, ${refs.length} Kubernetes objects stored; warnings:\n${warnings.join("\n")}\n`);
    },
    OP_MS,
  );

  it(
    "the policy pack, launched by the engine, passes prod and refuses a preview whose workload lost its limits",
    async () => {
      const pack = policyPackExecutable();
      const clean = await engine.run("preview", STACK, config, { policyPacks: [pack] });
      expectOk(clean);
      // The pack ran: its advisory policy spoke (the seed pins images by tag), no mandatory one did.
      expect(clean.policies.filter((p) => p.enforcementLevel === "mandatory")).toEqual([]);
      const advisory = clean.policies.filter((p) => p.policyName === "images-pinned-by-digest");
      expect(advisory.length).toBeGreaterThan(0);
      for (const p of advisory) expect(p.message).toMatch(/pinned by tag only/);

      const broken = await engine.run("preview", STACK, config, { policyPacks: [pack], dropLimitsOf: "lkstack-mediamtx" });
      expect(broken.ok).toBe(false);
      const mandatory = broken.policies.filter((p) => p.enforcementLevel === "mandatory");
      // One report per container of that Deployment, and none elsewhere.
      expect(new Set(mandatory.map((p) => `${p.policyName} ${typeAndName(p.urn ?? "")}`))).toEqual(
        new Set(["containers-have-limits kubernetes:apps/v1:Deployment::lkstack-mediamtx"]),
      );
      expect(mandatory[0].message).toMatch(/limits/);
      // Without the pack the same broken program previews cleanly: the refusal is the pack's.
      expectOk(await engine.run("preview", STACK, config, { dropLimitsOf: "lkstack-mediamtx" }));
      process.stdout.write(`policy pack under the engine: ${advisory.length} advisory, refused: ${mandatory[0].message.trim()}\n`);
    },
    OP_MS,
  );

  it("the namespace enforces the level the stack declares, and that level admits every pod", async () => {
    const ns = await cluster.api<KubeObject>("GET", `/api/v1/namespaces/${namespace}`);
    const labels = ns.body.metadata.labels ?? {};
    expect(labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(labels["pod-security.kubernetes.io/warn"]).toBe("restricted");
    const workloads = (await liveObjects()).filter(({ object }) => object.kind === "Deployment" || object.kind === "StatefulSet");
    expect(workloads.length).toBeGreaterThanOrEqual(5);
    // A throwaway namespace at `restricted`: Pod Security admission is live and refuses exactly the
    // host-network workloads, which is why the stack's namespace needs `privileged`.
    const strict = "lkstack-psa-restricted";
    expect(
      (
        await cluster.api("POST", "/api/v1/namespaces", {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: strict, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
        })
      ).status,
    ).toBe(201);
    // Pod admission needs each namespace's `default` account (the service-account controller's).
    for (const ns of [namespace, strict]) {
      const deadline = Date.now() + 30_000;
      while ((await cluster.api("GET", `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status !== 200) {
        if (Date.now() > deadline) throw new Error(`no default service account in ${ns}`);
        await new Promise((done) => setTimeout(done, 300));
      }
    }
    const refusedUnderRestricted: string[] = [];
    for (const { object } of workloads) {
      // Pods are created by dry run: stored nowhere, but validated and admitted in full.
      const here = await cluster.api<{ message?: string }>(
        "POST",
        `/api/v1/namespaces/${namespace}/pods?dryRun=All`,
        podFromTemplate(object, namespace),
      );
      expect({ workload: object.metadata.name, status: here.status, message: here.body.message }).toMatchObject({ status: 201 });
      const there = await cluster.api<{ message?: string }>(
        "POST",
        `/api/v1/namespaces/${strict}/pods?dryRun=All`,
        podFromTemplate(object, strict),
      );
      const hostNetwork = (object.spec?.template as { spec?: { hostNetwork?: boolean } }).spec?.hostNetwork === true;
      if (hostNetwork) {
        expect(there.status).toBe(403);
        expect(there.body.message).toMatch(/violates PodSecurity "restricted:latest"/);
        expect(there.body.message).toMatch(/host namespaces \(hostNetwork=true\)/);
        refusedUnderRestricted.push(object.metadata.name);
      } else expect({ workload: object.metadata.name, status: there.status, message: there.body.message }).toMatchObject({ status: 201 });
    }
    expect(refusedUnderRestricted.sort()).toEqual(["lkstack-sfu", "lkstack-turn"]);
    await cluster.api("DELETE", `/api/v1/namespaces/${strict}`);
  }, 120_000);

  it(
    "a second up with no change changes nothing; a lkstack:rotation bump changes nothing while every secret is given",
    async () => {
      const again = await up(config);
      expect(changes(again)).toEqual([]);
      expect(Object.keys(again.changes)).toEqual(["same"]);
      expect(changedUrns(again).size).toBe(0);
      // README "Secrets and rotation": a given value's rotation is the operator's, so the counter
      // (which names generated values) must not touch a stack whose values are all given.
      const bumped = edited(config, "lkstack:rotation", () => ({
        apiKey: 2,
        turnSecret: 2,
        valkeyPassword: 2,
        mediamtxApiPassword: 2,
        mediamtxReadPassword: 2,
        metricsPassword: 2,
      }));
      const rotated = await up(bumped);
      expect(sorted(changedUrns(rotated))).toEqual([]);
    },
    OP_MS,
  );

  it(
    "rotating the TURN secret (new first, old second) changes exactly the Secrets holding it and the workloads that mount them",
    async () => {
      const before = await liveObjects();
      const expected = mustChange(before, [SECRETS.turnA]);
      config = { ...config, ...secretConfig([SECRETS.turnB, SECRETS.turnA]) };
      const r = await up(config);
      expect(sorted(changedUrns(r))).toEqual(sorted(expected));
      // The README's claim: LiveKit (which signs TURN credentials) and coturn (which checks them).
      const kinds = [...expected].map((u) => shortUrn(u));
      expect(kinds.filter((u) => u.includes("Deployment")).sort()).toEqual(
        expect.arrayContaining([expect.stringContaining("sfu"), expect.stringContaining("turn")]),
      );
      // Both values are now held; the old one still accepted (step 1 of the README's rotation).
      const after = await liveObjects();
      for (const v of [SECRETS.turnA, SECRETS.turnB]) expect(mustChange(after, [v]).size).toBeGreaterThan(0);
      process.stdout.write(
        `TURN rotation changed ${r.steps.filter((s) => s.op !== "same").length} steps: ${sorted(changedUrns(r)).join(", ")}\n`,
      );
    },
    OP_MS,
  );

  it(
    "changing one camera changes only the objects that hold cameras",
    async () => {
      const before = await liveObjects();
      const oldHost = "10.30.2.40";
      const expected = mustChange(before, [oldHost]);
      expect(expected.size).toBeGreaterThan(0);
      config = edited(config, "lkstack:cameras", (v) =>
        (v as unknown as { rtsp: string }[]).map((c) =>
          c.rtsp.includes(oldHost) ? { ...c, rtsp: c.rtsp.replace(oldHost, "10.30.2.41") } : c,
        ),
      );
      const r = await up(config);
      expect(sorted(changedUrns(r))).toEqual(sorted(expected));
      process.stdout.write(`camera change changed: ${sorted(changedUrns(r)).join(", ")}\n`);
    },
    OP_MS,
  );

  it("secrets are ciphertext in the state backend", () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(engine.backend);
    expect(files.some((f) => f.endsWith(`${STACK}.json`))).toBe(true);
    const values = Object.values(SECRETS).filter((v) => v !== SECRETS.apiKey);
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      const leaked = values.filter((v) => text.includes(v) || text.includes(Buffer.from(v).toString("base64")));
      expect({ file: f, leaked }).toEqual({ file: f, leaked: [] });
    }
  });

  it(
    "a cert-manager Certificate (turn.tls from an issuer) is accepted by the published CRD",
    async () => {
      const withIssuer = edited(config, "lkstack:turn", (v) => ({
        ...v,
        tls: { enabled: true, certificate: { issuer: { name: "lkstack-test", kind: "ClusterIssuer" } } },
      }));
      const r = await up(withIssuer);
      expect(r.steps.filter((s) => s.op === "create").map((s) => s.type)).toContain("kubernetes:cert-manager.io/v1:Certificate");
      const cert = refs.find((x) => x.kind === "Certificate");
      expect(cert).toBeDefined();
      if (!cert) return;
      const live = await fetchObject(cluster, discovery, cert);
      expect(live.status).toBe(200);
      expect(live.object.spec).toMatchObject({ issuerRef: { name: "lkstack-test", kind: "ClusterIssuer" } });
    },
    OP_MS,
  );

  it(
    "destroy leaves nothing behind",
    async () => {
      const last = refs;
      const r = await engine.run("destroy", STACK, config);
      expectOk(r);
      expect(Object.keys(r.changes)).toEqual(["delete"]);
      // Deployments, StatefulSets and the Namespace return from delete at once under skip-await;
      // the garbage collector and the namespace controller finish them. Bounded wait.
      expect(last.map((x) => x.kind)).toContain("Namespace");
      const remaining = async () => {
        const left: string[] = [];
        for (const ref of last) if ((await fetchObject(cluster, discovery, ref)).status !== 404) left.push(`${ref.kind}/${ref.name}`);
        return left;
      };
      const deadline = Date.now() + 90_000;
      let left = await remaining();
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 1000));
        left = await remaining();
      }
      expect(left).toEqual([]);
      // And by listing: no object of any namespaced kind is left in the namespace.
      const listed: string[] = [];
      for (const { apiVersion, resource } of await discovery.namespacedListable()) {
        const path = await discovery.path({ apiVersion, kind: resource.kind, namespace });
        const list = await cluster.api<{ items?: unknown[] }>("GET", path);
        if ((list.body.items ?? []).length > 0) listed.push(`${resource.kind}: ${list.body.items?.length}`);
      }
      expect(listed).toEqual([]);
    },
    OP_MS,
  );
});
