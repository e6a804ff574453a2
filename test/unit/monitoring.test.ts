import { alertRules, k8sManifests, monitoringObjects, secretGroups, type RenderedService } from "../../templates";
import { minimal, parse } from "../helpers/fixtures";

/** A Kubernetes stack in namespace `cams` with every monitoring object on and a label Prometheus selects on. */
const monitored = () =>
  parse(
    minimal("kubernetes", {
      kubernetes: {
        namespace: "cams",
        monitoring: { serviceMonitor: true, prometheusRule: true, grafanaDashboard: true, labels: { release: "kps" } },
      },
    }),
  );

describe("monitoring objects: found by the cluster's Prometheus, scoped to the stack's namespace", () => {
  it.each([
    ["serviceMonitor", ["serviceMonitor", "sfuServiceMonitor"]],
    ["prometheusRule", ["prometheusRule"]],
    ["grafanaDashboard", ["dashboard"]],
  ] as const)("%s alone creates only its own objects (each needs CRDs or a sidecar the cluster may lack)", (setting, objects) => {
    const only = parse(minimal("kubernetes", { kubernetes: { monitoring: { [setting]: true } } }));
    expect(Object.keys(monitoringObjects(only)).sort()).toEqual([...objects].sort());
  });

  it("none is created by default", () => {
    expect(monitoringObjects(parse(minimal("kubernetes")))).toEqual({});
  });

  it("every ServiceMonitor and the PrometheusRule carry the stack's labels and the ones Prometheus selects on", () => {
    const m = monitoringObjects(monitored());
    for (const o of [m.serviceMonitor, m.sfuServiceMonitor, m.prometheusRule]) {
      expect(o?.metadata.namespace).toBe("cams");
      expect(o?.metadata.labels).toEqual({
        "app.kubernetes.io/part-of": "lkstack",
        "app.kubernetes.io/managed-by": "lkstack",
        release: "kps",
      });
    }
  });

  it("the Ingress and coturn are scraped on their metrics port by one ServiceMonitor that never matches the SFU (whose port asks for credentials)", () => {
    const m = monitoringObjects(monitored());
    expect(m.serviceMonitor?.metadata.name).toBe("lkstack");
    expect(m.serviceMonitor?.spec.selector).toEqual({
      matchLabels: { "app.kubernetes.io/part-of": "lkstack" },
      matchExpressions: [{ key: "app.kubernetes.io/component", operator: "NotIn", values: ["sfu"] }],
    });
    expect(m.serviceMonitor?.spec.endpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "30s" }]);
    const sfu = (m.sfuServiceMonitor?.spec.endpoints as { port: string; path: string; interval: string; basicAuth: unknown }[])[0];
    expect([sfu.port, sfu.path, sfu.interval]).toEqual(["metrics", "/metrics", "30s"]);
    expect(sfu.basicAuth).toBeDefined();
  });

  it("the PrometheusRule holds every alert rule in one group", () => {
    const cfg = monitored();
    const rule = monitoringObjects(cfg).prometheusRule;
    expect(rule?.metadata.name).toBe("lkstack");
    expect(rule?.spec).toEqual({ groups: [{ name: "lkstack", rules: alertRules(cfg) }] });
  });

  it("both ServiceMonitors look for their Services in the stack's namespace only", () => {
    const m = monitoringObjects(monitored());
    for (const o of [m.serviceMonitor, m.sfuServiceMonitor]) expect(o?.spec.namespaceSelector).toEqual({ matchNames: ["cams"] });
  });

  it("the down alerts ask for each job's `up` in the stack's namespace only (another stack's pods do not count)", () => {
    const byName = Object.fromEntries(alertRules(monitored()).map((r) => [r.alert, r.expr]));
    expect(byName.LkstackSfuDown).toBe('up{job="lkstack-sfu",namespace="cams"} == 0 or absent(up{job="lkstack-sfu",namespace="cams"})');
    expect(byName.LkstackIngressDown).toBe(
      'up{job="lkstack-ingress",namespace="cams"} == 0 or absent(up{job="lkstack-ingress",namespace="cams"})',
    );
    expect(byName.LkstackTurnDown).toBe('up{job="lkstack-turn",namespace="cams"} == 0 or absent(up{job="lkstack-turn",namespace="cams"})');
    for (const expr of Object.values(byName)) expect(expr).toContain('namespace="cams"');
  });
});

describe("alert rules: the seed's failure modes, each with a severity, a wait and a runbook", () => {
  it("pages on a service down and warns on degradation, after waits that ride out a rollout", () => {
    const rules = alertRules(monitored());
    expect(Object.fromEntries(rules.map((r) => [r.alert, [r.labels.severity, r.for]]))).toEqual({
      LkstackSfuDown: ["critical", "2m"],
      LkstackSfuNackRateHigh: ["warning", "10m"],
      LkstackValkeyDown: ["critical", "1m"],
      LkstackTurnDown: ["critical", "2m"],
      LkstackTurnAllocationErrors: ["warning", "10m"],
      LkstackIngressDown: ["critical", "5m"],
    });
    for (const r of rules) {
      expect([r.alert, r.annotations.summary.length > 20]).toEqual([r.alert, true]);
      expect([r.alert, /lkstack doctor|kubectl|lkstack:|check/i.test(r.annotations.runbook)]).toEqual([r.alert, true]);
    }
  });

  it("alerts only on what the stack runs: no TURN alerts without coturn, no Ingress alert without the Ingress", () => {
    const cfg = monitored();
    const names = (c: typeof cfg) => alertRules(c).map((r) => r.alert);
    expect(names({ ...cfg, turn: { ...cfg.turn, enabled: false } }).filter((n) => n.startsWith("LkstackTurn"))).toEqual([]);
    expect(names({ ...cfg, ingress: { ...cfg.ingress, enabled: false } }).filter((n) => n.startsWith("LkstackIngress"))).toEqual([]);
    expect(names(cfg)).toEqual(expect.arrayContaining(["LkstackTurnDown", "LkstackTurnAllocationErrors", "LkstackIngressDown"]));
  });
});

describe("the Grafana dashboard: the seed's five metrics for this stack's namespace", () => {
  interface Panel {
    id: number;
    title: string;
    gridPos: { h: number; w: number; x: number; y: number };
    fieldConfig: { defaults: { unit: string } };
    targets: { expr: string }[];
  }
  const dashboard = () => {
    const cm = monitoringObjects(monitored()).dashboard;
    return { cm, d: JSON.parse(cm?.data?.["lkstack.json"] ?? "{}") as { uid: string; title: string; panels: Panel[] } };
  };

  it("one panel per metric, each in its unit and scoped to the namespace, laid out two per row without overlap", () => {
    const { d } = dashboard();
    expect(d.panels.map((p) => [p.title, p.fieldConfig.defaults.unit])).toEqual([
      ["Active rooms", "short"],
      ["Participants", "short"],
      ["Packets per second", "pps"],
      ["Throughput", "bps"],
      ["NACKs per second", "short"],
    ]);
    const metrics = [
      "livekit_room_total",
      "livekit_participant_total",
      "livekit_packet_total",
      "livekit_bytes_total",
      "livekit_nack_total",
    ];
    d.panels.forEach((p, i) => {
      expect(p.targets[0].expr).toContain(`${metrics[i]}{namespace="cams"}`);
      expect(p.id).toBe(i + 1);
    });
    // Two half-width panels per row on Grafana's 24-column grid, rows 8 units high.
    expect(d.panels.map((p) => p.gridPos)).toEqual([
      { h: 8, w: 12, x: 0, y: 0 },
      { h: 8, w: 12, x: 12, y: 0 },
      { h: 8, w: 12, x: 0, y: 8 },
      { h: 8, w: 12, x: 12, y: 8 },
      { h: 8, w: 12, x: 0, y: 16 },
    ]);
    for (const p of d.panels as unknown as {
      type: string;
      datasource: unknown;
      targets: { refId: string }[];
      fieldConfig: { overrides: unknown[] };
    }[]) {
      expect(p.type).toBe("timeseries");
      expect(p.datasource).toEqual({ type: "prometheus", uid: "${datasource}" });
      expect(p.targets.map((t) => t.refId)).toEqual(["A"]);
      expect(p.fieldConfig.overrides).toEqual([]);
    }
  });

  it("every panel's ${datasource} resolves: the dashboard defines that variable over Prometheus sources; it opens on the last 6 h, refreshing", () => {
    const d = JSON.parse(monitoringObjects(monitored()).dashboard?.data?.["lkstack.json"] ?? "{}") as {
      templating: { list: { name: string; type: string; query: string }[] };
      time: { from: string; to: string };
      refresh: string;
      panels: { datasource: { uid: string } }[];
    };
    expect(d.templating.list).toEqual([{ name: "datasource", type: "datasource", query: "prometheus" }]);
    for (const p of d.panels) expect(p.datasource.uid).toBe("${datasource}");
    expect(d.time).toEqual({ from: "now-6h", to: "now" });
    expect(d.refresh).toBe("30s");
  });

  it("keeps the uid within Grafana's 40 characters for a long namespace", () => {
    const long = "a".repeat(50);
    const cfg = parse(minimal("kubernetes", { kubernetes: { namespace: long, monitoring: { grafanaDashboard: true } } }));
    const d = JSON.parse(monitoringObjects(cfg).dashboard?.data?.["lkstack.json"] ?? "{}") as { uid: string };
    expect(d.uid).toBe(`lkstack-${long}`.slice(0, 40));
    expect(d.uid).toHaveLength(40);
  });

  it("is named for the namespace and found by Grafana's sidecar label", () => {
    const { cm, d } = dashboard();
    expect(d.uid).toBe("lkstack-cams");
    expect(d.title).toBe("lkstack (cams)");
    expect(cm?.metadata?.labels).toEqual(expect.objectContaining({ grafana_dashboard: "1", release: "kps" }));
    expect(cm?.metadata?.namespace).toBe("cams");
    expect(cm?.metadata?.name).toBe("lkstack-dashboard");
  });
});

describe("TURN's cert-manager Certificate", () => {
  it("is coturn's, in the stack's namespace, for turn.domain", () => {
    const cfg = parse(
      minimal("kubernetes", {
        turn: { domain: "turn.example.test", tls: { enabled: true, certificate: { issuer: { name: "le" } } } },
      }),
    );
    const cert = k8sManifests(cfg, "").turn?.certificate;
    expect(cert?.metadata).toEqual({
      name: "lkstack-turn",
      namespace: "lkstack",
      labels: expect.objectContaining({ "app.kubernetes.io/name": "lkstack-turn", "app.kubernetes.io/component": "turn" }),
    });
    expect(cert?.spec.dnsNames).toEqual(["turn.example.test"]);
  });
});

describe("secretGroups: one Secret's data per group", () => {
  it("a service's secret files and env go into one group", () => {
    const r: RenderedService = { publicFiles: { "a.conf": "public" }, secretFiles: { "a-auth.conf": "s" }, secretEnv: { A_PASSWORD: "p" } };
    expect(secretGroups(parse(minimal("kubernetes")), "turn", r)).toEqual([{ "a-auth.conf": "s", A_PASSWORD: "p" }]);
  });

  it("MediaMTX's body is split into parts, and any env goes with the first part only", () => {
    const cfg = parse(minimal("kubernetes"));
    const r: RenderedService = { publicFiles: {}, secretFiles: { "mediamtx.yml": "paths: {}\n" }, secretEnv: { M_ENV: "v" } };
    const groups = secretGroups(cfg, "mediamtx", r);
    expect(groups[0]).toEqual(expect.objectContaining({ M_ENV: "v" }));
    for (const g of groups.slice(1)) expect(g).not.toHaveProperty("M_ENV");
    expect(groups.flatMap((g) => Object.keys(g)).filter((k) => k !== "M_ENV")).toEqual(
      expect.arrayContaining([expect.stringMatching(/^mediamtx-\d{3}\.yml$/)]),
    );
  });
});
