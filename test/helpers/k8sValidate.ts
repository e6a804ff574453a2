import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { PROJECT_DIR } from "./fixtures";
import type { Recorded } from "./mocks";

export interface ValidationResult {
  id: string;
  ok: boolean;
  error?: string;
}

/**
 * Validates objects against the Kubernetes OpenAPI schemas shipped by kubernetes-models (and the
 * Prometheus Operator and cert-manager CRD schemas). Those packages are ESM-only, so this runs
 * scripts/validate-manifests.mjs in a child process.
 */
export function validateK8s(objects: unknown[]): ValidationResult[] {
  const out = execFileSync(process.execPath, [join(PROJECT_DIR, "scripts", "validate-manifests.mjs")], {
    input: JSON.stringify(objects),
    encoding: "utf8",
  });
  return JSON.parse(out) as ValidationResult[];
}

/** The Kubernetes object a recorded `kubernetes:<group>/<version>:<Kind>` resource stands for. */
export function objectFromRecorded(r: Recorded): Record<string, unknown> {
  const m = /^kubernetes:([^:]+):(.+)$/.exec(r.type);
  if (!m) throw new Error(`not a Kubernetes resource: ${r.type}`);
  const [group, version] = m[1].split("/");
  const apiVersion = group === "core" ? version : `${group}/${version}`;
  return { apiVersion, kind: m[2], ...r.inputs };
}
