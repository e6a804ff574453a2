import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { StackConfig, StackSecrets } from "../schema";

export interface StackSecretsArgs {
  rotation: StackConfig["rotation"];
  /** From the secret config object `lkstack:cameraCredentials`. */
  cameraCredentials: pulumi.Input<StackSecrets["cameraCredentials"]>;
}

type Rotated = Exclude<keyof StackConfig["rotation"], "retainPrevious">;

/** LiveKit's own keys are "API" + 12 characters; secrets at least 32 characters. */
export const API_KEY_PREFIX = "API";
export const API_KEY_ID_LENGTH = 12;
export const SECRET_LENGTH = 48;

/**
 * Every generated secret of a stack. Each value belongs to a numbered generation: the resource is
 * named after it and keeps `{rotation: <n>}`, so bumping `lkstack:rotation.<secret>` creates a new
 * value, and `retainPrevious` keeps generation n-1 alive (and accepted) until the second step.
 */
export class GeneratedSecrets extends pulumi.ComponentResource {
  public readonly secrets: pulumi.Output<StackSecrets>;

  constructor(name: string, args: StackSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:index:Secrets", name, {}, opts);
    const r = args.rotation;
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

    const apiKeys = generations("apiKey").map((g) => {
      const id = new random.RandomString(
        `${name}-apiKeyId-g${g}`,
        { length: API_KEY_ID_LENGTH, special: false, keepers: { rotation: String(g) } },
        { parent: this },
      ).result;
      return pulumi.all([id, password("apiKey", g)]).apply(([k, secret]) => ({ key: `${API_KEY_PREFIX}${k}`, secret }));
    });
    const turnSecrets = generations("turnSecret").map((g) => password("turnSecret", g));
    const [valkeyPassword] = generations("valkeyPassword").map((g) => password("valkeyPassword", g));
    const [mediamtxReaderPassword] = generations("mediamtxReaderPassword").map((g) => password("mediamtxReaderPassword", g));

    this.secrets = pulumi.secret(
      pulumi
        .all([pulumi.all(apiKeys), pulumi.all(turnSecrets), valkeyPassword, mediamtxReaderPassword, args.cameraCredentials])
        .apply(([keys, turn, valkey, reader, cameras]): StackSecrets => ({
          apiKeys: keys,
          turnSecrets: turn,
          valkeyPassword: valkey,
          mediamtxReaderPassword: reader,
          cameraCredentials: cameras,
        })),
    );
    this.registerOutputs({ secrets: this.secrets });
  }
}
