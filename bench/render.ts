/**
 * How validation, rendering and the Pulumi program scale with the camera count: 50, 500 and 5,000
 * cameras on the Kubernetes target. Prints milliseconds (median of several runs) and the growth
 * ratio between sizes; a ratio near 10 per 10x cameras is linear.
 */
import * as pulumi from "@pulumi/pulumi";
import { RecordingEngine } from "../cli/engine";
import { reconcilerCode } from "../reconciler/bundle";
import { K8sStack } from "../components/k8s";
import { GeneratedSecrets } from "../components/secrets";
import { parseStackConfig, replicasForRange, type StackConfig } from "../schema";
import { k8sManifests, renderStack } from "../templates";
import { TEST_SECRETS, minimal } from "../test/helpers/fixtures";
import { machine, percentile, writeResults } from "./report";

const SIZES = [50, 500, 5000];
const RUNS = 5;

function configFor(cameras: number): StackConfig {
  const udp = { start: 50000, end: 50500 };
  return parseStackConfig(
    minimal("kubernetes", {
      sfu: { replicas: replicasForRange(cameras, 0, udp, "range"), ports: { udp } },
      cameras: Array.from({ length: cameras }, (_, i) => ({
        id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        rtsp: `rtsp://10.${Math.floor(i / 65000)}.${Math.floor(i / 250) % 256}.${(i % 250) + 1}:554/stream`,
      })),
    }),
  );
}

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return percentile(samples, 50);
}

async function programUnderMocks(cfg: StackConfig): Promise<number> {
  const engine = new RecordingEngine();
  await engine.install("bench");
  await engine.run(async () => {
    const secrets = new GeneratedSecrets("lkstack-secrets", { rotation: cfg.rotation, cameraCredentials: pulumi.output({}) });
    new K8sStack("lkstack", { config: cfg, secrets: secrets.secrets });
  });
  return engine.resources.length;
}

async function main(): Promise<void> {
  const rows: [string, string][] = [["machine", machine()]];
  const figures: Record<string, { validateMs: number; renderMs: number; programMs: number; resources: number }> = {};
  for (const n of SIZES) {
    const raw = configFor(n);
    const validateMs = await time(() => configFor(n));
    const renderMs = await time(() => {
      renderStack(raw, TEST_SECRETS);
      k8sManifests(raw, reconcilerCode());
    });
    let resources = 0;
    const programMs = await time(async () => {
      resources = await programUnderMocks(raw);
    });
    figures[n] = { validateMs, renderMs, programMs, resources };
  }
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(1) : "n/a");
  for (const [i, n] of SIZES.entries()) {
    const f = figures[n];
    const prev = i > 0 ? figures[SIZES[i - 1]] : undefined;
    const growth = prev
      ? ` (x${ratio(f.validateMs, prev.validateMs)}, x${ratio(f.renderMs, prev.renderMs)}, x${ratio(f.programMs, prev.programMs)})`
      : "";
    rows.push([
      `${n} cameras: validate / render / program under mocks`,
      `${f.validateMs.toFixed(1)} / ${f.renderMs.toFixed(1)} / ${f.programMs.toFixed(1)} ms${growth}, ${f.resources} resources`,
    ]);
  }
  writeResults("render", { machine: machine(), runs: RUNS, sizes: figures }, rows);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/render failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
