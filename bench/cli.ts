/**
 * How fast the `lkstack` command starts and how it scales: CPU seconds (user + system, from
 * /usr/bin/time) of `node bin/lkstack.js` for `token`, `capacity` and `doctor --help`, and of
 * `render --manifests` plus `preview` (the program under the mock engine) for 5,000 and 50,000
 * cameras, each with its ratio to the goal. Beside them, `helm template` (helm.sh/helm/v3 from the
 * module proxy, built by scripts/build-go-servers.sh) renders the same objects from a chart's values.
 *
 *   BENCH_CLI_RUNS (3): runs per command; the median is reported.
 *   LIVEKIT_HELM_REPO: a clone (or bare git directory) of github.com/livekit/livekit-helm; when set,
 *     `helm template` of its livekit-server chart is timed too (its files stay outside this repo).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { replicasForRange, TEST_TOOL_VERSIONS, DEFAULT_PORTS, type StackConfigInput } from "../schema";
import { minimal, TEST_SECRETS } from "../test/helpers/fixtures";
import { CACHE_DIR } from "../test/helpers/servers";
import { machine, percentile, writeResults } from "./report";

/** The checkout: this file runs from dist-bench/bench/. */
const PROJECT_DIR = join(__dirname, "..", "..");
const RUNS = Math.max(1, Math.min(10, Number(process.env.BENCH_CLI_RUNS ?? 3)));
const LKSTACK = join(PROJECT_DIR, "bin", "lkstack.js");
const HELM = join(CACHE_DIR, "bin", `helm-${TEST_TOOL_VERSIONS.helm}`);
/** The issue's goals: a command starts in 0.3 s of CPU; 5,000 cameras render and plan in 2 s; 10x cameras cost at most 12x. */
const GOALS = { startCpuSeconds: 0.3, fiveThousandSeconds: 2, growth: 12 };

interface Run {
  cpuSeconds: number;
  wallSeconds: number;
}

/** One child run under /usr/bin/time: its CPU (user + system, children included) and wall seconds. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const out = join(mkdtempSync(join(tmpdir(), "lkstack-time-")), "time");
  const r = spawnSync("/usr/bin/time", ["-o", out, "-f", "%e %U %S", cmd, ...args], { env, encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const [wall, user, sys] = readFileSync(out, "utf8").trim().split("\n").pop()?.split(" ").map(Number) ?? [];
  return { cpuSeconds: user + sys, wallSeconds: wall };
}

/** The median of RUNS runs, by CPU. */
function median(run: () => Run): Run {
  const runs = Array.from({ length: RUNS }, run);
  const cpu = percentile(
    runs.map((r) => r.cpuSeconds),
    50,
  );
  return runs.find((r) => r.cpuSeconds === cpu) ?? runs[0];
}

/** A project directory holding Pulumi.bench.yaml for `cameras` cameras on the Kubernetes target. */
function projectWith(cameras: number): string {
  const dir = mkdtempSync(join(tmpdir(), `lkstack-bench-cli-${cameras}-`));
  const udp = DEFAULT_PORTS.sfu.udp;
  const input: StackConfigInput = minimal("kubernetes", {
    sfu: { replicas: replicasForRange(cameras, 0, udp, "range") },
    cameras: Array.from({ length: cameras }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      rtsp: `rtsp://10.${Math.floor(i / 65000)}.${Math.floor(i / 250) % 256}.${(i % 250) + 1}:554/stream`,
    })),
  } as Partial<StackConfigInput>);
  const config = Object.fromEntries(Object.entries(input).map(([k, v]) => [`lkstack:${k}`, v]));
  writeFileSync(join(dir, "Pulumi.bench.yaml"), stringify({ config }));
  return dir;
}

/**
 * The upstream livekit-server chart from a livekit-helm clone or bare git directory, extracted into
 * a temp dir (nothing of it is kept). Undefined when LIVEKIT_HELM_REPO is not set.
 */
function upstreamChart(): { dir: string; version: string } | undefined {
  const repo = process.env.LIVEKIT_HELM_REPO;
  if (!repo) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "lkstack-bench-upstream-"));
  if (existsSync(join(repo, "livekit-server", "Chart.yaml")))
    cpSync(join(repo, "livekit-server"), join(dir, "livekit-server"), { recursive: true });
  else {
    const tar = execFileSync(
      "git",
      ["--git-dir", existsSync(join(repo, ".git")) ? join(repo, ".git") : repo, "archive", "HEAD", "livekit-server"],
      {
        maxBuffer: 1 << 26,
      },
    );
    execFileSync("tar", ["-x", "-C", dir], { input: tar });
  }
  const chart = join(dir, "livekit-server");
  const version = /^version:\s*(\S+)/m.exec(readFileSync(join(chart, "Chart.yaml"), "utf8"))?.[1] ?? "unknown";
  return { dir: chart, version };
}

/** A chart whose one template writes every object of its values: what `helm template` costs for the same objects. */
function chartFrom(manifests: string): { chart: string; values: string } {
  const dir = mkdtempSync(join(tmpdir(), "lkstack-bench-chart-"));
  mkdirSync(join(dir, "templates"));
  writeFileSync(join(dir, "Chart.yaml"), stringify({ apiVersion: "v2", name: "lkstack-bench", version: "0.1.0" }));
  const objects = parseAllDocuments(manifests).map((d) => d.toJS() as unknown);
  // Outside the chart: helm refuses chart files over 5 MiB, not a values file given with -f.
  writeFileSync(join(dir, "..", `${basename(dir)}-values.json`), JSON.stringify({ objects }));
  writeFileSync(join(dir, "templates", "objects.yaml"), "{{- range .Values.objects }}\n---\n{{ toYaml . }}\n{{- end }}\n");
  return { chart: dir, values: join(dir, "..", `${basename(dir)}-values.json`) };
}

const secretEnv = {
  ...process.env,
  LIVEKIT_API_KEY: TEST_SECRETS.apiKeys[0].key,
  LIVEKIT_API_SECRET: TEST_SECRETS.apiKeys[0].secret,
};

function main(): void {
  if (!existsSync(join(PROJECT_DIR, "dist", "cli", "main.js"))) throw new Error("run `npm run build` first: bin/lkstack.js runs dist/");
  const node = process.execPath;
  const starts = {
    token: median(() =>
      timed(
        node,
        [
          LKSTACK,
          "token",
          "--stack",
          "bench",
          "--room",
          "camera_550e8400-e29b-41d4-a716-446655440000",
          "--identity",
          "bench",
          "--project",
          tmpdir(),
        ],
        secretEnv,
      ),
    ),
    capacity: median(() => timed(node, [LKSTACK, "capacity", "--cameras", "500", "--viewers-per-camera", "10"])),
    doctorHelp: median(() => timed(node, [LKSTACK, "doctor", "--help"])),
  };
  const sizes: Record<number, { render: Run; preview: Run; helm?: Run; objects: number }> = {};
  for (const cameras of [5000, 50000]) {
    const project = projectWith(cameras);
    const out = join(project, "out");
    const render = median(() => {
      rmSync(out, { recursive: true, force: true });
      return timed(node, [LKSTACK, "render", "--stack", "bench", "--project", project, "--out", out, "--manifests"], secretEnv);
    });
    const preview = median(() => timed(node, [LKSTACK, "preview", "--stack", "bench", "--project", project]));
    const manifests = readFileSync(join(out, "manifests", "lkstack.yaml"), "utf8");
    const objects = parseAllDocuments(manifests).length;
    let helm: Run | undefined;
    if (existsSync(HELM)) {
      const { chart, values } = chartFrom(manifests);
      helm = median(() => timed(HELM, ["template", "bench", chart, "-f", values]));
      // The chart's output is the same object count, or the comparison is void.
      const rendered = execFileSync(HELM, ["template", "bench", chart, "-f", values], { encoding: "utf8", maxBuffer: 1 << 28 });
      const count = parseAllDocuments(rendered).filter((d) => d.contents !== null).length;
      if (count !== objects) throw new Error(`helm template wrote ${count} objects, lkstack ${objects}`);
      rmSync(chart, { recursive: true, force: true });
      rmSync(values, { force: true });
    }
    sizes[cameras] = { render, preview, helm, objects };
    rmSync(project, { recursive: true, force: true });
  }
  // The upstream chart renders one livekit-server (no cameras, Ingress, TURN, Valkey or MediaMTX):
  // its time is what `helm template` of LiveKit's own chart costs, the floor of any Helm workflow.
  const upstream = existsSync(HELM) ? upstreamChart() : undefined;
  const upstreamRun = upstream ? median(() => timed(HELM, ["template", "bench", upstream.dir])) : undefined;
  const upstreamObjects = upstream
    ? parseAllDocuments(execFileSync(HELM, ["template", "bench", upstream.dir], { encoding: "utf8" })).filter((d) => d.contents !== null)
        .length
    : 0;
  if (upstream) rmSync(dirname(upstream.dir), { recursive: true, force: true });
  const s = (r: Run) => `${r.cpuSeconds.toFixed(2)} s CPU (${r.wallSeconds.toFixed(2)} s wall)`;
  const vs = (value: number, goal: number) => `${(value / goal).toFixed(2)}x the goal of ${goal}`;
  const both = (c: number) => sizes[c].render.cpuSeconds + sizes[c].preview.cpuSeconds;
  const rows: [string, string][] = [
    ["machine", `${machine()}; ${RUNS} run(s) each, median`],
    ["lkstack token: start-up CPU", `${s(starts.token)}: ${vs(starts.token.cpuSeconds, GOALS.startCpuSeconds)} s`],
    ["lkstack capacity: start-up CPU", `${s(starts.capacity)}: ${vs(starts.capacity.cpuSeconds, GOALS.startCpuSeconds)} s`],
    ["lkstack doctor --help: start-up CPU", `${s(starts.doctorHelp)}: ${vs(starts.doctorHelp.cpuSeconds, GOALS.startCpuSeconds)} s`],
  ];
  for (const c of [5000, 50000]) {
    const f = sizes[c];
    rows.push([`${c} cameras: render --manifests / preview (${f.objects} objects)`, `${s(f.render)} / ${s(f.preview)}`]);
    rows.push([
      `${c} cameras: helm template ${TEST_TOOL_VERSIONS.helm}, same objects from values`,
      f.helm ? `${s(f.helm)}; lkstack render / helm: ${(f.render.cpuSeconds / f.helm.cpuSeconds).toFixed(2)}x` : `skipped: no ${HELM}`,
    ]);
  }
  rows.push([
    "upstream livekit-server chart: helm template",
    upstream && upstreamRun
      ? `chart ${upstream.version}, ${upstreamObjects} objects: ${s(upstreamRun)}; lkstack render of 5000 cameras / it: ${(sizes[5000].render.cpuSeconds / upstreamRun.cpuSeconds).toFixed(2)}x`
      : `skipped: ${existsSync(HELM) ? "LIVEKIT_HELM_REPO is not set" : `no ${HELM}`}`,
  ]);
  rows.push(["5000 cameras: render + preview CPU", `${both(5000).toFixed(2)} s: ${vs(both(5000), GOALS.fiveThousandSeconds)} s`]);
  rows.push([
    "50000 / 5000 cameras: render + preview CPU",
    `x${(both(50000) / both(5000)).toFixed(1)}: ${vs(both(50000) / both(5000), GOALS.growth)}`,
  ]);
  writeResults(
    "cli",
    {
      machine: machine(),
      runs: RUNS,
      goals: GOALS,
      starts,
      sizes,
      helm: TEST_TOOL_VERSIONS.helm,
      upstream: upstream && { ...upstreamRun, chart: upstream.version, objects: upstreamObjects },
    },
    rows,
  );
}

main();
