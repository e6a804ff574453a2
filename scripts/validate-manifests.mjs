// Validates Kubernetes objects (a JSON array in the file named by the first argument) against the published OpenAPI schemas that
// kubernetes-models ships (core API and the Prometheus Operator and cert-manager CRDs).
// ESM-only libraries, hence a separate process. Prints one JSON result per object.
import { readFileSync } from "node:fs";
import process from "node:process";

const GROUPS = {
  "": "kubernetes-models",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "cert-manager.io": "@kubernetes-models/cert-manager",
};

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const pkg = GROUPS[group] ?? "kubernetes-models";
  const path = group === "" ? `${pkg}/${version}/${kind}` : `${pkg}/${group}/${version}/${kind}`;
  const mod = await import(path);
  return mod[kind];
}

const objects = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = [];
for (const obj of objects) {
  const id = `${obj.kind}/${obj.metadata?.name}`;
  try {
    const Model = await modelFor(obj.apiVersion, obj.kind);
    new Model(obj).validate();
    results.push({ id, ok: true });
  } catch (e) {
    results.push({ id, ok: false, error: String(e.message ?? e) });
  }
}
process.stdout.write(JSON.stringify(results));
