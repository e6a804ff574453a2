// Hand-written: write-file-atomic and friends replace one file, not a tree, and none refuses a
// symlinked or foreign target; this is a few fs calls around mkdtemp + rename.
import {
  constants,
  closeSync,
  fchmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

/** A target `lkstack` refuses to write to (a symlink, a foreign non-empty directory, ...). */
export class OutputError extends Error {}

/** One file of a tree: a relative path (with "/"), its content and its exact mode. */
export interface TreeFile {
  path: string;
  content: string | Buffer;
  mode: number;
}

/** Marks a directory `lkstack render` wrote, so a later render may replace it without --force. */
export const RENDER_MARKER = ".lkstack-render";

/** Creates a file that must not exist yet, never through a symlink, with `mode` whatever the umask. */
export function writeNewFile(path: string, content: string | Buffer, mode: number): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    const data = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off, data.length - off);
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

/** What is at `path` now, without following a symlink there. */
function existing(path: string): "none" | "symlink" | "dir" | "file" | "other" {
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return "symlink";
    if (st.isDirectory()) return "dir";
    return st.isFile() ? "file" : "other";
  } catch (e) {
    if (typeof e === "object" && e !== null && "code" in e && e.code === "ENOENT") return "none";
    throw e;
  }
}

/**
 * Checks that `out` may be replaced: absent, an empty directory, or (for a directory) one with
 * `marker` in it, unless `force`. A symlink is always refused, even with --force.
 */
export function checkTarget(out: string, kind: "dir" | "file", force: boolean, ours: (path: string) => boolean): void {
  const what = existing(out);
  if (what === "none") return;
  if (what === "symlink") throw new OutputError(`--out ${out} is a symbolic link; refusing to write through it (fix: name the real path)`);
  if (what !== kind)
    throw new OutputError(`--out ${out} exists and is not a ${kind === "dir" ? "directory" : "file"}; fix: choose another --out`);
  if (force) return;
  if (kind === "dir" && readdirSync(out).length === 0) return;
  if (ours(out)) return;
  throw new OutputError(
    `--out ${out} is not empty and was not written by lkstack; fix: choose an empty or new --out, or pass --force to replace it`,
  );
}

/** A fresh directory next to `out` (same filesystem, so the final rename is atomic). */
function stagingNextTo(out: string): string {
  const parent = dirname(out);
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `.${basename(out)}.lkstack-`));
}

/** Puts `staged` at `out`, moving whatever was there aside first and deleting it afterwards. */
function swapInto(staged: string, out: string): void {
  let old: string | undefined;
  if (existing(out) !== "none") {
    old = `${staged}.old`;
    renameSync(out, old);
  }
  try {
    renameSync(staged, out);
  } catch (e) {
    if (old) renameSync(old, out);
    throw e;
  }
  // rmSync removes symlinks inside the old tree, never what they point to.
  if (old) rmSync(old, { recursive: true, force: true });
}

/**
 * Writes a whole tree into a fresh temporary directory and renames it into place: either the
 * complete new tree is at `out`, or nothing changed there (no stale files, no partial secrets).
 * Directories get `dirModes[path]` (default 0755), files their own mode, regardless of umask.
 */
export function writeTree(
  out: string,
  files: TreeFile[],
  opts: { force: boolean; marker: string; dirModes?: Record<string, number> },
): void {
  checkTarget(out, "dir", opts.force, (p) => existing(join(p, opts.marker)) === "file");
  const staged = stagingNextTo(out);
  try {
    const dirs = new Set<string>();
    for (const f of files) {
      const parts = f.path.split("/");
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
    }
    for (const d of [...dirs].sort()) {
      const mode = opts.dirModes?.[d] ?? 0o755;
      mkdirSync(join(staged, ...d.split("/")), { mode });
    }
    for (const f of files) {
      if (f.path.split("/").some((p) => p === "" || p === "." || p === "..")) throw new Error(`refusing to write a file at "${f.path}"`);
      writeNewFile(join(staged, ...f.path.split("/")), f.content, f.mode);
    }
    writeNewFile(join(staged, opts.marker), "written by lkstack; a later run may replace this directory\n", 0o644);
    // mkdir's mode is masked by the umask: set every directory's mode exactly, deepest first.
    for (const d of [...dirs].sort().reverse()) chmodExact(join(staged, ...d.split("/")), opts.dirModes?.[d] ?? 0o755);
    chmodExact(staged, 0o755);
    swapInto(staged, out);
  } catch (e) {
    rmSync(staged, { recursive: true, force: true });
    throw e;
  }
}

function chmodExact(dir: string, mode: number): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

/**
 * Produces one file through `produce(tmpPath)` in a fresh directory next to `out`, sets its mode
 * and renames it into place. `ours` says whether an existing file may be replaced without --force.
 */
export async function writeFileAtomically(
  out: string,
  mode: number,
  opts: { force: boolean; ours: (path: string) => boolean | Promise<boolean> },
  produce: (tmpPath: string) => Promise<void>,
): Promise<void> {
  const what = existing(out);
  if (what === "file" && !opts.force && !(await opts.ours(out)))
    throw new OutputError(`--out ${out} exists and was not written by lkstack; fix: choose another --out, or pass --force to replace it`);
  checkTarget(out, "file", true, () => true);
  const staged = stagingNextTo(out);
  try {
    const tmp = join(staged, basename(out));
    await produce(tmp);
    if (existing(tmp) !== "file") throw new Error(`${tmp} was not written`);
    const fd = openSync(tmp, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      fchmodSync(fd, mode);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, out);
  } finally {
    rmSync(staged, { recursive: true, force: true });
  }
}
