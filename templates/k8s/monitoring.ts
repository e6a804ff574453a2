import type { ConfigMap, Secret } from "kubernetes-types/core/v1";
import { METRICS_USERNAME, SERVICE_NAMES, type StackConfig } from "../../schema";
import { LABEL, PART_OF, secret, selectorLabels } from "./common";

/** A Prometheus Operator object (monitoring.coreos.com/v1). */
export interface MonitoringObject {
  apiVersion: "monitoring.coreos.com/v1";
  kind: "ServiceMonitor" | "PrometheusRule";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

export interface MonitoringObjects {
  /** Ingress and coturn: their servers have no metrics auth. */
  serviceMonitor?: MonitoringObject;
  /** The SFU, scraped with basic auth from the metrics Secret (`metricsAuthSecret`). */
  sfuServiceMonitor?: MonitoringObject;
  prometheusRule?: MonitoringObject;
  dashboard?: ConfigMap;
}

/** The label Grafana's dashboard sidecar watches (kube-prometheus-stack default). */
export const GRAFANA_DASHBOARD_LABEL = "grafana_dashboard";

function meta(cfg: StackConfig, name: string) {
  return {
    name,
    namespace: cfg.kubernetes.namespace,
    labels: { [LABEL.partOf]: PART_OF, [LABEL.managedBy]: "lkstack", ...cfg.kubernetes.monitoring.labels },
  };
}

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "critical" | "warning" };
  annotations: { summary: string; runbook: string };
}

/**
 * The seed's failure modes as alerts. coturn exports no allocation-failure counter, so TURN
 * trouble shows as the exporter going away or STUN errors rising against requests.
 */
export function alertRules(cfg: StackConfig): AlertRule[] {
  const ns = `namespace="${cfg.kubernetes.namespace}"`;
  const up = (svc: string) => `up{job="${svc}",${ns}}`;
  const rules: AlertRule[] = [
    {
      alert: "LkstackSfuDown",
      expr: `${up(SERVICE_NAMES.sfu)} == 0 or absent(${up(SERVICE_NAMES.sfu)})`,
      for: "2m",
      labels: { severity: "critical" },
      annotations: {
        summary: "A LiveKit SFU does not answer on its metrics port",
        runbook: "lkstack doctor; kubectl -n lkstack logs deploy/lkstack-sfu",
      },
    },
    {
      alert: "LkstackSfuNackRateHigh",
      expr: `sum by (instance) (rate(livekit_nack_total{${ns}}[5m])) / clamp_min(sum by (instance) (rate(livekit_packet_total{${ns}}[5m])), 1) > 0.02`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Over 2% of packets are retransmitted (network loss between SFU and viewers)",
        runbook: "Seed troubleshooting: check packet loss, lower the layer, check the UDP range is open",
      },
    },
    {
      alert: "LkstackValkeyDown",
      expr: `kube_statefulset_status_replicas_ready{statefulset="${SERVICE_NAMES.valkey}",${ns}} < 1`,
      for: "1m",
      labels: { severity: "critical" },
      annotations: {
        summary: "No Valkey pod is ready: rooms cannot be created or routed",
        runbook: "kubectl -n lkstack describe sts lkstack-valkey",
      },
    },
  ];
  if (cfg.turn.enabled)
    rules.push(
      {
        alert: "LkstackTurnDown",
        expr: `${up(SERVICE_NAMES.turn)} == 0 or absent(${up(SERVICE_NAMES.turn)})`,
        for: "2m",
        labels: { severity: "critical" },
        annotations: {
          summary: "coturn does not answer: viewers behind strict NAT cannot connect",
          runbook: "lkstack doctor (TURN allocation row)",
        },
      },
      {
        alert: "LkstackTurnAllocationErrors",
        expr: `sum(rate(stun_binding_error{${ns}}[5m])) / clamp_min(sum(rate(stun_binding_request{${ns}}[5m])), 1) > 0.05`,
        for: "10m",
        labels: { severity: "warning" },
        annotations: {
          summary: "Over 5% of STUN/TURN requests fail (wrong TURN secret, quota or denied peer)",
          runbook: "Compare lkstack:turn secrets in LiveKit and coturn; check coturn logs for 401/403",
        },
      },
    );
  if (cfg.ingress.enabled)
    rules.push({
      alert: "LkstackIngressDown",
      expr: `${up(SERVICE_NAMES.ingress)} == 0 or absent(${up(SERVICE_NAMES.ingress)})`,
      for: "5m",
      labels: { severity: "critical" },
      annotations: { summary: "No LiveKit Ingress answers: camera feeds stop", runbook: "kubectl -n lkstack logs deploy/lkstack-ingress" },
    });
  return rules;
}

/** The seed's five metrics, one panel each. */
export function grafanaDashboard(cfg: StackConfig): Record<string, unknown> {
  const ns = `namespace="${cfg.kubernetes.namespace}"`;
  const panels = [
    { title: "Active rooms", expr: `sum(livekit_room_total{${ns}})`, unit: "short" },
    { title: "Participants", expr: `sum(livekit_participant_total{${ns}})`, unit: "short" },
    { title: "Packets per second", expr: `sum by (direction) (rate(livekit_packet_total{${ns}}[1m]))`, unit: "pps" },
    { title: "Throughput", expr: `sum by (direction) (rate(livekit_bytes_total{${ns}}[1m])) * 8`, unit: "bps" },
    { title: "NACKs per second", expr: `sum by (instance) (rate(livekit_nack_total{${ns}}[1m]))`, unit: "short" },
  ];
  return {
    uid: `lkstack-${cfg.kubernetes.namespace}`.slice(0, 40),
    title: `lkstack (${cfg.kubernetes.namespace})`,
    schemaVersion: 39,
    time: { from: "now-6h", to: "now" },
    refresh: "30s",
    templating: { list: [{ name: "datasource", type: "datasource", query: "prometheus" }] },
    panels: panels.map((p, i) => ({
      id: i + 1,
      type: "timeseries",
      title: p.title,
      datasource: { type: "prometheus", uid: "${datasource}" },
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: [{ refId: "A", expr: p.expr }],
    })),
  };
}

/**
 * The Secret Prometheus reads the SFU's metrics credentials from, named so when nothing else names
 * it (offline manifests); the Pulumi program auto-names it like every other Secret.
 */
export const METRICS_AUTH_SECRET = `${SERVICE_NAMES.sfu}-metrics-auth`;

/** Keys of the metrics Secret (each a SecretKeySelector of the ServiceMonitor's basicAuth). */
export const METRICS_AUTH_KEYS = { username: "username", password: "password" } as const;

/** The data of the metrics Secret: the public user and the password livekit-server gets from env. */
export function metricsAuthData(password: string): Record<string, string> {
  return { [METRICS_AUTH_KEYS.username]: METRICS_USERNAME, [METRICS_AUTH_KEYS.password]: password };
}

/** The metrics Secret, in the stack namespace (a ServiceMonitor reads Secrets of its own namespace only). */
export function metricsAuthSecret(cfg: StackConfig, name: string, password: string): Secret {
  return secret(cfg, "sfu", name, metricsAuthData(password));
}

/** The SFU's ServiceMonitor: its metrics port asks for basic auth (prometheus.username/password). */
export function sfuServiceMonitor(cfg: StackConfig, metricsSecretName: string): MonitoringObject {
  const key = (k: string) => ({ name: metricsSecretName, key: k });
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: meta(cfg, SERVICE_NAMES.sfu),
    spec: {
      selector: { matchLabels: selectorLabels("sfu") },
      namespaceSelector: { matchNames: [cfg.kubernetes.namespace] },
      endpoints: [
        {
          port: "metrics",
          path: "/metrics",
          interval: "30s",
          basicAuth: { username: key(METRICS_AUTH_KEYS.username), password: key(METRICS_AUTH_KEYS.password) },
        },
      ],
    },
  };
}

export function monitoringObjects(cfg: StackConfig, metricsSecretName: string = METRICS_AUTH_SECRET): MonitoringObjects {
  const m = cfg.kubernetes.monitoring;
  const out: MonitoringObjects = {};
  if (m.serviceMonitor) {
    out.serviceMonitor = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: meta(cfg, "lkstack"),
      // Every other lkstack Service with a port named "metrics" (Ingress, coturn): no auth upstream,
      // and the SFU's credentials are not sent to them.
      spec: {
        selector: {
          matchLabels: { [LABEL.partOf]: PART_OF },
          matchExpressions: [{ key: LABEL.component, operator: "NotIn", values: ["sfu"] }],
        },
        namespaceSelector: { matchNames: [cfg.kubernetes.namespace] },
        endpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }],
      },
    };
    out.sfuServiceMonitor = sfuServiceMonitor(cfg, metricsSecretName);
  }
  if (m.prometheusRule)
    out.prometheusRule = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: meta(cfg, "lkstack"),
      spec: { groups: [{ name: "lkstack", rules: alertRules(cfg) }] },
    };
  if (m.grafanaDashboard) {
    const dashboardMeta = meta(cfg, "lkstack-dashboard");
    out.dashboard = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { ...dashboardMeta, labels: { ...dashboardMeta.labels, [GRAFANA_DASHBOARD_LABEL]: "1" } },
      data: { "lkstack.json": JSON.stringify(grafanaDashboard(cfg), null, 2) },
    };
  }
  return out;
}
