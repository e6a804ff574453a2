import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { CONTAINER_LAYOUT, ConfigError, formatConfigPath, parseStackConfig, secretsFromEnv, type StackSecrets } from "../../schema";
import {
  COTURN_MAX_LINE_BYTES,
  ENV_MAX_LINE_BYTES,
  UnsafeLineError,
  checkedEnv,
  renderTurnserverConf,
  renderTurnserverAuth,
  renderValkeyConf,
  renderValkeyAuth,
  renderSentinelConf,
  renderSentinelAuth,
  coturnLines,
  envFile,
  k8sManifests,
  k8sObjectList,
  renderStack,
  valkeyLines,
} from "../../templates";
import { checkProvidedSecrets } from "../../components/stackConfig";
import { TEST_SECRETS, minimal, parse } from "../helpers/fixtures";
import { directives } from "../helpers/keyPaths";
import { RECORD_KEY, baseFor, concrete, configPathOf, hostileFor, stringLeaves, withValue, type Seg } from "../helpers/hostile";

const SECRETS: StackSecrets = {
  ...TEST_SECRETS,
  cameraCredentials: { ...TEST_SECRETS.cameraCredentials, "corridor-a": { username: "viewer", password: "p-0123" } },
};

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split("\n").filter((l) => /^ {2}\S/.test(l));
    throw e;
  }
  return [];
}

describe("a value with a line break can never add a directive", () => {
  it.each([
    ["turn.realm", { realm: "turn.example.test\nallowed-peer-ip=0.0.0.0-255.255.255.255" }],
    ["turn.domain", { domain: "turn.example.test\rstatic-auth-secret=x" }],
    ["turn.realm", { realm: "turn\u2028x" }],
    ["turn.realm", { realm: "turn\u0085x" }],
  ])("%s with a control character is refused with its path", (path, turn) => {
    const lines = problemsOf(() =>
      parse(minimal("docker", { turn: { domain: "turn.example.test", allowedPeers: ["172.30.42.0/24"], ...turn } })),
    );
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^  lkstack:${path.replace(".", "\\.")}: the value contains the control character U\\+`)),
    ]);
  });

  it("keys are checked too (a record key is a value Kubernetes reads)", () => {
    const lines = problemsOf(() => parse(minimal("kubernetes", { kubernetes: { nodeSelector: { "a\nb": "c" } } })));
    expect(lines).toEqual(['  lkstack:kubernetes.nodeSelector."a\\nb": the key contains the control character U+000A']);
  });

  it("names have their real bounds: DNS 253/63, Kubernetes labels 63, uint32 and int32 fields", () => {
    const label = "a".repeat(64);
    expect(
      problemsOf(() => parse(minimal("docker", { turn: { domain: `${label}.example.org`, allowedPeers: ["172.30.42.0/24"] } })))[0],
    ).toMatch(/lkstack:turn\.domain: not a DNS name/);
    const long = Array.from({ length: 5 }, () => "a".repeat(60)).join(".");
    expect(long.length).toBeGreaterThan(253);
    expect(problemsOf(() => parse(minimal("docker", { turn: { domain: long, allowedPeers: ["172.30.42.0/24"] } })))[0]).toMatch(
      /lkstack:turn\.domain/,
    );
    expect(
      parse(minimal("docker", { turn: { domain: `${"a".repeat(63)}.example.org`, allowedPeers: ["172.30.42.0/24"] } })).turn.domain,
    ).toHaveLength(75);
    expect(problemsOf(() => parse(minimal("kubernetes", { kubernetes: { namespace: label } })))[0]).toMatch(
      /lkstack:kubernetes\.namespace/,
    );
    expect(problemsOf(() => parse(minimal("kubernetes", { kubernetes: { nodeSelector: { pool: label } } })))[0]).toMatch(
      /lkstack:kubernetes\.nodeSelector\.pool: not a Kubernetes label value/,
    );
    expect(problemsOf(() => parse(minimal("docker", { rooms: { emptyTimeoutSeconds: 2 ** 32 } })))[0]).toMatch(
      /lkstack:rooms\.emptyTimeoutSeconds/,
    );
    expect(parse(minimal("docker", { rooms: { emptyTimeoutSeconds: 2 ** 32 - 1 } })).rooms.emptyTimeoutSeconds).toBe(4294967295);
    expect(
      problemsOf(() =>
        parse(minimal("docker", { turn: { domain: "t.example", allowedPeers: ["172.30.42.0/24"], quotas: { userQuota: 2 ** 31 } } })),
      )[0],
    ).toMatch(/lkstack:turn\.quotas\.userQuota/);
    expect(
      problemsOf(() =>
        parse(minimal("docker", { turn: { domain: "t.example", allowedPeers: ["172.30.42.0/24"], realm: "r".repeat(128) } })),
      )[0],
    ).toMatch(/lkstack:turn\.realm: longer than coturn's 127-byte realm/);
  });
});

describe("one writer per line format", () => {
  it("coturn: control characters, values coturn would alter and lines over its 1023-byte fgets are refused", () => {
    expect(coturnLines([["realm", "a#b=c"]])).toBe("realm=a#b=c\n");
    expect(() => coturnLines([["realm", "a\nno-multicast-peers"]])).toThrow(UnsafeLineError);
    expect(() => coturnLines([["realm", "=a"]])).toThrow(/would alter/);
    expect(() => coturnLines([["realm", '"a"']])).toThrow(/would alter/);
    expect(() => coturnLines([["realm", "a "]])).toThrow(/would alter/);
    const fits = "x".repeat(COTURN_MAX_LINE_BYTES - "realm=".length);
    expect(coturnLines([["realm", fits]])).toHaveLength(COTURN_MAX_LINE_BYTES + 1);
    expect(() => coturnLines([["realm", fits + "x"]])).toThrow(/1023-byte line; coturn reads 1022 in one piece/);
    expect(() => coturnLines([["realm", "é".repeat(600)]])).toThrow(/byte line/);
  });

  it("valkey: arguments are quoted as sdssplitargs reads them, control characters refused", () => {
    expect(valkeyLines([["save", ""]])).toBe('save ""\n');
    expect(valkeyLines([["bind", "*", "-::*"]])).toBe("bind * -::*\n");
    expect(valkeyLines([["requirepass", 'a b"c\\']])).toBe('requirepass "a b\\"c\\\\"\n');
    expect(() => valkeyLines([["requirepass", "a\nrequirepass x"]])).toThrow(UnsafeLineError);
  });

  it("env files: one line per variable, nothing a reader would strip", () => {
    expect(envFile({ A: "b=c#d" })).toBe("A=b=c#d\n");
    expect(() => envFile({ A: "b\nB=c" })).toThrow(/control character U\+000A/);
    expect(() => envFile({ A: '"b"' })).toThrow(/would alter/);
    expect(() => envFile({ "A B": "c" })).toThrow(/not an environment variable name/);
  });
});

describe("each line writer names the file and the directive it refuses", () => {
  const refusal = (f: () => unknown): UnsafeLineError => {
    try {
      f();
    } catch (e) {
      if (e instanceof UnsafeLineError) return e;
      throw e;
    }
    throw new Error("nothing was refused");
  };

  it("coturn: the file, option names, empty values, inner blanks and the comment header", () => {
    const e = refusal(() => coturnLines([["realm", "a\nx"]], "turnserver-secret.conf"));
    expect(e.name).toBe("UnsafeLineError");
    expect(e.message).toBe("refusing to render turnserver-secret.conf: realm holds the control character U+000A");
    expect(refusal(() => coturnLines([["realm", ""]])).message).toMatch(
      /^refusing to render turnserver\.conf: realm has a value coturn would alter/,
    );
    expect(coturnLines([["realm", "a b"]])).toBe("realm=a b\n");
    expect(
      coturnLines([
        ["no-cli", true],
        ["listening-port", 3478],
      ]),
    ).toBe("no-cli\nlistening-port=3478\n");
    for (const name of ["Realm", "x realm", "realm x"])
      expect(refusal(() => coturnLines([[name, "a"]])).message).toBe(
        `refusing to render turnserver.conf: ${name} is not a coturn option name`,
      );
    expect(coturnLines([["realm", "a"]], "turnserver.conf", "# one\n# two\n")).toBe("# one\n# two\nrealm=a\n");
    const longest = `# ${"c".repeat(COTURN_MAX_LINE_BYTES - 2)}`;
    expect(coturnLines([], "turnserver.conf", `${longest}\n`)).toBe(`${longest}\n\n`);
    expect(refusal(() => coturnLines([], "turnserver.conf", `${longest}c\n`)).message).toBe(
      "refusing to render turnserver.conf: a comment is longer than coturn reads in one piece",
    );
    expect(refusal(() => coturnLines([], "turnserver.conf", "# a\u0000b\n")).message).toMatch(
      /: a comment holds the control character U\+0000$/,
    );
  });

  it("valkey: the file, directive names and the comment header", () => {
    expect(refusal(() => valkeyLines([["requirepass", "a\rb"]], "sentinel.conf")).message).toBe(
      "refusing to render sentinel.conf: requirepass holds the control character U+000D",
    );
    for (const directive of ["Bind", "x bind", "bind x", "", "bind2"])
      expect(refusal(() => valkeyLines([[directive, "a"]])).message).toBe(
        `refusing to render valkey.conf: ${directive} is not a directive name`,
      );
    expect(refusal(() => valkeyLines([[]])).message).toBe("refusing to render valkey.conf: undefined is not a directive name");
    expect(valkeyLines([["port", "6379"]], "valkey.conf", "# one\n")).toBe("# one\nport 6379\n");
    expect(refusal(() => valkeyLines([], "valkey.conf", "# a\u001bb\n")).message).toMatch(
      /: a comment holds the control character U\+001B$/,
    );
  });

  it("each renderer names its own file when a value slipped past the schema", () => {
    const cfg = parse(minimal("kubernetes", { valkey: { mode: "sentinel" } } as never));
    const broken = "a\nb";
    const named = (f: () => unknown) => refusal(f).message.replace(/ holds the control character U\+000A$/, "");
    expect(named(() => renderTurnserverConf({ ...cfg, turn: { ...cfg.turn, realm: broken } }, CONTAINER_LAYOUT))).toBe(
      "refusing to render turnserver.conf: realm",
    );
    expect(named(() => renderTurnserverAuth({ ...SECRETS, turnSecrets: [broken] }))).toBe(
      "refusing to render turnserver-auth.conf: static-auth-secret",
    );
    expect(named(() => renderValkeyConf({ ...cfg, valkey: { ...cfg.valkey, maxmemory: broken } }, CONTAINER_LAYOUT))).toBe(
      "refusing to render valkey.conf: maxmemory",
    );
    expect(named(() => renderValkeyAuth({ ...SECRETS, valkeyPassword: broken }))).toBe("refusing to render valkey-auth.conf: requirepass");
    const master = { ...cfg, valkey: { ...cfg.valkey, sentinel: { ...cfg.valkey.sentinel, masterName: broken } } };
    expect(named(() => renderSentinelConf(master, CONTAINER_LAYOUT))).toBe("refusing to render sentinel.conf: sentinel");
    expect(named(() => renderSentinelAuth(cfg, { ...SECRETS, valkeyPassword: broken }))).toBe(
      "refusing to render sentinel-auth.conf: sentinel",
    );
  });

  it("env: the file, blanks only at the ends, and Docker's 64 KiB line", () => {
    expect(refusal(() => envFile({ A: "b\nB=c" }, "sfu.env")).message).toBe(
      "refusing to render sfu.env: A holds the control character U+000A",
    );
    expect(refusal(() => envFile({ A: "b\nB=c" })).message).toMatch(/^refusing to render env file: /);
    expect(refusal(() => checkedEnv({ A: "b\nB=c" })).message).toMatch(/^refusing to render env: /);
    expect(envFile({ A: "b c", B: `it's "d"` })).toBe(`A=b c\nB=it's "d"\n`);
    for (const v of [" b", "b ", "'b'", '"b'])
      expect(refusal(() => envFile({ A: v })).message).toMatch(/A has a value an env-file reader would alter/);
    const fits = "v".repeat(ENV_MAX_LINE_BYTES - "A=".length);
    expect(checkedEnv({ A: fits })).toEqual({ A: fits });
    expect(refusal(() => checkedEnv({ A: `${fits}v` })).message).toBe(
      `refusing to render env: A renders a line over ${ENV_MAX_LINE_BYTES} bytes, Docker's env-file limit`,
    );
    expect(refusal(() => checkedEnv({ AB: `${fits}` })).message).toMatch(/AB renders a line over/);
  });
});

describe("secrets are checked the same way from env and from secret config", () => {
  it("render: a short, multi-line or odd secret in env names the variable and the fix", () => {
    const lines = problemsOf(() =>
      secretsFromEnv({
        LIVEKIT_API_KEY: "APIkey",
        LIVEKIT_API_SECRET: "short",
        TURN_SECRET: `${"t".repeat(40)}\nstatic-auth-secret=x`,
        VALKEY_PASSWORD: "'quoted-password-0123'",
      }),
    );
    expect(lines).toEqual([
      expect.stringMatching(/^ {2}env LIVEKIT_API_SECRET: the value is 5 characters; at least 32 are needed$/),
      expect.stringMatching(/^ {2}env TURN_SECRET: the value contains the control character U\+000A$/),
      expect.stringMatching(/^ {2}env VALKEY_PASSWORD: the value may hold only letters, digits/),
    ]);
    expect(() => secretsFromEnv({ LKSTACK_CAMERA_CREDENTIALS: "{not json" })).toThrow(/env LKSTACK_CAMERA_CREDENTIALS: is not JSON/);
    expect(() => secretsFromEnv({ LKSTACK_CAMERA_CREDENTIALS: JSON.stringify({ lab: { username: "u\nx", password: "p" } }) })).toThrow(
      /env LKSTACK_CAMERA_CREDENTIALS \(lab\.username\): the value contains the control character U\+000A/,
    );
    // Placeholders stand in for missing values and pass.
    expect(secretsFromEnv({}).placeholders.length).toBeGreaterThan(0);
  });

  it("the Pulumi program: secret config is checked from plaintext before any resource, naming the lkstack: path", () => {
    const cfg: Record<string, string> = {
      apiKeys: JSON.stringify([{ key: "APIgiven", secret: "s".repeat(31) }]),
      turnSecrets: JSON.stringify(["t".repeat(40), "bad secret with spaces 0123456789"]),
      valkeyPassword: "v".repeat(20),
    };
    let err: unknown;
    try {
      checkProvidedSecrets((k) => cfg[k]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      /lkstack:apiKeys\[0\]\.secret: the secret is 31 characters; at least 32 are needed\n\s+fix: set .* with pulumi config set --secret --path 'apiKeys\[0\]\.secret'/,
    );
    expect((err as Error).message).toMatch(/lkstack:turnSecrets\[1\]: the secret may hold only/);
    expect((err as Error).message).not.toMatch(/valkeyPassword/);
    expect(() =>
      checkProvidedSecrets(
        (k) => ({ ...cfg, apiKeys: JSON.stringify([{ key: "APIgiven", secret: "s".repeat(32) }]), turnSecrets: undefined })[k],
      ),
    ).not.toThrow();
  });
});

describe("TURN peer filtering cannot be undone by config", () => {
  const turn = (t: Record<string, unknown>) => minimal("kubernetes", { turn: { domain: "t.example", ...t } as never });

  it.each([
    [["10.0.0.0/8"], /lkstack:turn\.allowedPeers\[0\]: 10\.0\.0\.0\/8 covers the whole denied range 10\.0\.0\.0\/8/],
    [["10.20.0.0/16", "0.0.0.0/0"], /lkstack:turn\.allowedPeers\[1\]: 0\.0\.0\.0\/0 is the whole IPv4 address space/],
    [["10.20.0.0/16", "::/0"], /lkstack:turn\.allowedPeers\[1\]: ::\/0 is the whole IPv6 address space/],
    [["169.254.0.0/16"], /covers the whole denied range 169\.254\.0\.0\/16/],
    [["0.0.0.0/1"], /covers the whole denied range 0\.0\.0\.0\/8/],
    [["fc00::/6"], /covers the whole denied range fc00::\/7/],
  ])("allowedPeers %j is refused", (allowedPeers, message) => {
    expect(problemsOf(() => parse(turn({ allowedPeers }))).join("\n")).toMatch(message);
  });

  it("an empty or shrunk deny list is refused", () => {
    expect(problemsOf(() => parse(turn({ allowedPeers: ["10.20.0.0/16"], deniedPeers: [] }))).join("\n")).toMatch(
      /lkstack:turn\.deniedPeers: the deny list is empty/,
    );
    expect(problemsOf(() => parse(turn({ allowedPeers: ["10.20.0.0/16"], deniedPeers: ["10.0.0.0/8"] }))).join("\n")).toMatch(
      /lkstack:turn\.deniedPeers: the deny list drops default range\(s\) 0\.0\.0\.0\/8, 100\.64\.0\.0\/10, 127\.0\.0\.0\/8, 169\.254\.0\.0\/16/,
    );
  });

  it("node subnets and single hosts pass; the loud override lets the rest through", () => {
    expect(parse(turn({ allowedPeers: ["10.20.0.0/16", "10.30.0.7/32"] })).turn.allowedPeers).toHaveLength(2);
    const opened = parse(turn({ allowedPeers: ["10.0.0.0/8"], deniedPeers: [], dangerouslyAllowDeniedPeers: true }));
    expect(opened.turn.dangerouslyAllowDeniedPeers).toBe(true);
    expect(renderStack(opened, TEST_SECRETS).turn?.publicFiles["turnserver.conf"]).toMatch(
      /^allowed-peer-ip=10\.0\.0\.0-10\.255\.255\.255$/m,
    );
  });
});

/** Scalars of a parsed YAML/JSON document by key path. */
function scalars(doc: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (Array.isArray(doc)) doc.forEach((v, i) => scalars(v, `${prefix}[${i}]`).forEach((x, k) => out.set(k, x)));
  else if (typeof doc === "object" && doc !== null)
    Object.entries(doc).forEach(([k, v]) => scalars(v, prefix ? `${prefix}.${k}` : k).forEach((x, kk) => out.set(kk, x)));
  else out.set(prefix, doc);
  return out;
}

/** Every rendered file (public and secret) and every Kubernetes object, by name. */
function renderAll(input: unknown): Map<string, string> {
  const cfg = parseStackConfig(input);
  const files = new Map<string, string>();
  for (const [service, r] of Object.entries(renderStack(cfg, SECRETS))) {
    for (const [n, b] of Object.entries(r?.publicFiles ?? {})) files.set(`${service}/${n}`, b);
    for (const [n, b] of Object.entries(r?.secretFiles ?? {})) files.set(`${service}/secret/${n}`, b);
  }
  if (cfg.target === "kubernetes") k8sObjectList(k8sManifests(cfg, "//")).forEach((o, i) => files.set(`k8s/${i}.json`, JSON.stringify(o)));
  return files;
}

const LINE_FORMATS: Record<string, RegExp> = { ".conf": /[=\s]/ };

describe("hostile strings in every string leaf of the schema", () => {
  const leaves = stringLeaves();

  it("the walker finds the schema's free-text settings", () => {
    const names = leaves.map((l) => l.join("."));
    expect(names).toEqual(
      expect.arrayContaining([
        "turn.domain",
        "turn.realm",
        "cameras.0.name",
        "kubernetes.nodeSelector.{key}",
        "valkey.sentinel.masterName",
      ]),
    );
    expect(names.length).toBeGreaterThan(30);
  });

  it.each(leaves.map((l) => [l.join("."), l] as [string, Seg[]]))(
    "%s: each hostile value is refused with its lkstack: path, or renders as exactly that one value",
    (_name, leaf) => {
      const base = baseFor(leaf);
      const { path, value: baseValue } = concrete(base, leaf);
      const before = renderAll(base);
      fc.assert(
        fc.property(hostileFor(baseValue), (hostile) => {
          fc.pre(hostile !== baseValue);
          let after: Map<string, string>;
          try {
            after = renderAll(withValue(base, path, hostile));
          } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            const where = configPathOf(path, hostile);
            const named = e.problems.map((p) => formatConfigPath(p.path));
            expect(named.filter((n) => n === where || n.startsWith(`${where}.`) || n.startsWith(`${where}[`))).not.toEqual([]);
            return;
          }
          expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
          for (const [name, body] of after) {
            const old = before.get(name) ?? "";
            if (body === old) continue;
            if (/\.(ya?ml|json)$/.test(name)) {
              const a = scalars(parseYaml(body));
              const b = scalars(parseYaml(old));
              // A renamed record key shows up as that key segment, nowhere else (under whatever name
              // the rendered file gives the map: lkstack:kubernetes.dns.podLabels becomes matchLabels).
              // Only a path the old file lacks can be the renamed key (".key" also ends secretKeyRef paths).
              const rename = (k: string) =>
                leaf.includes(RECORD_KEY) && !b.has(k) && (k.endsWith(`.${hostile}`) || k.includes(`.${hostile}.`))
                  ? k.endsWith(`.${hostile}`)
                    ? `${k.slice(0, -hostile.length)}${baseValue}`
                    : k.replace(`.${hostile}.`, `.${baseValue}.`)
                  : k;
              expect([...a.keys()].map(rename).sort()).toEqual([...b.keys()].sort());
              // Every scalar that changed holds the value verbatim: nothing was escaped away or split.
              for (const [k, v] of a) {
                const text = String(v);
                // Names that carry a content hash change with any content; file bodies are checked as files.
                if (v === b.get(rename(k)) || leaf.includes(RECORD_KEY) || /[0-9a-f]{10}$/.test(text) || name.startsWith("k8s/")) continue;
                // A camera URL gets its credentials inserted (percent-encoded) in the secret body.
                expect(text.replace(/\/\/[^/@]*@/, "//")).toContain(hostile);
              }
            } else {
              const sep = LINE_FORMATS[".conf"];
              expect(directives(body, sep)).toEqual(directives(old, sep));
              const changed = body.split("\n").filter((l) => !old.split("\n").includes(l));
              for (const l of changed) expect(l.includes(hostile) || l.includes(JSON.stringify(hostile).slice(1, -1))).toBe(true);
            }
          }
        }),
        { numRuns: 40, ...(process.env.LKSTACK_FC_SEED ? { seed: Number(process.env.LKSTACK_FC_SEED) } : {}) },
      );
    },
  );
});

describe("posture in render --manifests", () => {
  it("no pod mounts a service account token (no workload calls the Kubernetes API)", () => {
    const cfg = parse(minimal("kubernetes", { valkey: { mode: "sentinel" } }));
    const pods = k8sObjectList(k8sManifests(cfg, "//")).flatMap((o) => {
      const spec = (o as { spec?: { template?: { spec?: { automountServiceAccountToken?: boolean } } } }).spec?.template?.spec;
      return spec ? [[o.metadata?.name, spec.automountServiceAccountToken]] : [];
    });
    expect(pods.length).toBeGreaterThanOrEqual(5);
    for (const [name, automount] of pods) expect([name, automount]).toEqual([name, false]);
  });

  it("images are pinnable by digest in the version table; the release still picks the allow-lists", () => {
    const digest = `sha256:${"0f".repeat(32)}`;
    const cfg = parse(minimal("kubernetes", { versions: { coturn: `4.17.1@${digest}` } }));
    expect(k8sManifests(cfg, "//").turn?.deployment.spec?.template.spec?.containers[0].image).toBe(`coturn/coturn:4.17.1@${digest}`);
    expect(problemsOf(() => parse(minimal("kubernetes", { versions: { coturn: "4.17.1@sha256:short" } })))[0]).toMatch(
      /lkstack:versions\.coturn: version 4\.17\.1@sha256:short has no key allow-list/,
    );
    expect(problemsOf(() => parse(minimal("kubernetes", { versions: { coturn: `4.12.0@${digest}` } })))[0]).toMatch(
      /lkstack:versions\.coturn/,
    );
  });
});
