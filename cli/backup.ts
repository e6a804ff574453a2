import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { create } from "tar";
import type { StackConfig } from "../schema";
import { renderPublicFiles } from "../templates";

export const BACKUP_ROOT = "lkstack-config-backup";

/**
 * The seed's configuration backup (livekit.yaml, livekit-ingress.yaml, turnserver.conf, plus
 * valkey.conf and mediamtx.yml) with a manifest of versions and digests. Public files only: no
 * secret is rendered into them, so none can land in the archive.
 */
export async function writeBackup(cfg: StackConfig, stack: string, outFile: string, now: Date = new Date()): Promise<string[]> {
  const files = renderPublicFiles(cfg);
  const staging = mkdtempSync(join(tmpdir(), "lkstack-backup-"));
  try {
    const root = join(staging, BACKUP_ROOT);
    mkdirSync(root);
    const names = Object.keys(files).sort();
    for (const name of names) writeFileSync(join(root, name), files[name]);
    const manifest = {
      stack,
      createdAt: now.toISOString(),
      versions: cfg.versions,
      files: Object.fromEntries(names.map((n) => [n, { sha256: createHash("sha256").update(files[n]).digest("hex") }])),
    };
    writeFileSync(join(root, "MANIFEST.json"), JSON.stringify(manifest, null, 2) + "\n");
    mkdirSync(dirname(outFile), { recursive: true });
    await create({ gzip: true, file: outFile, cwd: staging, portable: true, mtime: now }, [BACKUP_ROOT]);
    return [...names, "MANIFEST.json"];
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
