// Regenerates the README's generated blocks from what the project itself printed or declares, so no
// figure or server list in them is typed by hand:
//   <!-- generated: bench/results/NAME.md -->  the table the bench wrote (npm run bench)
//   <!-- generated: conformance servers -->    per conformance and engine suite, the binaries it
//                                              starts (its requireBinaries(...) call)
//   <!-- generated: mutation summary|files|runs|undetected -->  the mutation tables, from
//                                              test/mutation/results.json and undetected.json
// `node scripts/readme-sections.mjs` rewrites README.md; `--check` exits 1 naming each stale block
// (test/unit/readme.test.ts runs it).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import { mutationTables } from "./mutation-tables.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const README = join(ROOT, "README.md");
const BLOCK = /(<!-- generated: (.+?) -->\n)([\s\S]*?)(<!-- end generated -->)/g;

/** What each BINARIES key of test/helpers/servers.ts is, for a reader. */
const SERVER_NAMES = {
  livekitServer: "livekit-server",
  redisServer: "redis-server (Valkey's stand-in)",
  turnserver: "coturn",
  turnutilsUclient: "coturn's turnutils_uclient",
  turnutilsPeer: "coturn's turnutils_peer",
  chromium: "Chromium",
  mediamtx: "MediaMTX",
  ingress: "LiveKit Ingress",
  actionlint: "actionlint",
  python3: "the test RTSP camera (Python, GStreamer)",
  rtspServerTypelib: "GStreamer RTSP server",
  unshare: "unshare (network namespaces)",
  caddy: "Caddy (the TLS edge)",
  openssl: "openssl (the test CA)",
  publisher: "lkstack-publisher (ours, publisher/)",
  pulumi: "the Pulumi CLI",
  pulumiKubernetes: "the Pulumi kubernetes provider",
  kubeApiserver: "kube-apiserver",
  kubeControllerManager: "kube-controller-manager",
  etcd: "etcd",
  engineCrds: "(the published cert-manager and Prometheus Operator CRDs)",
};

const names = (list) => [...list.matchAll(/"(\w+)"/g)].map((m) => m[1]);

/** requireBinaries([...]) per conformance and engine suite, with named lists (CAMERA_PATH_BINARIES) resolved. */
function conformanceServers() {
  const named = new Map();
  for (const f of readdirSync(join(ROOT, "test", "helpers")).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(ROOT, "test", "helpers", f), "utf8");
    for (const m of text.matchAll(/export const (\w+)[^=]*=\s*\[([^\]]*)\]/g)) named.set(m[1], names(m[2]));
  }
  const rows = [];
  const suites = ["conformance", "engine"].flatMap((dir) =>
    readdirSync(join(ROOT, "test", dir))
      .filter((f) => f.endsWith(".test.ts"))
      .sort()
      .map((f) => `${dir}/${f}`),
  );
  for (const f of suites) {
    const text = readFileSync(join(ROOT, "test", f), "utf8");
    const bins = new Set();
    for (const m of text.matchAll(/requireBinaries\(\s*(\[[^\]]*\]|\w+)\s*\)/g)) {
      const list = m[1].startsWith("[") ? names(m[1]) : named.get(m[1]);
      if (!list) throw new Error(`${f}: requireBinaries(${m[1]}) names a list this script cannot find`);
      for (const b of list) bins.add(b);
    }
    const servers = [...bins].map((b) => {
      if (!(b in SERVER_NAMES)) throw new Error(`${f}: add ${b} to SERVER_NAMES in scripts/readme-sections.mjs`);
      return SERVER_NAMES[b];
    });
    rows.push(`| \`${f}\` | ${servers.length > 0 ? servers.join(", ") : "none (no server process)"} |`);
  }
  return ["| suite (`test/`) | real binaries it starts (its `requireBinaries`) |", "| --- | --- |", ...rows].join("\n") + "\n";
}

let mutation;
const MUTATION_BLOCKS = {
  "mutation summary": "summary",
  "mutation files": "perFile",
  "mutation runs": "runs",
  "mutation undetected": "why",
};

function source(name) {
  if (name === "conformance servers") return conformanceServers();
  if (name in MUTATION_BLOCKS) {
    mutation ??= mutationTables(ROOT);
    return mutation[MUTATION_BLOCKS[name]] + "\n";
  }
  const m = /^bench\/results\/(\w+)\.md$/.exec(name);
  if (m) return readFileSync(join(ROOT, "bench", "results", `${m[1]}.md`), "utf8");
  throw new Error(`README.md: unknown generated block "${name}"`);
}

const format = async (md) => prettier.format(md, { ...(await prettier.resolveConfig(README)), parser: "markdown" });

const readme = readFileSync(README, "utf8");
const stale = [];
let out = "";
let last = 0;
for (const m of readme.matchAll(BLOCK)) {
  // A blank line on each side of the table, as Prettier keeps Markdown.
  let text;
  try {
    text = source(m[2]);
  } catch (e) {
    // A generated block that cannot be built (an unexplained mutant, an unknown block) is the
    // operator's to fix: its message, not a stack trace.
    process.stderr.write(`README.md, block "${m[2]}": ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const body = `\n${await format(text)}\n`;
  if (body !== m[3]) stale.push(m[2]);
  out += readme.slice(last, m.index) + m[1] + body + m[4];
  last = m.index + m[0].length;
}
out += readme.slice(last);

if (process.argv.includes("--check")) {
  if (stale.length > 0) {
    process.stderr.write(`README.md: generated blocks out of date: ${stale.join(", ")}; fix: node scripts/readme-sections.mjs\n`);
    process.exit(1);
  }
} else {
  writeFileSync(README, out);
  process.stdout.write(`README.md: ${stale.length > 0 ? `regenerated ${stale.join(", ")}` : "up to date"}\n`);
}
