/**
 * Fits the capacity model's SFU constants to the load bench's results (bench/results/load.json and
 * load-passthrough.json, the steps below the knee) and prints them beside the ones in
 * CAPACITY_MODEL, with each step's measured/model ratio under both. Run after `bench:load` in both
 * ingest modes; copying a fit into schema/capacity.ts is a reviewed change, not automatic.
 *
 * CPU = base + perGbps x egress + perLayer x published layers, fitted by least squares on the
 * relative error (the goal is a ratio: within 15 %); memory above idle = the seed's 10 MB per room
 * + perSubscriber x subscribers, fitted the same way. Our own solver: three unknowns need no library.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CAPACITY_MODEL, DEFAULTS } from "../schema";
import { RESULTS_DIR, writeResults } from "./report";

interface Step {
  rooms: number;
  subscribers: number;
  egressGbps: number;
  serverCores: number;
  serverRssPerRoomBytes: number;
}

interface Observation {
  mode: string;
  step: Step;
  layers: number;
}

function observations(): Observation[] {
  const files = [
    { mode: "transcode", file: "load.json", layersPerRoom: 3 },
    { mode: "passthrough", file: "load-passthrough.json", layersPerRoom: 1 },
  ];
  return files.flatMap(({ mode, file, layersPerRoom }) => {
    const path = join(RESULTS_DIR, file);
    if (!existsSync(path)) return [];
    const r = JSON.parse(readFileSync(path, "utf8")) as { steps: Step[]; knee: number | null };
    return r.steps.filter((_, i) => i !== r.knee).map((step) => ({ mode, step, layers: step.rooms * layersPerRoom }));
  });
}

/** Solves A x = b (A square) by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    const p = m.slice(c).reduce((best, row, i) => (Math.abs(row[c]) > Math.abs(m[best][c]) ? c + i : best), c);
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) x[r] = (m[r][n] - m[r].slice(r + 1, n).reduce((s, v, i) => s + v * x[r + 1 + i], 0)) / m[r][r];
  return x;
}

/** Least squares of relative error: minimise sum((features . x) / y - 1)^2. */
function fitRelative(rows: { features: number[]; y: number }[]): number[] {
  const scaled = rows.map((r) => r.features.map((f) => f / r.y));
  const n = rows[0].features.length;
  const ata = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => scaled.reduce((s, r) => s + r[i] * r[j], 0)));
  const atb = Array.from({ length: n }, (_, i) => scaled.reduce((s, r) => s + r[i], 0));
  return solve(ata, atb);
}

function main(): void {
  const obs = observations();
  if (obs.length < 3) throw new Error("run `npm run bench:load` in both ingest modes first (need 3 steps below the knee)");
  const [base, perGbps, perLayer] = fitRelative(obs.map((o) => ({ features: [1, o.step.egressGbps, o.layers], y: o.step.serverCores })));
  const roomBytes = DEFAULTS.sfuMemoryPerRoomBytes;
  const memory = (o: Observation) => o.step.serverRssPerRoomBytes * o.step.rooms;
  const [perSubscriber] = fitRelative(obs.map((o) => ({ features: [o.step.subscribers], y: memory(o) - o.step.rooms * roomBytes })));
  const m = CAPACITY_MODEL;
  const cpu = (k: { base: number; perGbps: number; perLayer: number }, o: Observation) =>
    k.base + k.perGbps * o.step.egressGbps + k.perLayer * o.layers;
  const mem = (perSub: number, o: Observation) => o.step.rooms * roomBytes + o.step.subscribers * perSub;
  const inCode = { base: m.sfuBaseCoresPerNode, perGbps: m.sfuCoresPerEgressGbps, perLayer: m.sfuCoresPerPublishedLayer };
  const fitted = { base, perGbps, perLayer };
  // measured / model, as bench/load prints it.
  const ratio = (model: number, measured: number) => `${(measured / model).toFixed(2)}x`;
  const rows: [string, string][] = [
    [
      "CPU constants: in CAPACITY_MODEL / fitted",
      `base ${inCode.base} / ${base.toFixed(3)} cores per node; ${inCode.perGbps} / ${perGbps.toFixed(2)} cores per egress Gbps; ${inCode.perLayer} / ${perLayer.toFixed(4)} cores per published layer`,
    ],
    [
      "memory per subscriber: in CAPACITY_MODEL / fitted",
      `${(m.sfuMemoryPerSubscriberBytes / 1024).toFixed(0)} / ${(perSubscriber / 1024).toFixed(0)} KiB`,
    ],
    ...obs.map((o): [string, string] => [
      `${o.mode} ${o.step.rooms} rooms, ${o.step.subscribers} subscribers: measured / model`,
      `CPU ${ratio(cpu(inCode, o), o.step.serverCores)} (fitted ${ratio(cpu(fitted, o), o.step.serverCores)}); memory ${ratio(mem(m.sfuMemoryPerSubscriberBytes, o), memory(o))} (fitted ${ratio(mem(perSubscriber, o), memory(o))})`,
    ]),
  ];
  writeResults("model-fit", { inCode, fitted, perSubscriberBytes: { inCode: m.sfuMemoryPerSubscriberBytes, fitted: perSubscriber } }, rows);
}

main();
