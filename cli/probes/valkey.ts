import Redis from "ioredis";

/** What a PING got: PONG, the server's refusal (a reply error), or no conversation at all (thrown). */
export type PingResult = { ok: true } | { ok: false; refusal: string };

/**
 * PING over one fresh connection, after AUTH when a password is given. A connection that fails
 * throws; a server that answers with an error (NOAUTH, WRONGPASS) is a refusal.
 */
export async function valkeyPing(host: string, port: number, password: string | undefined, timeoutMs: number): Promise<PingResult> {
  const client = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // One attempt, no queue, and RESP2 with no INFO or HELLO before our AUTH (both fail before it):
    // the same conversation as redis-cli -a.
    protocol: 2,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
  });
  // connect() rejects with "Connection is closed."; the socket's own error (ECONNREFUSED ...)
  // arrives as an event, and is the one worth showing.
  let socketError: Error | undefined;
  client.on("error", (e: Error) => (socketError ??= e));
  try {
    await client.connect();
    if (password) await client.auth(password);
    return (await client.ping()) === "PONG" ? { ok: true } : { ok: false, refusal: "no PONG" };
  } catch (e) {
    if (e instanceof Error && e.name === "ReplyError") return { ok: false, refusal: e.message };
    throw socketError ?? e;
  } finally {
    client.disconnect();
  }
}
