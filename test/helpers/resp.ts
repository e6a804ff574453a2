import { connect } from "node:net";

// Raw RESP on purpose: the tests assert the server's exact replies (-NOAUTH, -WRONGPASS, INFO
// text) as they arrive on the wire, which a client library turns into its own errors and types.
// lkstack itself talks to Valkey through ioredis (cli/probes/valkey.ts).

/**
 * RESP commands over one fresh connection to 127.0.0.1:`port`; returns each raw reply (simple
 * line, error, integer or one bulk string). Gives up after five seconds.
 */
export async function respCommand(port: number, ...commands: string[][]): Promise<string[]> {
  const host = "127.0.0.1";
  const timeoutMs = 5000;
  const encode = (args: string[]) => `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("");
  return new Promise((resolve, reject) => {
    const sock = connect(port, host);
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`no reply from ${host}:${port} within ${timeoutMs} ms`)));
    let buf = "";
    const replies: string[] = [];
    sock.on("data", (d: Buffer) => {
      buf += d.toString();
      for (;;) {
        const m = /^(\+[^\r]*|-[^\r]*|:[^\r]*)\r\n|^\$(-?\d+)\r\n/.exec(buf);
        if (!m) break;
        if (m[1] !== undefined) {
          replies.push(m[1]);
          buf = buf.slice(m[0].length);
        } else {
          const len = Number(m[2]);
          if (len < 0) {
            replies.push("$nil");
            buf = buf.slice(m[0].length);
          } else if (buf.length >= m[0].length + len + 2) {
            replies.push(buf.slice(m[0].length, m[0].length + len));
            buf = buf.slice(m[0].length + len + 2);
          } else break;
        }
        if (replies.length === commands.length) {
          sock.end();
          resolve(replies);
          return;
        }
      }
    });
    sock.on("error", reject);
    sock.write(commands.map(encode).join(""));
  });
}
