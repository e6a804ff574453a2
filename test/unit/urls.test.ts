import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { main, type Io } from "../../cli/main";
import { cameraSourceUrl, parseStackConfig } from "../../schema";
import { renderStack } from "../../templates";
import { minimal, PROJECT_DIR, TEST_SECRETS } from "../helpers/fixtures";

const CAM = "550e8400-e29b-41d4-a716-446655440000";
const withCamera = (rtsp: string, extra: Record<string, unknown> = {}) => minimal("kubernetes", { cameras: [{ id: CAM, rtsp, ...extra }] });
const webhook = (url: string) => minimal("kubernetes", { webhook: { urls: [url] } });

describe("camera URLs are checked as MediaMTX reads them", () => {
  it.each([
    ["RTSP://10.0.0.5/stream", /lkstack:cameras\[0\]\.rtsp: the scheme "RTSP" is not lower case[^\n]*\n\s+fix: write rtsp:\/\//],
    ["rtsp:///stream", /lkstack:cameras\[0\]\.rtsp: the URL has no host/],
    ["rtsp://10.0.0.5/stream#main", /lkstack:cameras\[0\]\.rtsp: the URL has a fragment/],
    [
      "rtsp://admin:hunter2@10.1.1.1/a",
      /lkstack:cameras\[0\]\.rtsp: the URL embeds credentials.*\n\s+fix: remove them from the URL and set credentials: <name>/,
    ],
    ["rtsp://10.0.0.5/$MTX_QUERY", /substitutes "\$G1" and "\$MTX_QUERY"[^\n]*\n\s+fix: write "\$" as %24/],
    ["rtsp://10.0.0.5/a@b/c", /reads an "@" after the host as the end of credentials/],
    ["rtsp://10.0.0.5/a b", /holds a space/],
    ["rtsp://10.0.0.5:0554/a", /port "0554" is not a port number/],
    ["rtsp://[::1%25eth0]/a", /is not a bracketed IPv6 address/],
    ["http://10.0.0.5/a", /not an rtsp:\/\/ or rtsps:\/\/ URL/],
  ])("refuses %s", (url, message) => {
    expect(() => parseStackConfig(withCamera(url))).toThrow(message);
  });

  it.each(["rtsp://10.0.0.5:554/Streaming/Channels/101", "rtsps://cam-3.lan/live?channel=1&subtype=0", "rtsp://[2001:db8::10]/a%20b"])(
    "accepts %s unchanged",
    (url) => {
      expect(parseStackConfig(withCamera(url)).cameras[0].rtsp).toBe(url);
    },
  );

  it("renders credentials percent-encoded, so ':', '@', '/', '%' and '$' in a password stay data", () => {
    expect(cameraSourceUrl("rtsp://10.0.0.5:554/s", { username: "ad:min", password: "p@ss/w%rd$MTX_QUERY ü" })).toBe(
      "rtsp://ad%3Amin:p%40ss%2Fw%25rd%24MTX_QUERY%20%C3%BC@10.0.0.5:554/s",
    );
    const cfg = parseStackConfig(withCamera("rtsp://10.0.0.5/s", { credentials: "lab" }));
    const secrets = { ...TEST_SECRETS, cameraCredentials: { lab: { username: "u", password: "a@b:c" } } };
    const body = parseYaml(renderStack(cfg, secrets).mediamtx?.secretFiles["mediamtx.yml"] ?? "") as {
      paths: Record<string, { source: string }>;
    };
    expect(body.paths[`camera_${CAM}`].source).toBe("rtsp://u:a%40b%3Ac@10.0.0.5/s");
  });
});

describe("a camera that names a missing credential is an error", () => {
  it("the renderer refuses it, naming the camera and the secret object", () => {
    const cfg = parseStackConfig(withCamera("rtsp://10.0.0.5/s", { credentials: "lobby" }));
    expect(() => renderStack(cfg, { ...TEST_SECRETS, cameraCredentials: {} })).toThrow(
      /lkstack:cameras\[0\]\.credentials: names "lobby", which the secret object lkstack:cameraCredentials does not hold\n\s+fix: pulumi config set --secret --path 'cameraCredentials\.lobby\.username'/,
    );
  });

  it("render exits 1 when LKSTACK_CAMERA_CREDENTIALS lacks the name, and marks a placeholder when it is unset", async () => {
    const project = mkdtempSync(join(tmpdir(), "lkstack-creds-"));
    copyFileSync(join(PROJECT_DIR, "Pulumi.dev.yaml"), join(project, "Pulumi.dev.yaml"));
    const stderr: string[] = [];
    const stdout: string[] = [];
    const t = (env: Record<string, string>): Io => ({ out: (s) => stdout.push(s), err: (s) => stderr.push(s), env, cwd: project });
    const out = join(project, "out");
    const env = { LKSTACK_CAMERA_CREDENTIALS: JSON.stringify({ other: { username: "u", password: "p" } }) };
    expect(await main(["render", "--stack", "dev", "--out", out], t(env))).toBe(1);
    expect(stderr.join("\n")).toMatch(
      /lkstack:cameras\[\d+\]\.credentials: names "lab", which the secret object lkstack:cameraCredentials does not hold/,
    );
    expect(await main(["render", "--stack", "dev", "--out", out], t({}))).toBe(0);
    expect(stdout.join("\n")).toMatch(/placeholders .* stand in for: .*LKSTACK_CAMERA_CREDENTIALS/);
    expect(readFileSync(join(out, "secret", "mediamtx.yml"), "utf8")).toContain(
      "rtsp://PLACEHOLDER_set_LKSTACK_CAMERA_CREDENTIALS:PLACEHOLDER_set_LKSTACK_CAMERA_CREDENTIALS@",
    );
  });
});

describe("webhook URLs never carry a credential into livekit.yaml", () => {
  it.each([
    ["https://ops:hunter2@hooks.example.org/livekit", /lkstack:webhook\.urls\[0\]: the URL carries credentials/],
    ["https://hooks.example.org/livekit?token=abc123", /lkstack:webhook\.urls\[0\]: the query parameter "token" looks like a credential/],
    ["https://hooks.example.org/livekit?api_key=1&x=2", /"api_key" looks like a credential/],
    ["HTTPS://hooks.example.org/", /not lower case/],
    ["ftp://hooks.example.org/", /not an http:\/\/ or https:\/\/ URL/],
  ])("refuses %s", (url, message) => {
    expect(() => parseStackConfig(webhook(url))).toThrow(message);
    expect(() => parseStackConfig(webhook(url))).toThrow(/fix: /);
  });

  it("accepts a plain URL and says how a receiver authenticates instead", () => {
    expect(parseStackConfig(webhook("https://hooks.example.org/livekit?room=all")).webhook.urls).toEqual([
      "https://hooks.example.org/livekit?room=all",
    ]);
    expect(() => parseStackConfig(webhook("https://a:b@hooks.example.org/"))).toThrow(/verify LiveKit's signature at the receiver/);
  });

  it("a stack file with a credential-bearing webhook renders nothing", async () => {
    const project = mkdtempSync(join(tmpdir(), "lkstack-hook-"));
    const body =
      readFileSync(join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8") +
      '  lkstack:webhook:\n    urls: ["https://ops:hunter2@hooks.example.org/"]\n';
    writeFileSync(join(project, "Pulumi.dev.yaml"), body);
    const stderr: string[] = [];
    const out = join(project, "out");
    expect(
      await main(["render", "--stack", "dev", "--out", out], { out: () => undefined, err: (s) => stderr.push(s), env: {}, cwd: project }),
    ).toBe(1);
    expect(stderr.join("\n")).toMatch(/lkstack:webhook\.urls\[0\]: the URL carries credentials/);
    expect(stderr.join("\n")).not.toContain("hunter2");
  });
});
