import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SERVICES, type StackConfig } from "../../schema";
import type { DockerServiceSpec } from "../../templates";

/**
 * A workload's type token (`lkstack:docker:Sfu`, from the service table; Sentinel's is Valkey's).
 * Both the Container and the Swarm service component register under it, so a stack's state (its
 * URNs) does not depend on which class builds the workload. test/components/urns.test.ts holds it.
 */
export function dockerToken(spec: DockerServiceSpec): string {
  return `lkstack:docker:${SERVICES[spec.workload].token}`;
}

export interface DockerWorkloadArgs {
  config: StackConfig;
  spec: DockerServiceSpec;
  image: pulumi.Input<string>;
  network: docker.Network;
  /** Every file of the service by name (secret ones are only read inside secret outputs). */
  files: pulumi.Input<Record<string, string>>;
  /** Secret env values by name. */
  secretEnv: pulumi.Input<Record<string, string>>;
  volume?: docker.Volume;
}

const seconds = (s: string | number): string => (typeof s === "number" ? `${s}s` : s);

/** The spec's healthcheck with durations as Docker writes them (`30s`). */
export function healthcheckOf(spec: DockerServiceSpec) {
  return {
    tests: spec.healthcheck.tests,
    interval: seconds(spec.healthcheck.interval),
    timeout: seconds(spec.healthcheck.timeout),
    retries: spec.healthcheck.retries,
    startPeriod: seconds(spec.healthcheck.startPeriod),
  };
}

export function labelList(spec: DockerServiceSpec, cfg: StackConfig): { label: string; value: string }[] {
  return Object.entries({ ...spec.labels, "lkstack.io/stack": pulumi.getStack(), "lkstack.io/target": cfg.target }).map(
    ([label, value]) => ({ label, value }),
  );
}

/** The service's whole environment, plain and secret values together (callers mark it secret). */
export function environment(spec: DockerServiceSpec, secretEnv: Record<string, string>): [string, string][] {
  return [...Object.entries(spec.env), ...spec.secretEnvNames.map((n): [string, string] => [n, secretEnv[n] ?? ""])];
}

/** One file's content out of the service's files (secret files stay inside secret outputs). */
export function fileContent(files: pulumi.Output<Record<string, string>>, name: string, secret: boolean): pulumi.Output<string> {
  const content = files.apply((all) => all[name] ?? "");
  return secret ? pulumi.secret(content) : content;
}
