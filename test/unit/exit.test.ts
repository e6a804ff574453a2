import { spawn } from "node:child_process";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { buildSync } from "esbuild";
import { tempDir } from "../helpers/servers";

const BYTES = 8 * 1024 * 1024;

/** Runs a script that writes BYTES to stdout and then exits as `exit` says; returns what a slow reader got. */
async function received(exit: string): Promise<number> {
  const dir = tempDir("lkstack-exit-");
  const entry = join(dir, "entry.ts");
  writeFileSync(
    entry,
    `import { exitWhenFlushed } from ${JSON.stringify(join(__dirname, "..", "..", "cli", "exit"))};\n` +
      `void exitWhenFlushed;\nprocess.stdout.write("x".repeat(${BYTES}));\n${exit};\n`,
  );
  const out = join(dir, "entry.js");
  buildSync({ entryPoints: [entry], bundle: true, platform: "node", outfile: out, logLevel: "warning" });
  const child = spawn(process.execPath, [out], { stdio: ["ignore", "pipe", "inherit"] });
  const closed = new Promise((r) => child.on("close", r));
  let n = 0;
  child.stdout.pause();
  // A reader that starts late, as `| less` or a slow consumer does.
  await new Promise((r) => setTimeout(r, 300));
  child.stdout.on("data", (b: Buffer) => (n += b.length));
  child.stdout.resume();
  await closed;
  return n;
}

describe("stdout is never truncated when piped", () => {
  it("process.exit() right after a large write loses output (the old entry point)", async () => {
    expect(await received("process.exit(0)")).toBeLessThan(BYTES);
  });

  it("exitWhenFlushed delivers every byte to a slow reader", async () => {
    expect(await received("void exitWhenFlushed(0)")).toBe(BYTES);
  });
});
