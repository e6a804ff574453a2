import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { ConfigError, DEFAULT_PORTS, SECRET_ENV, type ViewingLayer } from "../schema";
import { camerasReconcile, CamerasUsageError } from "./cameras/command";
import { formatPlan, planFor, VIEWING_LAYERS } from "./capacity";
import { loadStackConfig } from "./stackFile";
import { renderToDirectory } from "./render";
import { writeBackup } from "./backup";
import { OutputError } from "./output";
import { summarize } from "./summary";
import { apiCredentials, CredentialsError, secretsFor } from "./credentials";
import { DEFAULT_TTL_SECONDS, mintToken, parseTtl, TokenRequestError } from "./token";
import { deleteRoom, listRooms } from "./rooms";
import { previewProgram, tree, writePreview } from "./preview";
import { doctorTargets, formatChecks, runDoctor } from "./doctor";
import { startViewer } from "./viewer";

/** The Pulumi program next to this CLI (index.ts, or dist/index.js once built). */
const PROGRAM_PATH = join(__dirname, "..", "index");

export const USAGE = `usage: lkstack <command> [options]

commands:
  render --stack STACK --out DIR [--project DIR] [--manifests] [--force]
      validate Pulumi.STACK.yaml and write livekit.yaml, livekit-ingress.yaml, turnserver.conf,
      valkey.conf (+ sentinel.conf) and mediamtx.yml into DIR, secret parts into DIR/secret
      (from env LIVEKIT_API_KEY, LIVEKIT_API_SECRET, TURN_SECRET, VALKEY_PASSWORD,
      MEDIAMTX_API_PASSWORD, LKSTACK_METRICS_PASSWORD, LKSTACK_CAMERA_CREDENTIALS; marked
      placeholders otherwise)
      --manifests (kubernetes target): also every Kubernetes object the Pulumi program creates,
      in DIR/manifests/lkstack.yaml and the Secrets in DIR/secret/manifests-secrets.yaml
      DIR is written whole or not at all; a non-empty DIR that render did not write is refused
      unless --force (a symlink always)
  backup --stack STACK --out FILE.tar.gz [--project DIR] [--force]
      write the configuration backup (public files and a manifest; never secrets); an existing
      FILE that is not an lkstack backup is refused unless --force
  token --stack STACK --room camera_<uuid> --identity NAME [--publish] [--ttl 1h] [--any-room]
      print a room-scoped JWT: subscribe-only unless --publish (then publish-only), 1 h by default;
      API key and secret from env LIVEKIT_API_KEY/LIVEKIT_API_SECRET or the stack's outputs
  preview --stack STACK [--out DIR] [--project DIR]
      run the Pulumi program (index.ts) with the engine mocked and list every resource it would
      create (type, name, parent, the inputs that matter; secrets as [secret]); --out DIR also
      writes them all to DIR/resources.yaml. No Pulumi CLI, backend or cluster needed.
  capacity --cameras N --viewers-per-camera M [--layer high|medium|low|mix] [--stack STACK]
      size SFU, Ingress and coturn from the capacity model (the stack's layers and UDP range if given)
  doctor --stack STACK [--url URL] [--ingress-url URL] [--turn HOST:PORT] [--valkey HOST:PORT]
      the seed's troubleshooting guide as checks (✓/✗, the figure seen, the fix); exit 0 only when
      all pass. TURN_SECRET, VALKEY_PASSWORD and LKSTACK_METRICS_PASSWORD from env, else the
      outputs turnSecret/valkeyPassword/metricsPassword
  viewer --stack STACK [--port 8080] [--url ws://SFU:7880]
      serve a camera grid on 127.0.0.1 (livekit-client, adaptive stream, dynacast, per-tile quality
      and stats) with an endpoint that mints viewer-only tokens for camera_<uuid> rooms
  cameras reconcile --stack STACK --url URL [--watch] [--interval 15s] [--mediamtx-url URL]
                    [--ingress-rtmp-url rtmp://HOST:1935]
      make the server's RTMP ingresses match lkstack:cameras (create missing, delete unlisted,
      re-create drifted, with backoff) and point each camera's MediaMTX path at its ingress.
      MediaMTX API and Ingress RTMP default to the stack's in-cluster addresses (env
      MEDIAMTX_API_URL, LKSTACK_INGRESS_RTMP_URL); MEDIAMTX_API_PASSWORD from env or the stack output
  rooms list --stack STACK [--url URL]
  rooms delete --stack STACK --room NAME [--url URL]
      the seed's ListRooms troubleshooting step (URL from --url or env LIVEKIT_URL)
`;

/** One command's lines of USAGE (`lkstack <command> --help`), or the whole text for an unknown one. */
export function commandUsage(command: string): string {
  const blocks: string[][] = [];
  for (const line of USAGE.split("\n")) {
    if (/^ {2}[a-z]/.test(line)) blocks.push([line]);
    else if (blocks.length > 0 && /^ {3,}/.test(line)) blocks[blocks.length - 1].push(line);
  }
  const mine = blocks.filter((b) => b[0].trimStart().split(" ")[0] === command);
  return mine.length > 0 ? `usage: lkstack ${mine.map((b) => b.join("\n").trimStart()).join("\n  ")}\n` : USAGE;
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s + "\n"),
  err: (s) => process.stderr.write(s + "\n"),
  env: process.env,
  cwd: process.cwd(),
};

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") throw new UsageError(`--${name} is required`);
  return v;
}

class UsageError extends Error {}

/** Runs one CLI invocation; returns the exit code (1: bad config or arguments). */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      const topic = command === "help" ? rest[0] : undefined;
      io.out(topic ? commandUsage(topic) : USAGE);
      return command === undefined ? 1 : 0;
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      io.out(commandUsage(command));
      return 0;
    }
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        stack: { type: "string" },
        out: { type: "string" },
        project: { type: "string" },
        manifests: { type: "boolean" },
        force: { type: "boolean" },
        room: { type: "string" },
        identity: { type: "string" },
        publish: { type: "boolean" },
        ttl: { type: "string" },
        "any-room": { type: "boolean" },
        url: { type: "string" },
        cameras: { type: "string" },
        "viewers-per-camera": { type: "string" },
        layer: { type: "string" },
        "ingress-url": { type: "string" },
        turn: { type: "string" },
        valkey: { type: "string" },
        port: { type: "string" },
        watch: { type: "boolean" },
        interval: { type: "string" },
        "mediamtx-url": { type: "string" },
        "ingress-rtmp-url": { type: "string" },
      },
      allowPositionals: command === "rooms" || command === "cameras",
      strict: true,
    });
    const project = resolve(io.cwd, values.project ?? ".");
    if (command === "capacity") {
      const count = (name: string) => {
        const n = Number(required(values, name));
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number`);
        return n;
      };
      const layer = (values.layer ?? "mix") as ViewingLayer;
      if (!VIEWING_LAYERS.includes(layer)) throw new UsageError(`--layer must be one of ${VIEWING_LAYERS.join(", ")}`);
      const cfg = values.stack ? loadStackConfig(values.stack, project) : undefined;
      const plan = planFor(count("cameras"), count("viewers-per-camera"), layer, cfg);
      for (const line of formatPlan(plan, cfg?.sfu.ports.udp ?? DEFAULT_PORTS.sfu.udp)) io.out(line);
      return 0;
    }
    const stack = required(values, "stack");
    switch (command) {
      case "render": {
        const out = resolve(io.cwd, required(values, "out"));
        const cfg = loadStackConfig(stack, project);
        if (values.manifests && cfg.target !== "kubernetes")
          throw new UsageError(`--manifests needs the kubernetes target; stack ${stack} has lkstack:target ${cfg.target}`);
        const result = renderToDirectory(cfg, out, io.env, { manifests: values.manifests === true, force: values.force === true });
        io.out(summarize(cfg, stack));
        io.out(`wrote ${result.publicFiles.join(", ")} to ${out}`);
        io.out(`wrote ${result.secretFiles.length} secret file(s) to ${out}/secret (mode 0600)`);
        const m = result.manifests;
        if (m) io.out(`wrote ${m.objects} Kubernetes objects to ${m.files.map((f) => `${out}/${f}`).join(" and ")}`);
        if (result.placeholders.length > 0)
          io.out(`placeholders (marked PLACEHOLDER_set_<VAR>) stand in for: ${result.placeholders.join(", ")}`);
        return 0;
      }
      case "backup": {
        const out = resolve(io.cwd, required(values, "out"));
        const cfg = loadStackConfig(stack, project);
        const files = await writeBackup(cfg, stack, out, new Date(), { force: values.force === true });
        io.out(`wrote ${out}: ${files.join(", ")}`);
        return 0;
      }
      case "preview": {
        const cfg = loadStackConfig(stack, project);
        const resources = await previewProgram(stack, project, PROGRAM_PATH);
        io.out(summarize(cfg, stack));
        io.out(`plan: ${resources.length} resources (${resources.filter((r) => r.custom).length} to create, the rest components)`);
        for (const line of tree(resources)) io.out(line);
        if (values.out) io.out(`wrote ${writePreview(resources, resolve(io.cwd, values.out))}`);
        return 0;
      }
      case "doctor": {
        const cfg = loadStackConfig(stack, project);
        // Missing secrets are not fatal here: their rows fail with the fix.
        let env = io.env;
        try {
          const wanted = [
            { env: SECRET_ENV.turnSecret, output: "turnSecret" },
            { env: SECRET_ENV.valkeyPassword, output: "valkeyPassword" },
            { env: SECRET_ENV.metricsPassword, output: "metricsPassword" },
          ];
          env = { ...io.env, ...secretsFor(stack, wanted, io.env, project).values };
        } catch (e) {
          if (!(e instanceof CredentialsError)) throw e;
        }
        const targets = doctorTargets(
          cfg,
          { url: values.url, ingressUrl: values["ingress-url"], turn: values.turn, valkey: values.valkey },
          env,
        );
        const checks = await runDoctor(cfg, targets);
        for (const line of formatChecks(checks)) io.out(line);
        const failed = checks.filter((c) => !c.ok).length;
        io.out(failed === 0 ? `all ${checks.length} checks pass` : `${failed} of ${checks.length} checks fail`);
        return failed === 0 ? 0 : 1;
      }
      case "viewer": {
        const cfg = loadStackConfig(stack, project);
        const creds = apiCredentials(stack, io.env, project);
        const wsUrl = (values.url ?? io.env.LIVEKIT_URL ?? `ws://127.0.0.1:${cfg.sfu.ports.http}`).replace(/^http(s?):\/\//, "ws$1://");
        const port = values.port === undefined ? 8080 : Number(values.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port must be a port number");
        const { url } = await startViewer({ port, wsUrl, creds });
        io.out(`camera grid on ${url} (LiveKit ${wsUrl}, credentials from ${creds.source}); Ctrl-C to stop`);
        await new Promise<never>(() => undefined);
        return 0;
      }
      case "cameras": {
        if (positionals[0] !== "reconcile") throw new UsageError(`cameras needs "reconcile"`);
        return await camerasReconcile(
          {
            stack,
            project,
            url: values.url,
            mediamtxUrl: values["mediamtx-url"],
            ingressRtmpUrl: values["ingress-rtmp-url"],
            watch: values.watch === true,
            intervalMs: values.interval === undefined ? 15_000 : parseTtl(values.interval, "--interval") * 1000,
          },
          io.env,
          io.out,
        );
      }
      case "token": {
        const creds = apiCredentials(stack, io.env, project);
        const jwt = await mintToken({
          ...creds,
          room: required(values, "room"),
          identity: required(values, "identity"),
          publish: values.publish === true,
          ttlSeconds: values.ttl === undefined ? DEFAULT_TTL_SECONDS : parseTtl(values.ttl),
          anyRoom: values["any-room"] === true,
        });
        io.out(jwt);
        return 0;
      }
      case "rooms": {
        const url = values.url ?? io.env.LIVEKIT_URL;
        if (!url) throw new UsageError("--url (or env LIVEKIT_URL) is required, e.g. http://<sfu-node>:7880");
        const creds = apiCredentials(stack, io.env, project);
        const [action] = positionals;
        if (action === "list") {
          for (const line of await listRooms(url, creds)) io.out(line);
          return 0;
        }
        if (action === "delete") {
          const room = required(values, "room");
          await deleteRoom(url, creds, room);
          io.out(`deleted room ${room}`);
          return 0;
        }
        throw new UsageError(`rooms needs "list" or "delete", got ${action === undefined ? "nothing" : `"${action}"`}`);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      return 1;
    }
    if (e instanceof TokenRequestError || e instanceof CredentialsError || e instanceof OutputError) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    if (e instanceof UsageError || e instanceof CamerasUsageError || (e instanceof TypeError && "code" in e)) {
      io.err(`${e.message}\n\n${USAGE}`);
      return 1;
    }
    if (e instanceof Error) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
