import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaultSecretNames, workloadInputs, type Service, type WorkloadInput } from "../../templates";
import type { StackConfig } from "../../schema";

/** What every per-service component takes: the validated config and its Secret's data. */
export interface WorkloadArgs {
  config: StackConfig;
  /** Secret files and env by key (see templates `secretData`); stored only in the Secret. */
  secretData: pulumi.Input<Record<string, string>>;
}

function inputFor(cfg: StackConfig, service: Service, secretName: string): WorkloadInput {
  const input = workloadInputs(cfg, { ...defaultSecretNames(), [service]: secretName })[service];
  if (!input) throw new Error(`${service} is disabled in this config`);
  return input;
}

/**
 * Builds a service's objects twice: once with a stand-in Secret name to learn which objects exist
 * and their static parts, and once from the real (auto-generated) Secret name for the parts that
 * reference it.
 */
export function buildWith<T>(
  cfg: StackConfig,
  service: Service,
  secret: k8s.core.v1.Secret,
  build: (cfg: StackConfig, input: WorkloadInput) => T,
): { plain: T; resolved: pulumi.Output<T> } {
  return {
    plain: build(cfg, inputFor(cfg, service, defaultSecretNames()[service])),
    resolved: secret.metadata.name.apply((n) => build(cfg, inputFor(cfg, service, n))),
  };
}
