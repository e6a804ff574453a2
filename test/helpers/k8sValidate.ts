import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
  const dir = mkdtempSync(join(tmpdir(), "lkstack-k8s-"));
  const file = join(dir, "objects.json");
  writeFileSync(file, JSON.stringify(objects));
  try {
    const out = execFileSync(process.execPath, [join(PROJECT_DIR, "scripts", "validate-manifests.mjs"), file], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 ** 2,
    });
    const results = JSON.parse(out) as ValidationResult[];
    if (results.length !== objects.length) throw new Error(`validated ${results.length} of ${objects.length} objects`);
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Kubernetes object a recorded `kubernetes:<group>/<version>:<Kind>` resource stands for. */
export function objectFromRecorded(r: Recorded): Record<string, unknown> {
  const m = /^kubernetes:([^:]+):(.+)$/.exec(r.type);
  if (!m) throw new Error(`not a Kubernetes resource: ${r.type}`);
  const [group, version] = m[1].split("/");
  const apiVersion = group === "core" ? version : `${group}/${version}`;
  return { apiVersion, kind: m[2], ...r.inputs };
}
