import {
  CONTAINER_LAYOUT,
  camerasWithIngest,
  SECRET_ENV,
  SERVER_SECRET_ENV,
  secretsFromEnv,
  stackRunsEdge,
  type FileLayout,
  type ServiceRow,
  type StackConfig,
  type StackSecrets,
} from "../schema";
import { renderLivekitConfig, renderLivekitKeyFile, renderLivekitTurnSecretFile } from "./livekit";
import { renderIngressConfig, renderIngressSecretBody } from "./ingress";
import { renderTurnserverAuth, renderTurnserverConf } from "./coturn";
import { renderSentinelAuth, renderSentinelConf, renderValkeyAuth, renderValkeyConf } from "./valkey";
import { checkedEnv } from "./lines";
import { mediamtxSecretParts, renderMediamtxConfig, renderMediamtxSecretBody } from "./mediamtx";
import { desiredIngressFiles } from "./cameras";
import { isChunkFile } from "./chunks";
import { publishedCameraFiles, webhookUrls } from "./publisher";
import { renderCaddyfile } from "./edge";

/** A service's rendered material, by its \`rendered\` key in the service table (schema/services.ts). */
export type Service = ServiceRow["rendered"];

/**
 * One service's rendered material, split by audience: `publicFiles` may go into a ConfigMap, a
 * backup or a PR; `secretFiles` and `secretEnv` only into Secrets (or 0600 files).
 */
export interface RenderedService {
  publicFiles: Record<string, string>;
  secretFiles: Record<string, string>;
  secretEnv: Record<string, string>;
}

export type RenderedStack = Partial<Record<Service, RenderedService>>;

/** The seed's three files plus Valkey and MediaMTX, as they are named on disk and in backups. */
export const FILE_NAMES = {
  livekit: "livekit.yaml",
  livekitKeys: "keys.yaml",
  livekitTurnSecret: "turn-secret",
  ingress: "livekit-ingress.yaml",
  turn: "turnserver.conf",
  turnAuth: "turnserver-auth.conf",
  valkey: "valkey.conf",
  valkeyAuth: "valkey-auth.conf",
  sentinel: "sentinel.conf",
  sentinelAuth: "sentinel-auth.conf",
  mediamtx: "mediamtx.yml",
  /** The reconciler bundle (scripts/bundle.mjs). Its input, the desired ingresses, is chunked: see CHUNK_FILES. */
  reconciler: "reconciler.js",
  /** The Docker target's TLS edge. */
  caddyfile: "Caddyfile",
} as const;

/** Where each rendered file is mounted, per the layout (the Ingress and MediaMTX bodies are Secret-held). */
export function mountPaths(layout: FileLayout): Record<string, string> {
  return {
    [FILE_NAMES.livekit]: layout.sfu.config,
    [FILE_NAMES.livekitKeys]: layout.sfu.keyFile,
    [FILE_NAMES.livekitTurnSecret]: layout.sfu.turnSecretFile,
    [FILE_NAMES.ingress]: layout.ingress.config,
    [FILE_NAMES.turn]: layout.turn.config,
    [FILE_NAMES.turnAuth]: layout.turn.authFragment,
    [FILE_NAMES.valkey]: layout.valkey.config,
    [FILE_NAMES.valkeyAuth]: layout.valkey.authInclude,
    [FILE_NAMES.sentinel]: layout.valkey.sentinelConfig,
    [FILE_NAMES.sentinelAuth]: layout.valkey.sentinelAuth,
    [FILE_NAMES.mediamtx]: layout.mediamtx.config,
    [FILE_NAMES.reconciler]: layout.cameras.code,
    [FILE_NAMES.caddyfile]: layout.edge.config,
  };
}

/** Where one file is mounted: the fixed names above, and chunks in their directory. */
export function mountPath(layout: FileLayout, name: string): string | undefined {
  if (isChunkFile("cameras", name)) return `${layout.cameras.ingressesDir}/${name}`;
  if (isChunkFile("publish", name)) return `${layout.publisher.camerasDir}/${name}`;
  if (isChunkFile("mediamtx", name)) return `${layout.mediamtx.partsDir}/${name}`;
  return mountPaths(layout)[name];
}

/**
 * A service's secret files as both targets deploy them: as rendered, except MediaMTX's body,
 * which goes in parts (mediamtx-000.yml, …), each small enough for its own Secret or Swarm secret.
 */
export function deployedSecretFiles(cfg: StackConfig, service: Service, r: RenderedService): Record<string, string> {
  if (service !== "mediamtx") return r.secretFiles;
  const { [FILE_NAMES.mediamtx]: body, ...rest } = r.secretFiles;
  return { ...rest, ...mediamtxSecretParts(cfg, body ?? "") };
}

function defined(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Renders every enabled service. Pure: same inputs, same bytes. */
export function renderStack(cfg: StackConfig, secrets: StackSecrets, layout: FileLayout = CONTAINER_LAYOUT): RenderedStack {
  const out = renderServices(cfg, secrets, layout);
  // Env reaches env files, Docker's env list and Secrets: one check for all of them.
  for (const [service, r] of Object.entries(out)) if (r) checkedEnv(r.secretEnv, `${service}.env`);
  return out;
}

function renderServices(cfg: StackConfig, secrets: StackSecrets, layout: FileLayout): RenderedStack {
  const out: RenderedStack = {
    sfu: {
      publicFiles: { [FILE_NAMES.livekit]: renderLivekitConfig(cfg, layout) },
      secretFiles: defined({
        [FILE_NAMES.livekitKeys]: renderLivekitKeyFile(secrets),
        [FILE_NAMES.livekitTurnSecret]: cfg.turn.enabled ? renderLivekitTurnSecretFile(secrets) : undefined,
      }),
      secretEnv: defined({
        [SERVER_SECRET_ENV.livekitRedisPassword]: secrets.valkeyPassword,
        [SERVER_SECRET_ENV.livekitSentinelPassword]: cfg.valkey.mode === "sentinel" ? secrets.valkeyPassword : undefined,
        [SERVER_SECRET_ENV.livekitWebhookApiKey]: webhookUrls(cfg).length > 0 ? secrets.apiKeys[0].key : undefined,
        // prometheus.password: with prometheus.username in livekit.yaml, the metrics port asks for basic auth.
        [SERVER_SECRET_ENV.livekitPrometheusPassword]: secrets.metricsPassword,
      }),
    },
    valkey: {
      publicFiles: defined({ [FILE_NAMES.valkey]: renderValkeyConf(cfg, layout), [FILE_NAMES.sentinel]: renderSentinelConf(cfg, layout) }),
      secretFiles: defined({
        [FILE_NAMES.valkeyAuth]: renderValkeyAuth(secrets),
        [FILE_NAMES.sentinelAuth]: renderSentinelAuth(cfg, secrets),
      }),
      // valkey-cli reads it, so probes and the start script never put the password in argv.
      secretEnv: { [SERVER_SECRET_ENV.valkeyCliAuth]: secrets.valkeyPassword },
    },
  };
  if (cfg.ingress.enabled)
    out.ingress = {
      publicFiles: { [FILE_NAMES.ingress]: renderIngressConfig(cfg) },
      secretFiles: { [FILE_NAMES.ingress]: renderIngressSecretBody(cfg, secrets) },
      secretEnv: {
        [SERVER_SECRET_ENV.ingressApiKey]: secrets.apiKeys[0].key,
        [SERVER_SECRET_ENV.ingressApiSecret]: secrets.apiKeys[0].secret,
      },
    };
  if (cfg.turn.enabled)
    out.turn = {
      publicFiles: { [FILE_NAMES.turn]: renderTurnserverConf(cfg, layout) },
      secretFiles: { [FILE_NAMES.turnAuth]: renderTurnserverAuth(secrets) },
      secretEnv: {},
    };
  if (cfg.mediamtx.enabled)
    out.mediamtx = {
      publicFiles: { [FILE_NAMES.mediamtx]: renderMediamtxConfig(cfg) },
      secretFiles: { [FILE_NAMES.mediamtx]: renderMediamtxSecretBody(cfg, secrets) },
      secretEnv: {},
    };
  // Kubernetes publishes the SFU through the cluster's Ingress; only Docker runs its own edge.
  if (cfg.target === "docker" && stackRunsEdge(cfg))
    out.edge = { publicFiles: { [FILE_NAMES.caddyfile]: renderCaddyfile(cfg, layout) }, secretFiles: {}, secretEnv: {} };
  // The camera reconciler runs where there are cameras to turn into ingresses.
  if (cfg.cameras.length > 0 && cfg.ingress.enabled)
    out.cameras = {
      // Only what it acts on: the desired ingresses, computed here (no secret, no other setting).
      publicFiles: desiredIngressFiles(cfg),
      secretFiles: {},
      secretEnv: {
        [SECRET_ENV.apiKey]: secrets.apiKeys[0].key,
        [SECRET_ENV.apiSecret]: secrets.apiKeys[0].secret,
        [SECRET_ENV.mediamtxApiPassword]: secrets.mediamtxApiPassword,
      },
    };
  // The passthrough publisher runs where a camera's own streams become its layers.
  if (camerasWithIngest(cfg.cameras, "passthrough").length > 0 && cfg.mediamtx.enabled)
    out.publisher = {
      publicFiles: publishedCameraFiles(cfg),
      secretFiles: {},
      secretEnv: {
        [SECRET_ENV.apiKey]: secrets.apiKeys[0].key,
        [SECRET_ENV.apiSecret]: secrets.apiKeys[0].secret,
        [SECRET_ENV.mediamtxReadPassword]: secrets.mediamtxReadPassword,
      },
    };
  return out;
}

/**
 * The stack rendered with placeholders for every secret: what the public files, the plan of
 * objects and the names of secret keys come from (none depends on a secret's value). For 5,000
 * cameras a render is about 0.15 s of CPU, so a caller that needs several of these renders once
 * and hands the result on.
 */
export function renderWithoutSecrets(cfg: StackConfig, layout: FileLayout = CONTAINER_LAYOUT): RenderedStack {
  return renderStack(cfg, secretsFromEnv({}, cfg).secrets, layout);
}

/** The public files of a render, all services together. */
export function publicFilesOf(rendered: RenderedStack): Record<string, string> {
  return Object.assign({}, ...Object.values(rendered).map((r) => r?.publicFiles ?? {})) as Record<string, string>;
}

/**
 * Every public file of a stack. Public files hold no secret, so placeholders stand in for the
 * secret inputs and the result is the same whatever the real secrets are.
 */
export function renderPublicFiles(cfg: StackConfig, layout: FileLayout = CONTAINER_LAYOUT): Record<string, string> {
  return publicFilesOf(renderWithoutSecrets(cfg, layout));
}
