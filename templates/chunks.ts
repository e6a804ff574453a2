/**
 * Size limits on one stored object, and the chunking that keeps every object under them whatever
 * the number of cameras.
 */

/** What each platform accepts in one object's data (bytes). */
export const OBJECT_LIMITS = {
  /** Kubernetes: a ConfigMap's or Secret's data (and etcd's request limit is not far above). */
  kubernetes: 1024 * 1024,
  /** Docker Swarm (swarmkit controlapi): a config's data must be under 1000 KiB… */
  swarmConfig: 1000 * 1024,
  /** …and a secret's under 500 KiB. */
  swarmSecret: 500 * 1024,
} as const;

/**
 * The most one chunk holds, with room for the object around it: public chunks go into ConfigMaps
 * and Swarm configs (800 KiB: a ConfigMap's JSON escapes every quote of its JSON chunks, ~12 % more,
 * and still stays under 1 MiB), secret chunks into Secrets and Swarm secrets (the strictest limit,
 * 500 KiB).
 */
export const CHUNK_BUDGET = { public: 800 * 1024, secret: 450 * 1024 } as const;

export const utf8Bytes = (s: string): number => Buffer.byteLength(s);

/**
 * Packs items in order into as few chunks as fit `budget` bytes each (`fixed` bytes per chunk for
 * its frame). A single item over the budget is an error: no chunking could place it.
 */
export function packInOrder<T>(items: readonly T[], size: (t: T) => number, budget: number, fixed = 0): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let used = fixed;
  for (const item of items) {
    const n = size(item);
    if (fixed + n > budget) throw new Error(`one item of ${n} bytes exceeds the ${budget}-byte chunk budget`);
    // (An empty chunk never overflows: the item alone fits, or it was refused above.)
    if (used + n > budget) {
      out.push(current);
      current = [];
      used = fixed;
    }
    current.push(item);
    used += n;
  }
  // The last chunk: with items it holds at least the last one; without, it is the one empty chunk.
  out.push(current);
  return out;
}

/**
 * Files written in numbered chunks (cameras-000.json, …; mediamtx-000.yml, …): three digits, so
 * name order is chunk order for the reader (and for a shell glob).
 */
export const CHUNK_FILES = {
  /** The desired camera ingresses the reconciler reads. */
  cameras: { prefix: "cameras-", suffix: ".json" },
  /** The passthrough cameras the publisher reads. */
  publish: { prefix: "publish-", suffix: ".json" },
  /** The Secret-held mediamtx.yml in parts, joined before MediaMTX starts. */
  mediamtx: { prefix: "mediamtx-", suffix: ".yml" },
} as const;

export type ChunkedFile = keyof typeof CHUNK_FILES;

export function chunkFileName(kind: ChunkedFile, index: number): string {
  const f = CHUNK_FILES[kind];
  return `${f.prefix}${String(index).padStart(3, "0")}${f.suffix}`;
}

export function isChunkFile(kind: ChunkedFile, name: string): boolean {
  const f = CHUNK_FILES[kind];
  return name.startsWith(f.prefix) && name.endsWith(f.suffix) && /^\d{3,}$/.test(name.slice(f.prefix.length, -f.suffix.length));
}
