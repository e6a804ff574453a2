import type { ConfigProblem } from "./errors";
import { listeners } from "./listeners";
import { inRange, rangesOverlap, type PortRange } from "./ports";
import type { StackConfigParsed } from "./stack";

/**
 * What the platform refuses or takes for itself, checked before anything is created: the servers
 * run as non-root users with every capability dropped (no NET_BIND_SERVICE), the SFU and coturn
 * share each node's ports with the node's own services, and some namespaces belong to the cluster.
 */

/** Below this, binding needs root or NET_BIND_SERVICE (Linux net.ipv4.ip_unprivileged_port_start). */
export const FIRST_UNPRIVILEGED_PORT = 1024;

/** Kubernetes' default Service NodePort range: kube-proxy forwards these on every node. */
export const NODE_PORT_RANGE: PortRange = { start: 30000, end: 32767 };

/** Ports a Kubernetes node's own services listen on (kubelet, kube-proxy, control plane). */
export const NODE_SERVICE_PORTS: readonly { port: number; what: string }[] = [
  { port: 2379, what: "etcd client" },
  { port: 2380, what: "etcd peer" },
  { port: 6443, what: "the API server" },
  { port: 10248, what: "the kubelet healthz" },
  { port: 10249, what: "kube-proxy metrics" },
  { port: 10250, what: "the kubelet API" },
  { port: 10255, what: "the kubelet read-only port" },
  { port: 10256, what: "kube-proxy healthz" },
  { port: 10257, what: "kube-controller-manager" },
  { port: 10259, what: "kube-scheduler" },
];

/** Namespaces the cluster owns; the stack's objects and its default-deny policies must not land there. */
export const SHARED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;

const show = (r: PortRange) => (r.start === r.end ? `port ${r.start}` : `${r.start}-${r.end}`);

export function checkPlatform(c: StackConfigParsed, out: ConfigProblem[]): void {
  const k8s = c.target === "kubernetes";
  for (const l of listeners(c)) {
    if (l.range.start < FIRST_UNPRIVILEGED_PORT)
      out.push({
        path: l.path,
        problem: `${show(l.range)} (${l.what}) is below ${FIRST_UNPRIVILEGED_PORT}: the server runs as a non-root user with every capability dropped, so it cannot bind it`,
        fix: `use a port from ${FIRST_UNPRIVILEGED_PORT} up and map a well-known port (443, 80) at your load balancer or firewall`,
      });
    if (!k8s || !l.hostNetwork) continue;
    for (const s of NODE_SERVICE_PORTS)
      if (inRange(s.port, l.range))
        out.push({
          path: l.path,
          problem: `${show(l.range)} (${l.what}) includes ${s.port}, which ${s.what} holds on every node (this pod uses the host network)`,
          fix: `choose ${l.range.start === l.range.end ? "another port" : "a range"} clear of the node's own ports (${NODE_SERVICE_PORTS.map((p) => p.port).join(", ")})`,
        });
    if (rangesOverlap(l.range, NODE_PORT_RANGE))
      out.push({
        path: l.path,
        problem: `${show(l.range)} (${l.what}) overlaps the NodePort range ${NODE_PORT_RANGE.start}-${NODE_PORT_RANGE.end}, which kube-proxy redirects on every node`,
        fix: `move it outside ${NODE_PORT_RANGE.start}-${NODE_PORT_RANGE.end} (the defaults 7880-7882, 50000-50500, 3478/5349 and 40000-49999 are)`,
      });
  }
  const ns = c.kubernetes.namespace;
  if (k8s && (SHARED_NAMESPACES as readonly string[]).includes(ns))
    out.push({
      path: ["kubernetes", "namespace"],
      problem: `"${ns}" belongs to the cluster: the stack's default-deny NetworkPolicies and privileged Pod Security label would apply to everything in it`,
      fix: `use a namespace of the stack's own, e.g. "lkstack" (the default)`,
    });
}
