import * as pulumi from "@pulumi/pulumi";
import { DockerStack } from "./components/docker";
import { K8sStack } from "./components/k8s";
import { GeneratedSecrets } from "./components/secrets";
import { readProvidedSecrets, readStackConfig } from "./components/stackConfig";
import { signallingUrl as signallingUrlOf } from "./schema";
import { stackSummary } from "./templates";

/**
 * The Pulumi program: read and validate the stack config (errors name the config path and the fix
 * and stop the run before any resource exists), generate the secrets, build the target.
 */
const cfg = readStackConfig();
const { cameraCredentials, ...provided } = readProvidedSecrets();

const generated = new GeneratedSecrets("lkstack-secrets", { rotation: cfg.rotation, cameraCredentials, provided, cameras: cfg.cameras });
const stack =
  cfg.target === "kubernetes"
    ? new K8sStack("lkstack", { config: cfg, secrets: generated.secrets })
    : new DockerStack("lkstack", { config: cfg, secrets: generated.secrets });

export const target = cfg.target;
/** The stack at a glance (target, versions, ports, replicas, per-node load), as `lkstack render` prints it. */
export const summary = stackSummary(cfg, pulumi.getStack());
export const versions = cfg.versions;
export const publicConfig = stack.publicFiles;
export const stackUrn = stack.urn;
/**
 * What viewers and `lkstack viewer --url` use: wss://<lkstack:edge.host> with the edge on, null
 * without it (Pulumi drops an undefined output, with a warning on every run).
 */
export const signallingUrl = signallingUrlOf(cfg) ?? null;
/** For `lkstack token` and operators: secret outputs, shown only with --show-secrets. */
export const apiKey = generated.secrets.apply((s) => s.apiKeys[0].key);
export const apiSecret = pulumi.secret(generated.secrets.apply((s) => s.apiKeys[0].secret));
/** For `lkstack doctor` (TURN allocation, Valkey PING). */
export const turnSecret = pulumi.secret(generated.secrets.apply((s) => s.turnSecrets[0]));
export const valkeyPassword = pulumi.secret(generated.secrets.apply((s) => s.valkeyPassword));
/** For `lkstack cameras reconcile` (the SRT read credentials in each camera's ingress URL). */
export const mediamtxApiPassword = pulumi.secret(generated.secrets.apply((s) => s.mediamtxApiPassword));
/** For `lkstack doctor` (the SFU's metrics, basic auth as user lkstack-metrics). */
export const metricsPassword = pulumi.secret(generated.secrets.apply((s) => s.metricsPassword));
