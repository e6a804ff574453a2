import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  defaultSecretNames,
  k8sManifests,
  publicFilesOf,
  renderStack,
  renderWithoutSecrets,
  secretData,
  secretGroups,
  workloadInputs,
  type Service,
} from "../../templates";
import { reconcilerCode } from "../../reconciler/bundle";
import type { StackConfig, StackSecrets } from "../../schema";
import { Ingress } from "./ingress";
import { Edge } from "./edge";
import { Cameras } from "./cameras";
import { Publisher } from "./publisher";
import { MediaMtx } from "./mediamtx";
import { monitoringResources } from "./monitoring";
import { namespaceResource, networkPolicyResource } from "./objects";
import { Sfu } from "./sfu";
import { Turn } from "./turn";
import { Valkey } from "./valkey";

export interface K8sStackArgs {
  config: StackConfig;
  secrets: pulumi.Input<StackSecrets>;
}

/** The prod target: every service in one namespace, wired by Service DNS names. */
export class K8sStack extends pulumi.ComponentResource {
  public readonly namespace?: k8s.core.v1.Namespace;
  public readonly sfu: Sfu;
  public readonly valkey: Valkey;
  public readonly turn?: Turn;
  public readonly ingress?: Ingress;
  public readonly mediamtx?: MediaMtx;
  public readonly cameras?: Cameras;
  public readonly publisher?: Publisher;
  public readonly edge?: Edge;
  public readonly networkPolicies: k8s.networking.v1.NetworkPolicy[];
  public readonly monitoring: pulumi.Resource[];
  /** Basic-auth credentials for the SFU's metrics, read by its ServiceMonitor (with serviceMonitor on). */
  public readonly metricsSecret?: k8s.core.v1.Secret;
  /** Every public file the stack deploys (livekit.yaml, …): no secret is in them. */
  public readonly publicFiles: Record<string, string>;

  constructor(name: string, args: K8sStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lkstack:k8s:Stack", name, {}, opts);
    const cfg = args.config;
    // Rendered once here: every object from a stand-in Secret name (which objects exist never
    // depends on secrets), and each workload gets its part; the secrets' values render once below.
    const names = defaultSecretNames();
    const withoutSecrets = renderWithoutSecrets(cfg);
    this.publicFiles = publicFilesOf(withoutSecrets);
    const inputs = workloadInputs(cfg, names, withoutSecrets);
    const code = inputs.cameras ? reconcilerCode() : "";
    const m = k8sManifests(cfg, code, names, inputs);
    const planOf = <T>(service: Service, objects: T | undefined) => {
      const input = inputs[service];
      if (!input || objects === undefined) throw new pulumi.ResourceError(`${service} was not planned`, this);
      return { objects, input };
    };
    if (m.namespace) this.namespace = namespaceResource(`${name}-namespace`, m.namespace, { parent: this });
    const child = { parent: this, dependsOn: this.namespace ? [this.namespace] : [] };
    const rendered = pulumi.output(args.secrets).apply((s) => renderStack(cfg, s));
    const dataOf = (service: Service) =>
      pulumi.secret(
        rendered.apply((r) => {
          const one = r[service];
          if (!one) throw new pulumi.ResourceError(`${service} was not rendered`, this);
          return secretData(one);
        }),
      );

    this.valkey = new Valkey(`${name}-valkey`, { config: cfg, secretData: dataOf("valkey"), plan: planOf("valkey", m.valkey) }, child);
    this.sfu = new Sfu(
      `${name}-sfu`,
      { config: cfg, secretData: dataOf("sfu"), plan: planOf("sfu", m.sfu) },
      { ...child, dependsOn: [...child.dependsOn, this.valkey] },
    );
    if (cfg.turn.enabled)
      this.turn = new Turn(`${name}-turn`, { config: cfg, secretData: dataOf("turn"), plan: planOf("turn", m.turn) }, child);
    if (cfg.mediamtx.enabled)
      this.mediamtx = new MediaMtx(
        `${name}-mediamtx`,
        {
          config: cfg,
          secretGroups: pulumi.secret(
            rendered.apply((r) => {
              const one = r.mediamtx;
              if (!one) throw new pulumi.ResourceError("mediamtx was not rendered", this);
              return secretGroups(cfg, "mediamtx", one);
            }),
          ),
          plan: planOf("mediamtx", m.mediamtx),
        },
        child,
      );
    if (cfg.ingress.enabled)
      this.ingress = new Ingress(
        `${name}-ingress`,
        { config: cfg, secretData: dataOf("ingress"), plan: planOf("ingress", m.ingress) },
        { ...child, dependsOn: [...child.dependsOn, this.valkey, this.sfu] },
      );
    if (m.cameras)
      this.cameras = new Cameras(
        `${name}-cameras`,
        { config: cfg, secretData: dataOf("cameras"), plan: planOf("cameras", m.cameras), code },
        { ...child, dependsOn: [...child.dependsOn, ...(this.ingress ? [this.ingress] : [])] },
      );
    if (m.publisher)
      this.publisher = new Publisher(
        `${name}-publisher`,
        { config: cfg, secretData: dataOf("publisher"), plan: planOf("publisher", m.publisher) },
        { ...child, dependsOn: [...child.dependsOn, this.sfu, ...(this.mediamtx ? [this.mediamtx] : [])] },
      );
    if (m.edge) this.edge = new Edge(`${name}-edge`, { objects: m.edge }, { ...child, dependsOn: [...child.dependsOn, this.sfu] });
    this.networkPolicies = m.networkPolicies.map((p) => networkPolicyResource(p.metadata?.name ?? `${name}-policy`, p, child));
    const monitoring = monitoringResources(name, cfg, m.monitoring, args.secrets, child);
    this.monitoring = monitoring.resources;
    this.metricsSecret = monitoring.metricsSecret;
    this.registerOutputs({ namespace: cfg.kubernetes.namespace });
  }
}
