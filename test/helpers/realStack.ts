import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { layoutUnder, type FileLayout, type StackConfig, type StackSecrets } from "../../schema";
import { mountPath, renderStack, type Service } from "../../templates";

/**
 * Writes a service's rendered files where its layout (rooted at `dir`) says they live, secret files
 * with 0600, exactly as a container would see them. Returns the layout and the secret env.
 */
export function materialize(
  cfg: StackConfig,
  secrets: StackSecrets,
  dir: string,
  service: Service,
): { layout: FileLayout; env: Record<string, string> } {
  const layout = layoutUnder(dir);
  const r = renderStack(cfg, secrets, layout)[service];
  if (!r) throw new Error(`${service} is disabled in this config`);
  const place = (path: string, body: string, mode: number) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body, { mode });
  };
  for (const [name, body] of Object.entries(r.publicFiles)) {
    const path = mountPath(layout, name);
    if (path) place(path, body, 0o644);
  }
  for (const [name, body] of Object.entries(r.secretFiles)) {
    const path = mountPath(layout, name);
    if (path) place(path, body, 0o600);
  }
  mkdirSync(layout.valkey.dataDir, { recursive: true });
  mkdirSync(dirname(layout.turn.pidFile), { recursive: true });
  return { layout, env: r.secretEnv };
}
