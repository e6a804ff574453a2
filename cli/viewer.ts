import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { RoomServiceClient } from "livekit-server-sdk";
import type { ApiCredentials } from "./credentials";
import { apiUrl } from "../schema";
import { CAMERA_ROOM, DEFAULT_TTL_SECONDS, mintToken } from "./token";

/** The package root, from src (cli/) or the build (dist/cli/). */
const ROOT = existsSync(join(__dirname, "..", "package.json")) ? join(__dirname, "..") : join(__dirname, "..", "..");

/** The page and its bundle, built from viewer/ by `npm run build` (esbuild), else on first use. */
async function assets(): Promise<{ html: string; js: string }> {
  const html = readFileSync(join(ROOT, "viewer", "index.html"), "utf8");
  const built = join(ROOT, "dist", "viewer", "viewer.js");
  if (existsSync(built)) return { html, js: readFileSync(built, "utf8") };
  const { buildViewer } = (await import(join(ROOT, "scripts", "bundle.mjs"))) as { buildViewer: (out?: string) => Promise<string> };
  return { html, js: await buildViewer() };
}

/** The viewer cannot start (e.g. its port is taken): a one-line message with the fix. */
export class ViewerError extends Error {}

/** Whether a request's Host (and Origin, if any) name this server exactly. */
export function isOwnRequest(host: string | undefined, origin: string | undefined, own: readonly string[]): boolean {
  if (host === undefined || !own.includes(host)) return false;
  return origin === undefined || own.some((o) => origin === `http://${o}`);
}

export interface ViewerOptions {
  port: number;
  /** LiveKit URL the browser connects to (ws:// or wss://). */
  wsUrl: string;
  creds: ApiCredentials;
}

/**
 * Serves the camera grid on 127.0.0.1 with a token endpoint that mints viewer-only tokens
 * (subscribe, never publish) for camera_<uuid> rooms. The API secret stays in this process.
 */
export async function startViewer(opts: ViewerOptions): Promise<{ server: Server; url: string }> {
  const { html, js } = await assets();
  const rooms = new RoomServiceClient(apiUrl(opts.wsUrl), opts.creds.apiKey, opts.creds.apiSecret);
  let viewers = 0;
  /** host:port pairs this server answers as; set once it listens. */
  const ownOrigins: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
      res.end(body);
    };
    // Another site in the viewer's browser (or a DNS-rebound name) must not mint tokens: the Host
    // must be this server, and an Origin, when the browser sends one, this page.
    if (!isOwnRequest(req.headers.host, req.headers.origin, ownOrigins))
      return send(403, "text/plain", "forbidden: not this viewer's own origin");
    void (async () => {
      try {
        if (url.pathname === "/") return send(200, "text/html; charset=utf-8", html);
        if (url.pathname === "/viewer.js") return send(200, "text/javascript; charset=utf-8", js);
        if (url.pathname === "/api/config") return send(200, "application/json", JSON.stringify({ wsUrl: opts.wsUrl }));
        if (url.pathname === "/api/rooms") {
          const list = (await rooms.listRooms()).filter((r) => CAMERA_ROOM.test(r.name)).sort((a, b) => a.name.localeCompare(b.name));
          return send(200, "application/json", JSON.stringify(list.map((r) => ({ name: r.name, publishers: r.numPublishers }))));
        }
        if (url.pathname === "/api/token") {
          const room = url.searchParams.get("room") ?? "";
          if (!CAMERA_ROOM.test(room)) return send(400, "text/plain", "only camera_<uuid> rooms");
          const jwt = await mintToken({
            ...opts.creds,
            room,
            identity: `viewer-${process.pid}-${++viewers}`,
            publish: false,
            ttlSeconds: DEFAULT_TTL_SECONDS,
            anyRoom: false,
          });
          return send(200, "text/plain", jwt);
        }
        send(404, "text/plain", "not found");
      } catch (e) {
        send(502, "text/plain", e instanceof Error ? e.message : String(e));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new ViewerError(
          e.code === "EADDRINUSE"
            ? `port ${opts.port} on 127.0.0.1 is already in use; fix: pass another --port, or --port 0 for any free one`
            : `cannot listen on 127.0.0.1:${opts.port} (${e.code ?? e.message}); fix: pass another --port`,
        ),
      ),
    );
    server.listen(opts.port, "127.0.0.1", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  ownOrigins.push(`127.0.0.1:${port}`, `localhost:${port}`);
  return { server, url: `http://127.0.0.1:${port}/` };
}
