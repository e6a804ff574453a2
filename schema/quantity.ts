// Hand-written: npm's quantity parsers ship inside Kubernetes clients (@kubernetes/client-node), too big for schema/ (the policy pack and deployment load it), and Valkey's units are its own.
/** Kubernetes-style CPU and memory quantities, parsed to compare requests, limits and maxmemory. */

export function parseCpu(q: string | number): number | undefined {
  if (typeof q === "number") return q > 0 ? q : undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q);
  if (!m) return undefined;
  const v = Number(m[1]) / (m[2] === "m" ? 1000 : 1);
  return v > 0 ? v : undefined;
}

const K8S_MEMORY_UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

export function parseMemory(q: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) return undefined;
  const v = Number(m[1]) * K8S_MEMORY_UNITS[m[2] ?? ""];
  return v > 0 ? v : undefined;
}

/** Valkey's units: `1k` = 1000, `1kb` = 1024, `1mb` = 1024², `1gb` = 1024³ (case-insensitive). */
const VALKEY_UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  kb: 1024,
  m: 1e6,
  mb: 1024 ** 2,
  g: 1e9,
  gb: 1024 ** 3,
};

export function parseValkeyMemory(q: string): number | undefined {
  const m = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(q);
  if (!m) return undefined;
  const v = Number(m[1]) * VALKEY_UNITS[(m[2] ?? "").toLowerCase()];
  return v > 0 ? v : undefined;
}

/** Docker takes memory in MiB (`memory`) and CPUs as a decimal string (`cpus`). */
export function memoryToMiB(q: string): number {
  const bytes = parseMemory(q);
  if (bytes === undefined) throw new Error(`invalid memory quantity ${q}`);
  return Math.ceil(bytes / 1024 ** 2);
}
