import { DEFAULTS } from "./defaults";
import type { ConfigProblem } from "./errors";
import { parseCpu } from "./quantity";
import type { ResourceLimits, StackConfigParsed } from "./stack";
import { camerasWithIngest } from "./cameraIngest";

/**
 * LiveKit Ingress admits a stream only while `idle − pending − min_idle_ratio × CPUs > cost`
 * (ingress v1.5.0 pkg/stats/monitor.go), with CPUs read from its cgroup quota. The stack renders
 * this ratio explicitly so the check below and the server agree.
 */
export const INGRESS_MIN_IDLE_RATIO = 0.3;

/**
 * Cameras one Ingress replica admits at `cpus` cores when each holds `cost` cores: the k-th is
 * admitted while (1 − ratio)·cpus − (k − 1)·cost > cost, i.e. k < (1 − ratio)·cpus / cost.
 */
export function camerasPerIngress(cpus: number, cost: number): number {
  return Math.max(0, Math.ceil(((1 - INGRESS_MIN_IDLE_RATIO) * cpus) / cost) - 1);
}

/** The smallest whole number of cores at which one replica admits `cameras` cameras. */
export function ingressCoresFor(cameras: number, cost: number): number {
  return Math.floor((cameras * cost) / (1 - INGRESS_MIN_IDLE_RATIO)) + 1;
}

/**
 * The Ingress's resources: as configured, or sized so each replica admits its share of the
 * cameras. CPU requests equal limits: the Ingress admits against its quota, so a node that could
 * not give it that much would carry cameras it cannot encode in time. Memory per camera is
 * DEFAULTS.ingressMemoryPerCameraMiB (measured by the camera-path bench).
 */
export function resolveIngressResources(c: StackConfigParsed): ResourceLimits {
  if (c.ingress.resources) return c.ingress.resources;
  const floor = DEFAULTS.resources.ingress;
  const share = Math.ceil(camerasWithIngest(c.cameras, "transcode").length / c.ingress.replicas);
  if (share === 0) return { requests: { ...floor.requests }, limits: { ...floor.limits } };
  const cores = String(Math.max(Number(floor.limits.cpu), ingressCoresFor(share, c.ingress.rtmpCpuCost)));
  const mib = DEFAULTS.ingressMemoryBaseMiB + share * DEFAULTS.ingressMemoryPerCameraMiB;
  const rounded = Math.max(2048, Math.ceil(mib / 256) * 256);
  const memory = rounded % 1024 === 0 ? `${rounded / 1024}Gi` : `${rounded}Mi`;
  return { requests: { cpu: cores, memory }, limits: { cpu: cores, memory } };
}

/**
 * Refuses an Ingress that could never carry the listed cameras: it would start, report healthy
 * and refuse every stream MediaMTX forwards ("no response from servers" in the reconciler's
 * terms, a dark tile in the viewer's).
 */
export function checkIngressAdmission(c: StackConfigParsed, resources: ResourceLimits, out: ConfigProblem[]): void {
  const transcoded = camerasWithIngest(c.cameras, "transcode").length;
  if (!c.ingress.enabled || transcoded === 0) return;
  const cpus = parseCpu(resources.limits.cpu);
  if (cpus === undefined) return;
  const cost = c.ingress.rtmpCpuCost;
  const perReplica = camerasPerIngress(cpus, cost);
  const share = Math.ceil(transcoded / c.ingress.replicas);
  if (perReplica >= share) return;
  const admits = perReplica === 0 ? "no camera" : `${perReplica} camera(s)`;
  out.push({
    path: ["ingress", "resources", "limits", "cpu"],
    problem:
      `each Ingress replica must take ${share} of the ${transcoded} transcoded camera(s), but at ${cpus} core(s) it admits ${admits}: ` +
      `it accepts a stream only while idle CPU minus ${INGRESS_MIN_IDLE_RATIO * 100}% of its cores exceeds rtmpCpuCost (${cost})`,
    fix:
      `set lkstack:ingress.resources.limits.cpu to at least ${ingressCoresFor(share, cost)}` +
      (perReplica > 0 ? `, or lkstack:ingress.replicas to ${Math.ceil(transcoded / perReplica)}` : "") +
      " (rtmpCpuCost is the cores one camera's re-encode takes: lower it only after measuring)",
  });
}
