import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONTAINER_LAYOUT, secretsFromEnv, type StackConfig } from "../schema";
import { reconcilerCode } from "../components/reconcilerCode";
import { k8sManifests, k8sObjectList, k8sSecrets, renderStack, toYaml, type K8sObject, type RenderedStack } from "../templates";

export interface WrittenTree {
  publicFiles: string[];
  secretFiles: string[];
}

/** Public files flat in `out`; secret parts in `out/secret` (0700 dir, 0600 files). */
export function writeRendered(rendered: RenderedStack, out: string): WrittenTree {
  const secretDir = join(out, "secret");
  mkdirSync(out, { recursive: true });
  mkdirSync(secretDir, { recursive: true, mode: 0o700 });
  chmodSync(secretDir, 0o700);
  const written: WrittenTree = { publicFiles: [], secretFiles: [] };
  for (const [service, r] of Object.entries(rendered)) {
    if (!r) continue;
    for (const [name, content] of Object.entries(r.publicFiles)) {
      writeFileSync(join(out, name), content, { mode: 0o644 });
      written.publicFiles.push(name);
    }
    for (const [name, content] of Object.entries(r.secretFiles)) {
      writeFileSync(join(secretDir, name), content, { mode: 0o600 });
      written.secretFiles.push(`secret/${name}`);
    }
    const env = Object.entries(r.secretEnv);
    if (env.length > 0) {
      const name = `${service}.env`;
      writeFileSync(join(secretDir, name), env.map(([k, v]) => `${k}=${v}`).join("\n") + "\n", { mode: 0o600 });
      written.secretFiles.push(`secret/${name}`);
    }
  }
  return written;
}

export function renderToDirectory(
  cfg: StackConfig,
  out: string,
  env: Record<string, string | undefined>,
): WrittenTree & { placeholders: string[] } {
  const { secrets, placeholders } = secretsFromEnv(env);
  const written = writeRendered(renderStack(cfg, secrets, CONTAINER_LAYOUT), out);
  return { ...written, placeholders };
}

function yamlStream(objects: K8sObject[]): string {
  return objects.map((o) => "---\n" + toYaml(o)).join("");
}

/**
 * The Kubernetes objects the Pulumi program creates, as YAML: public ones in
 * `out/manifests/lkstack.yaml`, the Secrets in `out/secret/manifests-secrets.yaml` (0600). Offline,
 * Secrets carry stand-in names (`lkstack-<service>-secret`); under Pulumi they are auto-named.
 */
export function writeManifests(
  cfg: StackConfig,
  out: string,
  env: Record<string, string | undefined>,
): { files: string[]; objects: number } {
  const dir = join(out, "manifests");
  mkdirSync(dir, { recursive: true });
  const objects = k8sObjectList(k8sManifests(cfg, reconcilerCode()));
  writeFileSync(join(dir, "lkstack.yaml"), yamlStream(objects), { mode: 0o644 });
  const secretDir = join(out, "secret");
  mkdirSync(secretDir, { recursive: true, mode: 0o700 });
  const secrets = k8sSecrets(cfg, secretsFromEnv(env).secrets);
  writeFileSync(join(secretDir, "manifests-secrets.yaml"), yamlStream(secrets), { mode: 0o600 });
  return { files: ["manifests/lkstack.yaml", "secret/manifests-secrets.yaml"], objects: objects.length + secrets.length };
}
