import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ServiceId, StackConfig } from "../../schema";
import type { WorkloadInput } from "../../templates";
import { secretResource } from "./objects";

/**
 * What every per-service component takes from the stack, which renders the whole stack once: the
 * validated config, its Secret's data, and its part of the plan (its objects, built with a stand-in
 * Secret name, and the input they were built from).
 */
export interface WorkloadArgs<T> {
  config: StackConfig;
  /** Secret files and env by key (see templates `secretData`); stored only in the Secret. */
  secretData: pulumi.Input<Record<string, string>>;
  plan: WorkloadPlan<T>;
}

export interface WorkloadPlan<T> {
  /** The service's objects as the stack planned them (which exist and their static parts). */
  objects: T;
  input: WorkloadInput;
}

/**
 * A Kubernetes workload's objects: its Secret (auto-named, see `secretResource`), the planned
 * objects as they are, and the objects rebuilt from the Secret's real name for the parts that
 * reference it (the pod template). The rebuild reuses the planned input: nothing is rendered again.
 */
export function workloadObjects<T>(
  parent: pulumi.ComponentResource,
  name: string,
  w: ServiceId,
  args: WorkloadArgs<T>,
  build: (cfg: StackConfig, input: WorkloadInput) => T,
): { secret: k8s.core.v1.Secret; plain: T; resolved: pulumi.Output<T> } {
  const secret = secretResource(`${name}-secret`, args.config, w, args.secretData, { parent });
  return {
    secret,
    plain: args.plan.objects,
    resolved: secret.metadata.name.apply((n) => build(args.config, { ...args.plan.input, secretName: n })),
  };
}
