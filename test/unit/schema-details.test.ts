import {
  CONTAINER_LAYOUT,
  ConfigError,
  SECRET_CONFIG_KEYS,
  STACK_KEYS,
  cameraOrigin,
  cameraStreamUrl,
  layoutUnder,
  structuredConfigFrom,
} from "../../schema";

// Details of schema/ that the stack tests reach only in passing.

describe("the file layout rooted elsewhere (conformance tests and `lkstack render` use it)", () => {
  it("every path of every service moves under the directory, a trailing slash or not", () => {
    for (const dir of ["/tmp/lk", "/tmp/lk/"]) {
      const moved = layoutUnder(dir);
      expect(Object.keys(moved).sort()).toEqual(Object.keys(CONTAINER_LAYOUT).sort());
      for (const [service, paths] of Object.entries(CONTAINER_LAYOUT))
        expect(moved[service as keyof typeof CONTAINER_LAYOUT]).toEqual(
          Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, `/tmp/lk${String(p)}`])),
        );
    }
  });
});

describe("a camera's address and its streams' URLs", () => {
  it("the address is the scheme, host and port, without path, query or fragment", () => {
    expect(cameraOrigin("rtsp://10.0.0.1:554")).toBe("rtsp://10.0.0.1:554");
    expect(cameraOrigin("rtsp://10.0.0.1:554/Streaming/Channels/101")).toBe("rtsp://10.0.0.1:554");
    expect(cameraOrigin("rtsp://cam.example.org?profile=1")).toBe("rtsp://cam.example.org");
    expect(cameraOrigin("rtsps://[2001:db8::7]:322/a")).toBe("rtsps://[2001:db8::7]:322");
  });

  it("a stream's URL is the camera's address with the stream's own path", () => {
    expect(cameraStreamUrl("rtsp://10.0.0.1:554/main", "/Streaming/Channels/102")).toBe("rtsp://10.0.0.1:554/Streaming/Channels/102");
  });
});

describe("a stack file's config map, split before validation", () => {
  /** The one problem structuredConfigFrom refuses `config` with, as "path: problem / fix". */
  function refused(config: Record<string, unknown>): { path: string; problem: string; fix: string }[] {
    try {
      structuredConfigFrom(config);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map((p) => ({ path: p.path.join("."), problem: p.problem, fix: p.fix }));
      throw e;
    }
    return [];
  }

  it("a secret key holding plaintext is refused, naming each plaintext path; names, empty values and secure values pass", () => {
    expect(
      refused({
        "lkstack:cameraCredentials": { lab: { username: "u", password: "p" }, gate: { username: "u", password: "" }, hall: null },
        "lkstack:apiKeys": [
          { key: "APIid", secret: { secure: "AAAA" } },
          { key: "APIother", secret: "plain" },
        ],
      }),
    ).toEqual([
      {
        path: "cameraCredentials",
        problem: "holds plaintext at cameraCredentials.lab.password",
        fix: "store it with pulumi config set --secret --path 'cameraCredentials.lab.password' …",
      },
      {
        path: "apiKeys",
        problem: "holds plaintext at apiKeys[1].secret",
        fix: "store it with pulumi config set --secret --path 'apiKeys[1].secret' …",
      },
    ]);
    // A name is only a name when it is text.
    expect(refused({ "lkstack:cameraCredentials": { lab: { username: { hidden: "x" }, password: { secure: "AAAA" } } } })).toEqual([
      expect.objectContaining({ problem: "holds plaintext at cameraCredentials.lab.username.hidden" }),
    ]);
  });

  it("an unknown lkstack: key lists the keys there are; a secure value in a plain setting is refused", () => {
    expect(refused({ "lkstack:sfuu": {} })).toEqual([
      { path: "sfuu", problem: "unknown stack config key", fix: `use one of ${[...STACK_KEYS, ...SECRET_CONFIG_KEYS].join(", ")}` },
    ]);
    expect(refused({ "lkstack:sfu": { replicas: { secure: "AAAA" } } })).toEqual([
      {
        path: "sfu",
        problem: "a secret value inside a structured setting",
        fix: "secrets belong in lkstack:cameraCredentials or generated secrets, never in this key",
      },
    ]);
    expect(structuredConfigFrom({ "kubernetes:context": "prod", "lkstack:target": "docker" })).toEqual({ target: "docker" });
  });
});
