import { CONTAINER_LAYOUT, secretsFromEnv, type StackConfig, type StackSecrets } from "../schema";
import { reconcilerCode } from "../reconciler/bundle";
import {
  defaultSecretNames,
  envFile,
  k8sManifests,
  k8sObjectList,
  k8sSecrets,
  renderStack,
  toYaml,
  workloadInputs,
  type K8sObject,
  type RenderedStack,
} from "../templates";
import { RENDER_MARKER, writeTree, type TreeFile } from "./output";

export interface WrittenTree {
  publicFiles: string[];
  secretFiles: string[];
}

const PUBLIC_MODE = 0o644;
const SECRET_MODE = 0o600;
const SECRET_DIR = "secret";

/** Public files flat at the top; secret parts under `secret/` (0700 dir, 0600 files). */
export function renderedTree(rendered: RenderedStack): { files: TreeFile[]; written: WrittenTree } {
  const files: TreeFile[] = [];
  const written: WrittenTree = { publicFiles: [], secretFiles: [] };
  for (const [service, r] of Object.entries(rendered)) {
    if (!r) continue;
    for (const [name, content] of Object.entries(r.publicFiles)) {
      files.push({ path: name, content, mode: PUBLIC_MODE });
      written.publicFiles.push(name);
    }
    for (const [name, content] of Object.entries(r.secretFiles)) {
      files.push({ path: `${SECRET_DIR}/${name}`, content, mode: SECRET_MODE });
      written.secretFiles.push(`${SECRET_DIR}/${name}`);
    }
    const env = Object.entries(r.secretEnv);
    if (env.length > 0) {
      const path = `${SECRET_DIR}/${service}.env`;
      files.push({ path, content: envFile(r.secretEnv, `${service}.env`), mode: SECRET_MODE });
      written.secretFiles.push(path);
    }
  }
  return { files, written };
}

function yamlStream(objects: K8sObject[]): string {
  return objects.map((o) => "---\n" + toYaml(o)).join("");
}

/**
 * The Kubernetes objects the Pulumi program creates, as YAML: public ones in
 * `manifests/lkstack.yaml`, the Secrets in `secret/manifests-secrets.yaml` (0600). Offline,
 * Secrets carry stand-in names (`lkstack-<service>-secret`); under Pulumi they are auto-named.
 */
export function manifestFiles(
  cfg: StackConfig,
  stackSecrets: StackSecrets,
  /** The stack rendered with `stackSecrets` (the files beside the manifests), reused for the Secrets. */
  rendered: RenderedStack = renderStack(cfg, stackSecrets),
): { files: TreeFile[]; objects: number } {
  // One render serves all: the objects take only its public files (the same bytes whatever the
  // secrets) and the names of its secret keys; the Secrets take the values.
  const names = defaultSecretNames();
  const objects = k8sObjectList(k8sManifests(cfg, reconcilerCode(), names, workloadInputs(cfg, names, rendered)));
  const secrets = k8sSecrets(cfg, stackSecrets, names, rendered);
  return {
    files: [
      { path: "manifests/lkstack.yaml", content: yamlStream(objects), mode: PUBLIC_MODE },
      { path: `${SECRET_DIR}/manifests-secrets.yaml`, content: yamlStream(secrets), mode: SECRET_MODE },
    ],
    objects: objects.length + secrets.length,
  };
}

export interface RenderResult extends WrittenTree {
  placeholders: string[];
  manifests?: { files: string[]; objects: number };
}

/**
 * Renders the stack (and, with `manifests`, its Kubernetes objects) into a fresh temporary
 * directory next to `out` and renames it into place (see cli/output.ts): `out` holds either the
 * complete new tree or what it held before. A non-empty `out` that an earlier render did not
 * write is refused unless `force`.
 */
export function renderToDirectory(
  cfg: StackConfig,
  out: string,
  env: Record<string, string | undefined>,
  opts: { manifests?: boolean; force?: boolean } = {},
): RenderResult {
  const { secrets, placeholders } = secretsFromEnv(env, cfg);
  const rendered = renderStack(cfg, secrets, CONTAINER_LAYOUT);
  const { files, written } = renderedTree(rendered);
  const result: RenderResult = { ...written, placeholders };
  if (opts.manifests) {
    const m = manifestFiles(cfg, secrets, rendered);
    files.push(...m.files);
    result.manifests = { files: m.files.map((f) => f.path), objects: m.objects };
  }
  writeTree(out, files, { force: opts.force === true, marker: RENDER_MARKER, dirModes: { [SECRET_DIR]: 0o700 } });
  return result;
}
