import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeCluster } from "./kubeCluster";
import type { StateResource } from "./pulumiEngine";

/** What the engine's state says a Kubernetes object is, and where the API server keeps it. */
export interface ObjectRef {
  urn: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Every Kubernetes object in a stack's state (its outputs say where it lives; they are not secret). */
export function objectRefs(state: StateResource[]): ObjectRef[] {
  return state
    .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:"))
    .map((r) => {
      const o = record(r.outputs);
      const m = record(o.metadata);
      return {
        urn: r.urn,
        apiVersion: String(o.apiVersion),
        kind: String(o.kind),
        namespace: typeof m.namespace === "string" ? m.namespace : undefined,
        name: String(m.name),
      };
    });
}

const groupPath = (apiVersion: string) => (apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);

/** The API server's discovery, read once per group version: kind → plural and scope. */
export class Discovery {
  private readonly cache = new Map<string, ApiResource[]>();

  constructor(private readonly cluster: KubeCluster) {}

  async resources(apiVersion: string): Promise<ApiResource[]> {
    const cached = this.cache.get(apiVersion);
    if (cached) return cached;
    const r = await this.cluster.api<{ resources: ApiResource[] }>("GET", groupPath(apiVersion));
    if (r.status !== 200) throw new Error(`discovery of ${apiVersion} answered ${r.status}`);
    const top = r.body.resources.filter((x) => !x.name.includes("/"));
    this.cache.set(apiVersion, top);
    return top;
  }

  async path(ref: { apiVersion: string; kind: string; namespace?: string; name?: string }): Promise<string> {
    const res = (await this.resources(ref.apiVersion)).find((x) => x.kind === ref.kind);
    if (!res) throw new Error(`the API server serves no ${ref.kind} in ${ref.apiVersion}`);
    const ns = res.namespaced && ref.namespace ? `/namespaces/${ref.namespace}` : "";
    return `${groupPath(ref.apiVersion)}${ns}/${res.name}${ref.name ? `/${ref.name}` : ""}`;
  }

  /** Every group version's namespaced, listable resources. */
  async namespacedListable(): Promise<{ apiVersion: string; resource: ApiResource }[]> {
    const core = await this.cluster.api<{ versions: string[] }>("GET", "/api");
    const groups = await this.cluster.api<{ groups: { preferredVersion: { groupVersion: string } }[] }>("GET", "/apis");
    const versions = [...core.body.versions, ...groups.body.groups.map((g) => g.preferredVersion.groupVersion)];
    const out: { apiVersion: string; resource: ApiResource }[] = [];
    for (const v of versions)
      for (const resource of await this.resources(v))
        if (resource.namespaced && resource.verbs.includes("list")) out.push({ apiVersion: v, resource });
    return out;
  }
}

/** The object as the API server holds it (Secret data decoded, so values can be searched). */
export async function fetchObject(
  cluster: KubeCluster,
  discovery: Discovery,
  ref: ObjectRef,
): Promise<{ status: number; object: KubeObject }> {
  const r = await cluster.api<KubeObject>("GET", await discovery.path(ref));
  const object = r.body;
  if (r.status === 200 && object.kind === "Secret" && object.data)
    object.data = Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
  return { status: r.status, object };
}

/**
 * The URNs a change of `needle` must touch: every object whose content holds it, and every object
 * that names a Secret or ConfigMap holding it (those are immutable and replaced under a new name,
 * so whoever mounts or reads them changes too). Nothing else should.
 */
export function mustChange(objects: { ref: ObjectRef; object: KubeObject }[], needles: string[]): Set<string> {
  const body = (o: KubeObject) => JSON.stringify({ spec: o.spec, data: o.data, labels: o.metadata.labels });
  const holders = objects.filter(({ object }) => needles.some((n) => body(object).includes(n)));
  const held = holders
    .filter(({ object }) => object.kind === "Secret" || object.kind === "ConfigMap")
    .map(({ object }) => `"${object.metadata.name}"`);
  const referrers = objects.filter(({ object }) => held.some((name) => JSON.stringify(object.spec ?? {}).includes(name)));
  return new Set([...holders, ...referrers].map(({ ref }) => ref.urn));
}

/** The CRD manifests in a directory, as objects to create. */
export function crdManifests(dir: string): Record<string, unknown>[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJSON() as unknown))
    .filter((d): d is Record<string, unknown> => record(d).kind === "CustomResourceDefinition");
}

/** A Pod from a workload's template, the way its controller would create it (claims included). */
export function podFromTemplate(workload: KubeObject, namespace: string): KubeObject {
  const spec = record(workload.spec);
  const template = record(spec.template);
  const podSpec = { ...record(template.spec) };
  const claims = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates.map(record) : [];
  const volumes = Array.isArray(podSpec.volumes) ? [...podSpec.volumes] : [];
  for (const c of claims) {
    const claim = String(record(c.metadata).name);
    volumes.push({ name: claim, persistentVolumeClaim: { claimName: `${claim}-${workload.metadata.name}-0` } });
  }
  if (volumes.length > 0) podSpec.volumes = volumes;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${workload.metadata.name}-admission`,
      namespace,
      labels: record(record(template.metadata).labels) as Record<string, string>,
    },
    spec: podSpec,
  };
}
