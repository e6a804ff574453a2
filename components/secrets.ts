import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ConfigError, missingCameraCredentials, type StackConfig, type StackSecrets } from "../schema";

/** Secrets an operator set with `pulumi config set --secret` instead of letting the stack generate them. */
export interface ProvidedSecrets {
  apiKeys?: pulumi.Input<StackSecrets["apiKeys"]>;
  turnSecrets?: pulumi.Input<string[]>;
  valkeyPassword?: pulumi.Input<string>;
  mediamtxApiPassword?: pulumi.Input<string>;
  mediamtxReadPassword?: pulumi.Input<string>;
  metricsPassword?: pulumi.Input<string>;
}

export interface StackSecretsArgs {
  rotation: StackConfig["rotation"];
  /** From the secret config object `lkstack:cameraCredentials`. */
  cameraCredentials: pulumi.Input<StackSecrets["cameraCredentials"]>;
  provided?: ProvidedSecrets;
  /** The configured cameras: each credential name they use must be in `cameraCredentials`. */
  cameras?: StackConfig["cameras"];
}

type Rotated = Exclude<keyof StackConfig["rotation"], "retainPrevious">;

/** LiveKit's own keys are "API" + 12 characters; secrets at least 32 characters. */
export const API_KEY_PREFIX = "API";
export const API_KEY_ID_LENGTH = 12;
export const SECRET_LENGTH = 48;
export const MIN_SECRET_LENGTH = 32;

/**
 * Every secret of a stack. Each generated value belongs to a numbered generation: the resource is
 * named after it and keeps `{rotation: <n>}`, so bumping `lkstack:rotation.<secret>` creates a new
 * value, and `retainPrevious` keeps generation n-1 alive (and accepted) until the second step. A
 * value given in secret config replaces the generated one (and its rotation is the operator's).
 */
export class GeneratedSecrets extends pulumi.ComponentResource {
  public readonly secrets: pulumi.Output<StackSecrets>;

  constructor(name: string, args: StackSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:index:Secrets", name, {}, opts);
    const r = args.rotation;
    const given = args.provided ?? {};
    const generations = (which: Rotated): number[] => {
      const n = r[which];
      const retained = (r.retainPrevious as string[]).includes(which) && n > 1;
      return retained ? [n, n - 1] : [n];
    };
    const password = (which: Rotated, g: number) =>
      new random.RandomPassword(
        `${name}-${which}-g${g}`,
        { length: SECRET_LENGTH, special: false, keepers: { rotation: String(g) } },
        { parent: this },
      ).result;

    const apiKeys =
      given.apiKeys !== undefined
        ? pulumi.output(given.apiKeys).apply((keys) => this.checkApiKeys(keys))
        : pulumi.all(
            generations("apiKey").map((g) => {
              const id = new random.RandomString(
                `${name}-apiKeyId-g${g}`,
                { length: API_KEY_ID_LENGTH, special: false, keepers: { rotation: String(g) } },
                { parent: this },
              ).result;
              return pulumi.all([id, password("apiKey", g)]).apply(([k, secret]) => ({ key: `${API_KEY_PREFIX}${k}`, secret }));
            }),
          );
    const turnSecrets =
      given.turnSecrets !== undefined
        ? pulumi.output(given.turnSecrets).apply((list) => this.checkList("turnSecrets", list))
        : pulumi.all(generations("turnSecret").map((g) => password("turnSecret", g)));
    const valkeyPassword = given.valkeyPassword ?? password("valkeyPassword", r.valkeyPassword);
    const mediamtxApiPassword = given.mediamtxApiPassword ?? password("mediamtxApiPassword", r.mediamtxApiPassword);
    const mediamtxReadPassword = given.mediamtxReadPassword ?? password("mediamtxReadPassword", r.mediamtxReadPassword);
    const metricsPassword = given.metricsPassword ?? password("metricsPassword", r.metricsPassword);

    this.secrets = pulumi.secret(
      pulumi
        .all([apiKeys, turnSecrets, valkeyPassword, mediamtxApiPassword, mediamtxReadPassword, metricsPassword, args.cameraCredentials])
        .apply(([keys, turn, valkey, api, reader, metrics, cameras]): StackSecrets => {
          const missing = missingCameraCredentials({ cameras: args.cameras ?? [] }, cameras);
          if (missing.length > 0) throw new pulumi.ResourceError(new ConfigError(missing).message, this);
          return {
            apiKeys: keys,
            turnSecrets: turn,
            valkeyPassword: valkey,
            mediamtxApiPassword: api,
            mediamtxReadPassword: reader,
            metricsPassword: metrics,
            cameraCredentials: cameras,
          };
        }),
    );
    this.registerOutputs({ secrets: this.secrets });
  }

  private checkApiKeys(keys: StackSecrets["apiKeys"]): StackSecrets["apiKeys"] {
    if (keys.length === 0) throw new pulumi.ResourceError("lkstack:apiKeys is empty; fix: list at least one {key, secret}", this);
    keys.forEach((k, i) => {
      if (!/^[A-Za-z0-9_-]{3,}$/.test(k.key))
        throw new pulumi.ResourceError(
          `lkstack:apiKeys[${i}].key is not a usable key id; fix: use letters and digits, e.g. API + 12 characters`,
          this,
        );
      if (k.secret.length < MIN_SECRET_LENGTH)
        throw new pulumi.ResourceError(
          `lkstack:apiKeys[${i}].secret is shorter than ${MIN_SECRET_LENGTH} characters; fix: set a longer one with pulumi config set --secret --path 'apiKeys[${i}].secret' …`,
          this,
        );
    });
    return keys;
  }

  private checkList(key: string, list: string[]): string[] {
    if (list.length === 0 || list.some((s) => s.length < MIN_SECRET_LENGTH))
      throw new pulumi.ResourceError(
        `lkstack:${key} needs at least one value, each ${MIN_SECRET_LENGTH}+ characters (current first); fix: pulumi config set --secret --path '${key}[0]' …`,
        this,
      );
    return list;
  }
}
