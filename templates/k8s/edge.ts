import type { Ingress } from "kubernetes-types/networking/v1";
import { SERVICE_NAMES, stackRunsEdge, type CertificateSource, type StackConfig } from "../../schema";
import { labels } from "./common";
import type { CertManagerCertificate } from "./turn";

/**
 * The SFU's signalling port published through the cluster's Ingress controller, TLS terminated
 * there. Only 7880 goes this way: ICE/TCP (7881) and the UDP range stay on the nodes' own
 * addresses (host network), because media through an HTTP proxy is neither possible nor wanted.
 */
export interface EdgeObjects {
  ingress: Ingress;
  certificate?: CertManagerCertificate;
}

/** ingress-nginx's timeouts for a proxied connection; an upgraded WebSocket is held to them too. */
export const NGINX_TIMEOUT_ANNOTATIONS = [
  "nginx.ingress.kubernetes.io/proxy-read-timeout",
  "nginx.ingress.kubernetes.io/proxy-send-timeout",
] as const;

/** The kubernetes.io/tls Secret a certificate source ends up in (cert-manager's: a name the stack picks). */
export function tlsSecretFor(source: CertificateSource | undefined, issuedName: string): string | undefined {
  if (!source) return undefined;
  if ("secretName" in source) return source.secretName;
  if ("issuer" in source) return issuedName;
  return undefined;
}

/** A cert-manager Certificate for `dnsNames`, when the source names an issuer. */
export function certManagerCertificate(
  cfg: StackConfig,
  owner: "sfu" | "turn",
  name: string,
  source: CertificateSource | undefined,
  secretName: string | undefined,
  dnsNames: string[],
): CertManagerCertificate | undefined {
  if (!source || !("issuer" in source) || !secretName) return undefined;
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name, namespace: cfg.kubernetes.namespace, labels: labels(owner) },
    spec: { secretName, dnsNames, issuerRef: { name: source.issuer.name, kind: source.issuer.kind, group: "cert-manager.io" } },
  };
}

export const EDGE_NAME = `${SERVICE_NAMES.sfu}-edge`;

export function edgeObjects(cfg: StackConfig): EdgeObjects | undefined {
  const e = cfg.edge;
  if (cfg.target !== "kubernetes" || !stackRunsEdge(cfg) || !e.host) return undefined;
  const secretName = tlsSecretFor(e.certificate, `${EDGE_NAME}-tls`);
  const timeout = String(e.websocketTimeoutSeconds);
  const ingress: Ingress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: EDGE_NAME,
      namespace: cfg.kubernetes.namespace,
      labels: labels("sfu"),
      annotations: { ...Object.fromEntries(NGINX_TIMEOUT_ANNOTATIONS.map((a) => [a, timeout])), ...e.kubernetes.annotations },
    },
    spec: {
      ...(e.kubernetes.className ? { ingressClassName: e.kubernetes.className } : {}),
      tls: [{ hosts: [e.host], ...(secretName ? { secretName } : {}) }],
      rules: [
        {
          host: e.host,
          http: {
            paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: SERVICE_NAMES.sfu, port: { name: "http" } } } }],
          },
        },
      ],
    },
  };
  return { ingress, certificate: certManagerCertificate(cfg, "sfu", EDGE_NAME, e.certificate, secretName, [e.host]) };
}
