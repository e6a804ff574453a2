import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { metricsAuthData, sfuServiceMonitor, type MonitoringObjects } from "../../templates";
import type { StackConfig, StackSecrets } from "../../schema";
import { configMapResource, customResource, monitoringResource, secretResource } from "./objects";

/**
 * The stack's monitoring objects (ServiceMonitors, PrometheusRule, dashboard) as resources, and the
 * Secret the SFU's ServiceMonitor reads its basic-auth credentials from (with serviceMonitor on).
 */
export function monitoringResources(
  name: string,
  cfg: StackConfig,
  mon: MonitoringObjects,
  secrets: pulumi.Input<StackSecrets>,
  opts: pulumi.CustomResourceOptions & { dependsOn: pulumi.Resource[] },
): { resources: pulumi.Resource[]; metricsSecret?: k8s.core.v1.Secret } {
  let metricsSecret: k8s.core.v1.Secret | undefined;
  const sfuMonitor: pulumi.Resource[] = [];
  if (mon.sfuServiceMonitor) {
    // Auto-named and immutable like the workloads' Secrets: a new password is a new Secret, and
    // the ServiceMonitor is pointed at it before the old one goes.
    const secret = secretResource(
      `${name}-metrics-auth`,
      cfg,
      "sfu",
      pulumi.secret(pulumi.output(secrets).apply((s) => metricsAuthData(s.metricsPassword))),
      opts,
    );
    metricsSecret = secret;
    sfuMonitor.push(
      secret,
      monitoringResource(
        `${name}-sfu-servicemonitor`,
        mon.sfuServiceMonitor,
        secret.metadata.name.apply((n) => sfuServiceMonitor(cfg, n)),
        { ...opts, dependsOn: [...opts.dependsOn, secret] },
      ),
    );
  }
  const resources = [
    ...(mon.serviceMonitor ? [customResource(`${name}-servicemonitor`, mon.serviceMonitor, opts)] : []),
    ...sfuMonitor,
    ...(mon.prometheusRule ? [customResource(`${name}-prometheusrule`, mon.prometheusRule, opts)] : []),
    ...(mon.dashboard ? [configMapResource(`${name}-dashboard`, mon.dashboard, opts)] : []),
  ];
  return { resources, metricsSecret };
}
