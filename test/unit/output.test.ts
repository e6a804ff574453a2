import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../../cli/main";
import { RENDER_MARKER, writeTree } from "../../cli/output";
import { PROJECT_DIR } from "../helpers/fixtures";

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (s) => stdout.push(s), err: (s) => stderr.push(s), env: {}, cwd: PROJECT_DIR, stdout, stderr };
}

const scratch = () => mkdtempSync(join(tmpdir(), "lkstack-out-"));
const mode = (p: string) => statSync(p).mode & 0o777;

/** Every mode in a rendered tree, by relative path. */
function modes(dir: string, prefix = ""): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out[prefix + name] = mode(p);
    if (lstatSync(p).isDirectory()) Object.assign(out, modes(p, `${prefix}${name}/`));
  }
  return out;
}

describe("render writes its tree safely", () => {
  it("refuses a non-empty --out it did not write, names --force, and leaves it untouched", async () => {
    const out = scratch();
    writeFileSync(join(out, "notes.txt"), "mine");
    const t = io();
    expect(await main(["render", "--stack", "dev", "--out", out], t)).toBe(1);
    expect(t.stderr.join("\n")).toMatch(/--out .* is not empty and was not written by lkstack; .*--force/);
    expect(t.stderr.join("\n")).not.toMatch(/\n\s+at /);
    expect(readdirSync(out)).toEqual(["notes.txt"]);
    expect(await main(["render", "--stack", "dev", "--out", out, "--force"], io())).toBe(0);
    expect(existsSync(join(out, "notes.txt"))).toBe(false);
    expect(existsSync(join(out, "livekit.yaml"))).toBe(true);
  });

  it("replaces its own earlier tree without --force and leaves no stale file", async () => {
    const out = join(scratch(), "prod");
    expect(await main(["render", "--stack", "prod", "--out", out, "--manifests"], io())).toBe(0);
    expect(existsSync(join(out, "manifests", "lkstack.yaml"))).toBe(true);
    expect(existsSync(join(out, RENDER_MARKER))).toBe(true);
    expect(await main(["render", "--stack", "prod", "--out", out], io())).toBe(0);
    expect(existsSync(join(out, "manifests"))).toBe(false);
    expect(existsSync(join(out, "secret", "manifests-secrets.yaml"))).toBe(false);
    // Nothing left beside it: no staging or old tree.
    expect(readdirSync(join(out, ".."))).toEqual(["prod"]);
  });

  it("never writes through a symlink, even with --force", async () => {
    const dir = scratch();
    const target = join(dir, "elsewhere");
    mkdirSync(target);
    const link = join(dir, "out");
    symlinkSync(target, link);
    const t = io();
    expect(await main(["render", "--stack", "dev", "--out", link, "--force"], t)).toBe(1);
    expect(t.stderr.join("\n")).toMatch(/is a symbolic link; refusing to write through it/);
    expect(readdirSync(target)).toEqual([]);
    expect(readlinkSync(link)).toBe(target);
  });

  it.each([0o000, 0o077, 0o022])("sets exact modes under umask %o", async (umask) => {
    const out = join(scratch(), "tree");
    const before = process.umask(umask);
    try {
      expect(await main(["render", "--stack", "dev", "--out", out], io())).toBe(0);
    } finally {
      process.umask(before);
    }
    expect(mode(out)).toBe(0o755);
    for (const [path, m] of Object.entries(modes(out))) {
      if (path === "secret") expect([path, m]).toEqual([path, 0o700]);
      else if (path.startsWith("secret/")) expect([path, m]).toEqual([path, 0o600]);
      else expect([path, m]).toEqual([path, 0o644]);
    }
  });

  it("leaves neither a partial tree nor a staging directory when a write fails midway", () => {
    const parent = scratch();
    const out = join(parent, "out");
    mkdirSync(out);
    writeFileSync(join(out, RENDER_MARKER), "");
    writeFileSync(join(out, "livekit.yaml"), "old");
    const files = [
      { path: "secret/keys.yaml", content: "sEcReT", mode: 0o600 },
      { path: "secret/keys.yaml", content: "again", mode: 0o600 },
    ];
    expect(() => writeTree(out, files, { force: false, marker: RENDER_MARKER })).toThrow(/EEXIST/);
    expect(readdirSync(parent)).toEqual(["out"]);
    expect(readFileSync(join(out, "livekit.yaml"), "utf8")).toBe("old");
  });
});

describe("backup writes its archive safely", () => {
  it("refuses a foreign file and a symlink, replaces its own archive, and sets 0644 under umask 077", async () => {
    const dir = scratch();
    const file = join(dir, "b.tar.gz");
    writeFileSync(file, "precious");
    const t = io();
    expect(await main(["backup", "--stack", "dev", "--out", file], t)).toBe(1);
    expect(t.stderr.join("\n")).toMatch(/exists and was not written by lkstack; .*--force/);
    expect(readFileSync(file, "utf8")).toBe("precious");

    const before = process.umask(0o077);
    try {
      expect(await main(["backup", "--stack", "dev", "--out", file, "--force"], io())).toBe(0);
      expect(await main(["backup", "--stack", "dev", "--out", file], io())).toBe(0);
    } finally {
      process.umask(before);
    }
    expect(mode(file)).toBe(0o644);
    expect(readdirSync(dir)).toEqual(["b.tar.gz"]);

    const link = join(dir, "link.tar.gz");
    symlinkSync(file, link);
    const t2 = io();
    expect(await main(["backup", "--stack", "dev", "--out", link, "--force"], t2)).toBe(1);
    expect(t2.stderr.join("\n")).toMatch(/is a symbolic link/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});
