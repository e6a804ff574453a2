// Hand-written: the npm STUN packages (stun, vs-stun) send Binding requests only; none performs a
// TURN Allocate answering the long-term-credential challenge (RFC 5766), which is what doctor checks.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { connect as tlsConnect, rootCertificates, type TLSSocket } from "node:tls";

/** TURN REST API credentials, as LiveKit mints them: `<expiry>:<user>`, HMAC-SHA1 of the secret. */
export function turnRestCredentials(
  secret: string,
  user: string,
  ttlSeconds = 600,
  nowMs = Date.now(),
): { username: string; password: string } {
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${user}`;
  return { username, password: createHmac("sha1", secret).update(username).digest("base64") };
}

const MAGIC = 0x2112a442;
const ATTR = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
  lifetime: 0x000d,
} as const;
const ALLOCATE = 0x0003;
const REFRESH = 0x0004;

function attribute(type: number, value: Buffer): Buffer {
  const pad = (4 - (value.length % 4)) % 4;
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc(pad)]);
}

function message(type: number, attrs: Buffer[], integrityKey?: Buffer): Buffer {
  const id = randomBytes(12);
  const build = (body: Buffer) => {
    const head = Buffer.alloc(20);
    head.writeUInt16BE(type, 0);
    head.writeUInt16BE(body.length, 2);
    head.writeUInt32BE(MAGIC, 4);
    id.copy(head, 8);
    return Buffer.concat([head, body]);
  };
  const body = Buffer.concat(attrs);
  if (!integrityKey) return build(body);
  // MESSAGE-INTEGRITY covers the message with its length already counting the 24-byte attribute.
  const withRoom = build(Buffer.concat([body, Buffer.alloc(24)])).subarray(0, 20 + body.length);
  const mac = createHmac("sha1", integrityKey).update(withRoom).digest();
  return build(Buffer.concat([body, attribute(ATTR.messageIntegrity, mac)]));
}

function parse(buf: Buffer): { type: number; attrs: Map<number, Buffer> } {
  const attrs = new Map<number, Buffer>();
  let off = 20;
  const end = 20 + buf.readUInt16BE(2);
  while (off + 4 <= end) {
    const t = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    attrs.set(t, buf.subarray(off + 4, off + 4 + len));
    off += 4 + len + ((4 - (len % 4)) % 4);
  }
  return { type: buf.readUInt16BE(0), attrs };
}

function xorAddress(v: Buffer): string {
  const port = v.readUInt16BE(2) ^ (MAGIC >>> 16);
  const ip = [0, 1, 2, 3].map((i) => v[4 + i] ^ ((MAGIC >>> (24 - 8 * i)) & 0xff)).join(".");
  return `${ip}:${port}`;
}

export interface AllocationResult {
  ok: boolean;
  relayed?: string;
  error?: string;
}

/** Sends one STUN message and resolves with the answer. */
type Exchange = (msg: Buffer) => Promise<ReturnType<typeof parse>>;

/** Allocate, answer the 401 challenge with the REST credentials, read the relayed address, release it. */
async function allocateWith(exchange: Exchange, username: string, password: string): Promise<AllocationResult> {
  const transport = attribute(ATTR.requestedTransport, Buffer.from([17, 0, 0, 0]));
  const challenge = await exchange(message(ALLOCATE, [transport]));
  const realm = challenge.attrs.get(ATTR.realm);
  const nonce = challenge.attrs.get(ATTR.nonce);
  if (!realm || !nonce) return { ok: false, error: "the server sent no realm/nonce challenge" };
  const key = createHash("md5").update(`${username}:${realm.toString()}:${password}`).digest();
  const auth = [attribute(ATTR.username, Buffer.from(username)), attribute(ATTR.realm, realm), attribute(ATTR.nonce, nonce)];
  const reply = await exchange(message(ALLOCATE, [transport, ...auth], key));
  if (reply.type !== 0x0103) {
    const err = reply.attrs.get(ATTR.errorCode);
    const code = err ? err[2] * 100 + err[3] : 0;
    return { ok: false, error: `allocation refused: ${code} ${err ? err.subarray(4).toString() : ""}`.trim() };
  }
  const relayed = reply.attrs.get(ATTR.xorRelayedAddress);
  const lifetime = Buffer.alloc(4);
  await exchange(message(REFRESH, [attribute(ATTR.lifetime, lifetime), ...auth], key)).catch(() => undefined);
  return { ok: true, relayed: relayed ? xorAddress(relayed) : undefined };
}

/**
 * A real TURN allocation over UDP (RFC 5766 long-term credentials): Allocate, answer the 401
 * challenge with the REST credentials, read the relayed address, then release it.
 */
export async function turnAllocate(
  host: string,
  port: number,
  username: string,
  password: string,
  timeoutMs = 3000,
): Promise<AllocationResult> {
  const sock = createSocket("udp4");
  const exchange: Exchange = (msg) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
      sock.once("message", (buf) => {
        clearTimeout(timer);
        resolve(parse(buf));
      });
      // An unresolvable host or unreachable network arrives as a socket error, not a throw.
      sock.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      sock.send(msg, port, host);
    });
  try {
    return await allocateWith(exchange, username, password);
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  } finally {
    sock.close();
  }
}

/** A TURN/TLS allocation and the certificate the server presented for it. */
export interface TlsAllocationResult extends AllocationResult {
  /** The served leaf's serial number (hex, upper case), when the handshake completed. */
  serial?: string;
}

/**
 * The same allocation over TLS (TURN on 5349, what browsers use behind a 443-only firewall): STUN
 * messages are self-delimiting on a stream (RFC 5389 section 7.2.2). The certificate is verified
 * against the system CAs (plus `ca` when given) and `servername`.
 */
export async function turnAllocateTls(
  host: string,
  port: number,
  servername: string,
  username: string,
  password: string,
  timeoutMs = 3000,
  ca?: string,
): Promise<TlsAllocationResult> {
  let serial: string | undefined;
  let socket: TLSSocket | undefined;
  try {
    const s = await new Promise<TLSSocket>((resolve, reject) => {
      const c = tlsConnect({ host, port, servername, ...(ca ? { ca: [...rootCertificates, ca] } : {}), timeout: timeoutMs }, () =>
        resolve(c),
      );
      c.once("error", reject);
      c.once("timeout", () => reject(new Error(`no TLS handshake with ${host}:${port} within ${timeoutMs} ms`)));
    });
    socket = s;
    serial = s.getPeerCertificate().serialNumber?.toUpperCase();
    let pending = Buffer.alloc(0);
    const exchange: Exchange = (msg) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
        const onData = (chunk: Buffer) => {
          pending = Buffer.concat([pending, chunk]);
          if (pending.length < 20 || pending.length < 20 + pending.readUInt16BE(2)) return;
          const size = 20 + pending.readUInt16BE(2);
          const one = pending.subarray(0, size);
          pending = pending.subarray(size);
          done(undefined, parse(one));
        };
        const onEnd = () => done(new Error("the server closed the TLS connection"));
        const done = (err?: Error, value?: ReturnType<typeof parse>) => {
          clearTimeout(timer);
          s.off("data", onData);
          s.off("error", done);
          s.off("end", onEnd);
          if (err || !value) reject(err ?? new Error("no answer"));
          else resolve(value);
        };
        s.on("data", onData);
        s.once("error", done);
        s.once("end", onEnd);
        s.write(msg);
      });
    return { ...(await allocateWith(exchange, username, password)), serial };
  } catch (e) {
    return { ok: false, serial, error: e instanceof Error ? e.message : String(e) };
  } finally {
    socket?.destroy();
  }
}
