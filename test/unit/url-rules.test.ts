import { apiUrl, cameraSourceUrl, cameraUrlProblem, parseUrl, webhookUrlProblem } from "../../schema";

// schema/urls.ts rule by rule: what each refusal tells the operator, and the nearest URL it lets
// through. (urls.test.ts covers the same rules through a whole stack config and its renders.)

const RTSP = ["rtsp", "rtsps"] as const;

describe("parseUrl: how a URL is split", () => {
  it("scheme, bracket-less host, port and the rest exactly as written", () => {
    expect(parseUrl("rtsp://[2001:db8::10]:8554/a?b=1", RTSP)).toEqual({
      scheme: "rtsp",
      host: "2001:db8::10",
      port: 8554,
      rest: "/a?b=1",
    });
    expect(parseUrl("rtsps://cam.lan?x=1", RTSP)).toEqual({ scheme: "rtsps", host: "cam.lan", port: undefined, rest: "?x=1" });
    expect(parseUrl("rtsp://10.0.0.5", RTSP)).toEqual({ scheme: "rtsp", host: "10.0.0.5", port: undefined, rest: "" });
  });

  it.each([
    ["ftp://cam.lan/a", "not an rtsp:// or rtsps:// URL", "write rtsp:// or rtsps://host[:port]/path"],
    ["rtsp:///a", "the URL has no host", "write scheme://host[:port]/path"],
    [
      "rtsp://cam.lan/a b",
      'the URL holds a space, a control character, a non-ASCII character or one of "<>\\^`{|}',
      "percent-encode it (a space is %20)",
    ],
    ["rtsp://cam.lan/a%zz", 'a "%" is not followed by two hex digits', 'write "%" itself as %25'],
    ["rtsp://cam.lan/a%2", 'a "%" is not followed by two hex digits', 'write "%" itself as %25'],
    [
      "rtsp://cam.lan/a#b",
      "the URL has a fragment (#), which is never sent to the server",
      "drop it, or write # as %23 if it is part of the path",
    ],
    [
      "rtsp://u:p@cam.lan/a",
      "the URL carries credentials (user:password@), which would be stored in plain config",
      "remove them from the URL",
    ],
    ["rtsp://[2001:db8::10/a", '"[2001:db8::10" is not host[:port]', "write host or host:port"],
    ["rtsp://[cam/a", '"[cam" is not a bracketed IPv6 address', "write [2001:db8::10] (no zone)"],
    ["rtsp://[10.0.0.5]/a", '"[10.0.0.5]" is not a bracketed IPv6 address', "write [2001:db8::10] (no zone)"],
    ["rtsp://1.2.3/a", '"1.2.3" is not a host name or address', "use a DNS name (labels of letters, digits, -) or an IP address"],
    ["rtsp://-cam/a", '"-cam" is not a host name or address', "use a DNS name (labels of letters, digits, -) or an IP address"],
    ["rtsp://cam.lan:/a", 'port "" is not a port number', "write a port from 1 to 65535 without leading zeros, or none"],
    ["rtsp://cam.lan:0/a", 'port "0" is not a port number', "write a port from 1 to 65535 without leading zeros, or none"],
    ["rtsp://cam.lan:65536/a", 'port "65536" is not a port number', "write a port from 1 to 65535 without leading zeros, or none"],
    ["rtsp://cam.lan:0554/a", 'port "0554" is not a port number', "write a port from 1 to 65535 without leading zeros, or none"],
  ])("refuses %s", (raw, problem, fix) => {
    expect(parseUrl(raw, RTSP)).toEqual({ problem, fix });
  });

  it.each(["rtsp://cam/a", "rtsp://1cam.lan/a", "rtsp://cam1/a", "rtsp://cam.lan:1/a", "rtsp://cam.lan:65535/a", "rtsp://cam.lan/a%2Fb"])(
    "accepts %s",
    (raw) => {
      expect(parseUrl(raw, RTSP)).toHaveProperty("host");
    },
  );
});

describe("camera and webhook URLs", () => {
  it("a camera URL: credentials go to the secret object; '$' and '@' after the host are MediaMTX's", () => {
    expect(cameraUrlProblem("rtsp://u:p@cam.lan/a")?.fix).toMatch(
      /^remove them from the URL and set credentials: <name> with the secret object/,
    );
    expect(cameraUrlProblem("rtsp://cam.lan/a@b")).toEqual({
      problem:
        'gortsplib (MediaMTX\'s RTSP client) reads an "@" after the host as the end of credentials and rewrites the "%" escapes after it',
      fix: 'write "@" in a path or query as %40',
    });
    expect(cameraUrlProblem("rtsp://cam.lan/a%40b")).toBeUndefined();
  });

  it("camera credentials are encoded byte by byte, hex in upper case; none leaves the URL as it is", () => {
    expect(cameraSourceUrl("rtsp://cam.lan/a", { username: "u", password: "!'()*" })).toBe("rtsp://u:%21%27%28%29%2A@cam.lan/a");
    expect(cameraSourceUrl("rtsp://cam.lan/a", undefined)).toBe("rtsp://cam.lan/a");
    expect(() => cameraSourceUrl("ftp://cam.lan/a", { username: "u", password: "p" })).toThrow(
      "camera URL ftp://cam.lan/a: not an rtsp:// or rtsps:// URL",
    );
  });

  const WEBHOOK_FIX =
    "drop the credential from the URL and verify LiveKit's signature at the receiver (the Authorization header is a JWT signed with the API key; livekit-server-sdk's WebhookReceiver checks it)";
  it("a webhook URL: credentials in the authority or the query are named, with how to authenticate instead", () => {
    expect(webhookUrlProblem("https://a:b@hooks.example.org/")).toEqual({
      problem: "the URL carries credentials (user:password@), which would be stored in plain config",
      fix: WEBHOOK_FIX,
    });
    expect(webhookUrlProblem("https://hooks.example.org?Token=1&room=a&sig=2")).toEqual({
      problem: 'the query parameter "Token", "sig" looks like a credential, and livekit.yaml is public',
      fix: WEBHOOK_FIX,
    });
    expect(webhookUrlProblem("ftp://hooks.example.org/")).toEqual({
      problem: "not an http:// or https:// URL",
      fix: "write http:// or https://host[:port]/path",
    });
    expect(webhookUrlProblem("https://hooks.example.org/token?room=a")).toBeUndefined();
    expect(webhookUrlProblem("https://hooks.example.org/")).toBeUndefined();
  });

  it("apiUrl: the server API's http(s):// for a client's ws(s):// URL, anything else unchanged", () => {
    expect(apiUrl("wss://live.example.org")).toBe("https://live.example.org");
    expect(apiUrl("ws://127.0.0.1:7880")).toBe("http://127.0.0.1:7880");
    expect(apiUrl("https://live.example.org/ws://x")).toBe("https://live.example.org/ws://x");
  });
});
