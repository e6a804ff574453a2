import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { list } from "tar";
import { gunzipSync } from "node:zlib";
import { main, type Io } from "../../cli/main";
import { PROJECT_DIR, TEST_SECRETS } from "../helpers/fixtures";

function io(env: Record<string, string> = {}, cwd = PROJECT_DIR): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (s) => stdout.push(s), err: (s) => stderr.push(s), env, cwd, stdout, stderr };
}

const SECRET_ENV = {
  LIVEKIT_API_KEY: TEST_SECRETS.apiKeys[0].key,
  LIVEKIT_API_SECRET: TEST_SECRETS.apiKeys[0].secret,
  TURN_SECRET: TEST_SECRETS.turnSecrets[0],
  VALKEY_PASSWORD: TEST_SECRETS.valkeyPassword,
  MEDIAMTX_API_PASSWORD: TEST_SECRETS.mediamtxApiPassword,
  LKSTACK_CAMERA_CREDENTIALS: JSON.stringify(TEST_SECRETS.cameraCredentials),
};

describe("lkstack render", () => {
  it("writes the five public files and 0600 secret parts, and prints a secret-free summary", async () => {
    const out = mkdtempSync(join(tmpdir(), "lkstack-cli-"));
    const t = io(SECRET_ENV);
    expect(await main(["render", "--stack", "dev", "--out", out], t)).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      ".lkstack-render",
      "cameras-000.json",
      "livekit-ingress.yaml",
      "livekit.yaml",
      "mediamtx.yml",
      "publish-000.json",
      "secret",
      "turnserver.conf",
      "valkey.conf",
    ]);
    expect(statSync(join(out, "secret")).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(join(out, "secret"))) expect(statSync(join(out, "secret", f)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, "secret", "turnserver-auth.conf"), "utf8")).toBe(`static-auth-secret=${TEST_SECRETS.turnSecrets[0]}\n`);
    const printed = t.stdout.join("\n");
    expect(printed).toMatch(/per-node participants: 22 planned of 250/);
    expect(printed).toMatch(/sfu: 1 replica\(s\); http 7880\/tcp, ice 7881\/tcp, metrics 7882\/tcp, media 50000-50500\/udp/);
    for (const v of Object.values(SECRET_ENV)) expect(printed).not.toContain(v);
  });

  it("marks missing secrets as placeholders and says which", async () => {
    const out = mkdtempSync(join(tmpdir(), "lkstack-cli-"));
    const t = io();
    expect(await main(["render", "--stack", "dev", "--out", out], t)).toBe(0);
    expect(readFileSync(join(out, "secret", "turn-secret"), "utf8")).toBe("PLACEHOLDER_set_TURN_SECRET");
    expect(t.stdout.join("\n")).toMatch(
      /placeholders .* stand in for: LIVEKIT_API_KEY, LIVEKIT_API_SECRET, TURN_SECRET, VALKEY_PASSWORD, MEDIAMTX_API_PASSWORD/,
    );
  });

  it("exits 1 with the path-named error on bad config and writes nothing", async () => {
    const project = mkdtempSync(join(tmpdir(), "lkstack-bad-"));
    copyFileSync(join(PROJECT_DIR, "Pulumi.dev.yaml"), join(project, "Pulumi.dev.yaml"));
    const body = readFileSync(join(project, "Pulumi.dev.yaml"), "utf8").replace(
      "    replicas: 1\n",
      "    replicas: 1\n    ports:\n      udp: { start: 45000, end: 50500 }\n",
    );
    writeFileSync(join(project, "Pulumi.dev.yaml"), body);
    const out = join(project, "out");
    const t = io({}, project);
    expect(await main(["render", "--stack", "dev", "--out", out], t)).toBe(1);
    expect(t.stderr.join("\n")).toMatch(/lkstack:turn\.ports\.relay: TURN relay range 40000-49999 overlaps the SFU UDP range 45000-50500/);
    expect(() => readdirSync(out)).toThrow();
  });

  it("explains usage errors", async () => {
    const t = io();
    expect(await main(["render", "--stack", "dev"], t)).toBe(1);
    expect(t.stderr.join("\n")).toMatch(/--out is required/);
    expect(await main(["render", "--stack", "nope", "--out", "/tmp/x"], t)).toBe(1);
    expect(t.stderr.join("\n")).toMatch(/no stack file .*Pulumi\.nope\.yaml/);
  });
});

describe("lkstack backup", () => {
  it("archives the public configs with a manifest and no secret, even when secrets are in env", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lkstack-backup-test-"));
    const file = join(dir, "prod.tar.gz");
    const t = io(SECRET_ENV);
    expect(await main(["backup", "--stack", "prod", "--out", file], t)).toBe(0);
    const entries: string[] = [];
    await list({ file, onReadEntry: (e) => entries.push(e.path) });
    expect(entries.sort()).toEqual(
      [
        "lkstack-config-backup/",
        "lkstack-config-backup/MANIFEST.json",
        "lkstack-config-backup/livekit-ingress.yaml",
        "lkstack-config-backup/livekit.yaml",
        "lkstack-config-backup/mediamtx.yml",
        "lkstack-config-backup/publish-000.json",
        "lkstack-config-backup/sentinel.conf",
        "lkstack-config-backup/cameras-000.json",
        "lkstack-config-backup/turnserver.conf",
        "lkstack-config-backup/valkey.conf",
      ].sort(),
    );
    const raw = gunzipSync(readFileSync(file)).toString("latin1");
    for (const v of Object.values(SECRET_ENV)) expect(raw).not.toContain(v);
    expect(raw).toContain('"livekitServer": "v1.13.5"');
  });
});
