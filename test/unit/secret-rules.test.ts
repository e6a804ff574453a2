import {
  assertUsableSecrets,
  isPlaceholder,
  placeholder,
  secretProblem,
  secretsFromEnv,
  secretValues,
  type StackSecrets,
} from "../../schema";
import { TEST_SECRETS, configProblemsOf } from "../helpers/fixtures";

// What a secret may be (schema/secrets.ts), wherever it comes from, and how a refusal names its
// origin and the fix without ever quoting the value.

const problemsOf = configProblemsOf;

describe("the secret rules", () => {
  it("type, length at both ends, and characters, with a leading letter or digit where a reader would strip it", () => {
    expect(secretProblem("apiKey", 42)).toBe("is not a string");
    expect(secretProblem("apiKey", "k".repeat(64))).toBeUndefined();
    expect(secretProblem("apiKey", "k".repeat(65))).toBe("is 65 characters; at most 64 are read");
    expect(secretProblem("apiKey", "kk")).toBe("is 2 characters; at least 3 are needed");
    expect(secretProblem("apiKey", "_key")).toBe("may hold only letters, digits, '_' and '-', starting with a letter or digit");
    expect(secretProblem("password", "=".repeat(20))).toBe(
      "may hold only letters, digits and . _ ~ + / = -, starting with a letter or digit",
    );
    // A camera's own account takes whatever the camera has, a leading quote included.
    expect(secretProblem("cameraCredential", '"odd name')).toBeUndefined();
    expect(secretProblem("cameraCredentialName", "-lab_2")).toBeUndefined();
    expect(secretProblem("cameraCredentialName", "lab 2")).toBe("may hold only letters, digits, '_' and '-'");
  });

  it("placeholders are lkstack's own marked stand-ins", () => {
    expect(placeholder("TURN_SECRET")).toBe("PLACEHOLDER_set_TURN_SECRET");
    expect(isPlaceholder(placeholder("TURN_SECRET"))).toBe(true);
    expect(isPlaceholder("PLACEHOLDER_secret_config")).toBe(true);
    expect(isPlaceholder("my-PLACEHOLDER_x")).toBe(false);
    expect(isPlaceholder("PLACEHOLDER")).toBe(false);
    expect(isPlaceholder("PLACEHOLDER_")).toBe(false);
    expect(isPlaceholder("PLACEHOLDER_x!")).toBe(false);
    expect(isPlaceholder(7)).toBe(false);
  });

  it("a value that only contains a placeholder's mark is checked like any other", () => {
    const s: StackSecrets = { ...TEST_SECRETS, turnSecrets: ["x-PLACEHOLDER_set_TURN_SECRET"] };
    expect(problemsOf(() => assertUsableSecrets(s, new Set(["turnSecrets"]))).map((p) => p.path)).toEqual([["turnSecrets", 0]]);
    const placeholders: StackSecrets = { ...TEST_SECRETS, turnSecrets: ["PLACEHOLDER_set_TURN_SECRET"] };
    expect(problemsOf(() => assertUsableSecrets(placeholders, new Set(["turnSecrets"])))).toEqual([]);
  });
});

describe("where a refused secret came from, and the fix", () => {
  it("from secret config: the lkstack: path and the exact `pulumi config set --secret --path` to run", () => {
    const s: StackSecrets = {
      ...TEST_SECRETS,
      apiKeys: [TEST_SECRETS.apiKeys[0], { key: "APIsecond", secret: "short" }],
      cameraCredentials: { "lab 2": { username: "u", password: "p\u0007" } },
    };
    const problems = problemsOf(() => assertUsableSecrets(s, new Set(["apiKeys", "cameraCredentials"])));
    expect(problems).toEqual([
      {
        path: ["apiKeys", 1, "secret"],
        problem: "the secret is 5 characters; at least 32 are needed",
        fix: "set 32-256 characters: letters, digits and . _ ~ + / = -, starting with a letter or digit with pulumi config set --secret --path 'apiKeys[1].secret' …",
      },
      {
        path: ["cameraCredentials", "lab 2"],
        problem: "the secret may hold only letters, digits, '_' and '-'",
        fix: "set 1-63 characters: letters, digits, '_' and '-' with pulumi config set --secret --path 'cameraCredentials.lab 2' …",
      },
      {
        path: ["cameraCredentials", "lab 2", "password"],
        problem: "the secret contains the control character U+0007",
        fix: "set 1-255 characters: any characters but control characters with pulumi config set --secret --path 'cameraCredentials.lab 2.password' …",
      },
    ]);
    const username = { ...s, apiKeys: TEST_SECRETS.apiKeys, cameraCredentials: { lab: { username: "u\u0003", password: "p" } } };
    expect(problemsOf(() => assertUsableSecrets(username, new Set(["cameraCredentials"])))).toEqual([
      {
        path: ["cameraCredentials", "lab", "username"],
        problem: "the secret contains the control character U+0003",
        fix: "set 1-255 characters: any characters but control characters with pulumi config set --secret --path 'cameraCredentials.lab.username' …",
      },
    ]);
    // Secrets the stack generated are not the operator's to fix: only the given keys are checked.
    expect(problemsOf(() => assertUsableSecrets(s, new Set(["turnSecrets"])))).toEqual([]);
  });

  it("from env: the variable (and the credential's field), never the value", () => {
    const problems = problemsOf(() =>
      secretsFromEnv({
        LIVEKIT_API_KEY: "_key",
        LKSTACK_CAMERA_CREDENTIALS: JSON.stringify({ lab: { username: "u\u0001", password: "p" } }),
      }),
    );
    expect(problems).toEqual([
      {
        path: [],
        source: "env LIVEKIT_API_KEY",
        problem: "the value may hold only letters, digits, '_' and '-', starting with a letter or digit",
        fix: "export LIVEKIT_API_KEY with 3-64 characters: letters, digits, '_' and '-', starting with a letter or digit",
      },
      {
        path: [],
        source: "env LKSTACK_CAMERA_CREDENTIALS (lab.username)",
        problem: "the value contains the control character U+0001",
        fix: "export LKSTACK_CAMERA_CREDENTIALS (lab.username) with 1-255 characters: any characters but control characters",
      },
    ]);
  });

  it.each([
    "LIVEKIT_API_SECRET",
    "TURN_SECRET",
    "VALKEY_PASSWORD",
    "MEDIAMTX_API_PASSWORD",
    "MEDIAMTX_READ_PASSWORD",
    "LKSTACK_METRICS_PASSWORD",
  ])("from env: a refused %s is named by that variable", (name) => {
    expect(problemsOf(() => secretsFromEnv({ [name]: "short" })).map((p) => p.source)).toEqual([`env ${name}`]);
  });

  it("from env: the placeholders are exactly the variables left unset", () => {
    const full = {
      LIVEKIT_API_KEY: "APIkey",
      LIVEKIT_API_SECRET: "s".repeat(32),
      TURN_SECRET: "t".repeat(32),
      VALKEY_PASSWORD: "v".repeat(20),
      MEDIAMTX_API_PASSWORD: "a".repeat(20),
      MEDIAMTX_READ_PASSWORD: "r".repeat(20),
      LKSTACK_METRICS_PASSWORD: "m".repeat(20),
    };
    expect(secretsFromEnv(full).placeholders).toEqual([]);
    expect(secretsFromEnv({ ...full, VALKEY_PASSWORD: undefined }).placeholders).toEqual(["VALKEY_PASSWORD"]);
  });

  it("from env: a credential's name and password are named by their place in the JSON", () => {
    const problems = problemsOf(() =>
      secretsFromEnv({ LKSTACK_CAMERA_CREDENTIALS: JSON.stringify({ "lab 2": { username: "u", password: "p\u0002" } }) }),
    );
    expect(problems.map((p) => [p.source, p.problem])).toEqual([
      ["env LKSTACK_CAMERA_CREDENTIALS (lab 2)", "the value may hold only letters, digits, '_' and '-'"],
      ["env LKSTACK_CAMERA_CREDENTIALS (lab 2.password)", "the value contains the control character U+0002"],
    ]);
  });

  it("secretValues lists every secret value, for the leak checks to search for", () => {
    expect(secretValues(TEST_SECRETS).sort()).toEqual(
      [
        ...TEST_SECRETS.apiKeys.map((k) => k.secret),
        ...TEST_SECRETS.turnSecrets,
        TEST_SECRETS.valkeyPassword,
        TEST_SECRETS.mediamtxApiPassword,
        TEST_SECRETS.mediamtxReadPassword,
        TEST_SECRETS.metricsPassword,
        ...Object.values(TEST_SECRETS.cameraCredentials).map((c) => c.password),
      ].sort(),
    );
    expect(secretValues(TEST_SECRETS)).toHaveLength(11);
  });

  it("env: an empty variable is unset (a placeholder); credentials that are not the documented JSON are refused with an example", () => {
    const { secrets, placeholders } = secretsFromEnv({ TURN_SECRET: "" });
    expect(secrets.turnSecrets).toEqual(["PLACEHOLDER_set_TURN_SECRET"]);
    expect(placeholders).toContain("TURN_SECRET");
    expect(problemsOf(() => secretsFromEnv({ LKSTACK_CAMERA_CREDENTIALS: '{"lab": "pw"}' }))).toEqual([
      {
        path: [],
        source: "env LKSTACK_CAMERA_CREDENTIALS",
        problem: "is not JSON of the form {name: {username, password}}",
        fix: `export LKSTACK_CAMERA_CREDENTIALS='{"lab": {"username": "viewer", "password": "…"}}'`,
      },
    ]);
  });

  it("unset credentials: one placeholder per name the cameras use, each name once", () => {
    const cameras = [{ credentials: "lab" }, {}, { credentials: "gate" }, { credentials: "lab" }];
    const { secrets, placeholders } = secretsFromEnv({}, { cameras });
    const p = "PLACEHOLDER_set_LKSTACK_CAMERA_CREDENTIALS";
    expect(secrets.cameraCredentials).toEqual({ lab: { username: p, password: p }, gate: { username: p, password: p } });
    expect(placeholders).toContain("LKSTACK_CAMERA_CREDENTIALS");
    expect(secretsFromEnv({}).secrets.cameraCredentials).toEqual({});
    expect(secretsFromEnv({}).placeholders).not.toContain("LKSTACK_CAMERA_CREDENTIALS");
  });
});
