import { readStackConfig } from "../../components/stackConfig";
import { ConfigError } from "../../schema";
import { minimal } from "../helpers/fixtures";

// How the program reads `lkstack:` config from the engine (components/stackConfig.ts): once, as the
// engine holds it (text; structured keys as JSON), into the same schema `lkstack render` uses.

/** The stack config as `pulumi config` would hand it over: `target` as text, the rest as JSON. */
function engineValues(input: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, k === "target" ? String(v) : JSON.stringify(v)]));
}

describe("the program's stack config", () => {
  it("reads every key from the engine's values into the schema", () => {
    const values = engineValues(minimal("kubernetes", { kubernetes: { namespace: "media" } }));
    const cfg = readStackConfig((k) => values[k]);
    expect(cfg.target).toBe("kubernetes");
    expect(cfg.kubernetes.namespace).toBe("media");
  });

  it("a structured key that is not JSON reaches the schema as text, which names its lkstack: path", () => {
    const values: Record<string, string> = { ...engineValues(minimal("kubernetes")), sfu: "{replicas: 3" };
    let err: unknown;
    try {
      readStackConfig((k) => values[k]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^ {2}lkstack:sfu: .*expected object, received string$/m);
  });
});
