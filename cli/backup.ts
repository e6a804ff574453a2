import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { create, list } from "tar";
import type { StackConfig } from "../schema";
import { renderPublicFiles } from "../templates";
import { writeFileAtomically, writeNewFile } from "./output";

export const BACKUP_ROOT = "lkstack-config-backup";

/** Whether `file` is an archive this command wrote (its entries all sit under BACKUP_ROOT/). */
export async function isBackup(file: string): Promise<boolean> {
  const roots = new Set<string>();
  try {
    await list({ file, onReadEntry: (e) => roots.add(e.path.split("/")[0]) });
  } catch {
    return false;
  }
  return roots.size === 1 && roots.has(BACKUP_ROOT);
}

/**
 * The seed's configuration backup (livekit.yaml, livekit-ingress.yaml, turnserver.conf, plus
 * valkey.conf and mediamtx.yml) with a manifest of versions and digests. Public files only: no
 * secret is rendered into them, so none can land in the archive. Staged in a fresh directory next
 * to `outFile` and renamed into place (mode 0644); an existing file that is not an lkstack backup
 * is refused unless `force`, and a symlink always.
 */
export async function writeBackup(
  cfg: StackConfig,
  stack: string,
  outFile: string,
  now: Date = new Date(),
  opts: { force?: boolean } = {},
): Promise<string[]> {
  const files = renderPublicFiles(cfg);
  const names = Object.keys(files).sort();
  const manifest = {
    stack,
    createdAt: now.toISOString(),
    versions: cfg.versions,
    files: Object.fromEntries(names.map((n) => [n, { sha256: createHash("sha256").update(files[n]).digest("hex") }])),
  };
  await writeFileAtomically(outFile, 0o644, { force: opts.force === true, ours: isBackup }, async (tmp) => {
    const staging = mkdtempSync(join(dirname(tmp), "tree-"));
    try {
      const root = join(staging, BACKUP_ROOT);
      mkdirSync(root);
      chmodSync(root, 0o755);
      for (const name of names) writeNewFile(join(root, name), files[name], 0o644);
      writeNewFile(join(root, "MANIFEST.json"), JSON.stringify(manifest, null, 2) + "\n", 0o644);
      await create({ gzip: true, file: tmp, cwd: staging, portable: true, mtime: now }, [BACKUP_ROOT]);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
  return [...names, "MANIFEST.json"];
}
