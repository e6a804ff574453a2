import { CONTAINER_LAYOUT, RENDERED_BY, SERVICE_NAMES, type StackConfig } from "../../schema";
import { deployedSecretFiles, mountPaths, renderWithoutSecrets, type RenderedService, type RenderedStack, type Service } from "../stack";

/**
 * What a workload builder needs: its public files, the names (never the values) of its secret files
 * and env, the Secret that will hold them, and where each file is mounted.
 */
export interface WorkloadInput {
  publicFiles: Record<string, string>;
  /** Secret file names mapped to "" (values are only in the Secret). */
  secretFiles: Record<string, string>;
  secretEnvNames: string[];
  secretName: string;
  paths: Record<string, string>;
}

/** The Secret name of each rendered service when nothing else names it (offline manifests). */
export function defaultSecretNames(): Record<Service, string> {
  const names = Object.entries(RENDERED_BY).map(([rendered, id]) => [rendered, `${SERVICE_NAMES[id]}-secret`]);
  return Object.fromEntries(names) as Record<Service, string>;
}

/**
 * Inputs per rendered service, computed without secret values: public files do not depend on
 * them, and secret material is referenced only by key.
 */
export function workloadInputs(
  cfg: StackConfig,
  secretNames: Record<Service, string>,
  /** The stack rendered without secrets, when the caller has it (it is not rendered again). */
  rendered: RenderedStack = renderWithoutSecrets(cfg, CONTAINER_LAYOUT),
): Partial<Record<Service, WorkloadInput>> {
  const paths = mountPaths(CONTAINER_LAYOUT);
  const out: Partial<Record<Service, WorkloadInput>> = {};
  for (const [service, r] of Object.entries(rendered) as [Service, NonNullable<(typeof rendered)[Service]>][]) {
    out[service] = {
      publicFiles: r.publicFiles,
      secretFiles: Object.fromEntries(Object.keys(r.secretFiles).map((k) => [k, ""])),
      secretEnvNames: Object.keys(r.secretEnv),
      secretName: secretNames[service],
      paths,
    };
  }
  return out;
}

/** The data of a service's Secret: its secret files and env, by key. */
export function secretData(r: { secretFiles: Record<string, string>; secretEnv: Record<string, string> }): Record<string, string> {
  return { ...r.secretFiles, ...r.secretEnv };
}

/**
 * The data of each Secret a service's material goes into: one, except MediaMTX's body, which is
 * split into parts of one Secret each (`mediamtxPartNames` says how many, from the config alone).
 */
export function secretGroups(cfg: StackConfig, service: Service, r: RenderedService): Record<string, string>[] {
  if (service !== "mediamtx") return [secretData(r)];
  return Object.entries(deployedSecretFiles(cfg, service, r)).map(([name, part], i) =>
    i === 0 ? { ...r.secretEnv, [name]: part } : { [name]: part },
  );
}
