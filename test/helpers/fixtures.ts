import { join } from "node:path";
import { loadStackConfig } from "../../cli/stackFile";
import {
  ConfigError,
  parseStackConfig,
  type ConfigProblem,
  type StackConfig,
  type StackConfigInput,
  type StackSecrets,
} from "../../schema";

export const PROJECT_DIR = join(__dirname, "..", "..");

export function stackFromFile(stack: "dev" | "prod"): StackConfig {
  return loadStackConfig(stack, PROJECT_DIR);
}

/** The smallest config the schema accepts for each target. */
export function minimal(target: "docker" | "kubernetes", extra: Partial<StackConfigInput> = {}): StackConfigInput {
  const allowedPeers = target === "docker" ? ["172.30.42.0/24"] : ["10.0.0.0/16"];
  const turn = { domain: "turn.example.test", allowedPeers, ...(extra.turn ?? {}) };
  return { target, ...extra, turn } as StackConfigInput;
}

export function parse(input: StackConfigInput): StackConfig {
  return parseStackConfig(input);
}

/** Distinctive secrets, so a leak is easy to find with a substring search. */
export const TEST_SECRETS: StackSecrets = {
  apiKeys: [
    { key: "APIcurrentKey01", secret: "sEcReT-current-0123456789abcdefghijklmnop" },
    { key: "APIpreviousKey0", secret: "sEcReT-previous-0123456789abcdefghijklmno" },
  ],
  turnSecrets: ["sEcReT-turn-current-0123456789abcdef", "sEcReT-turn-previous-0123456789abcde"],
  valkeyPassword: "sEcReT-valkey-0123456789",
  mediamtxApiPassword: "sEcReT-mtxapi-0123456789",
  mediamtxReadPassword: "sEcReT-reader-0123456789",
  metricsPassword: "sEcReT-metrics-0123456789",
  // Every credential name the dev and prod stack files use (a camera naming a missing one is an error).
  cameraCredentials: {
    lab: { username: "viewer", password: "sEcReT-camera-0123" },
    "corridor-a": { username: "viewer", password: "sEcReT-camera-a-0123" },
    "corridor-b": { username: "viewer", password: "sEcReT-camera-b-0123" },
  },
};

/** The problems `f` is refused with (a ConfigError), or none; any other error is rethrown. */
export function configProblemsOf(f: () => unknown): readonly ConfigProblem[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}
