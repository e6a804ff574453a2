import type { ConfigProblem } from "./errors";
import type { CertificateSource, StackConfigParsed } from "./stack";

/**
 * The TLS edge in front of the SFU's signalling port, and the URLs it makes clients use. A page
 * served over https may open only wss://, and enterprise networks often let only 443 out.
 */

type EdgeConfig = Pick<StackConfigParsed, "target" | "edge">;

/** Whether the stack itself runs the edge (an Ingress, or a Caddy container), not only advertises it. */
export function stackRunsEdge(c: EdgeConfig): boolean {
  if (!c.edge.enabled) return false;
  return c.target === "kubernetes" ? c.edge.kubernetes.kind === "ingress" : c.edge.docker.kind === "caddy";
}

/** The signalling URL viewers use: wss://<host>[:port] with the edge on, else undefined (no public URL is known). */
export function signallingUrl(c: EdgeConfig): string | undefined {
  if (!c.edge.enabled || !c.edge.host) return undefined;
  return `wss://${c.edge.host}${c.edge.port === 443 ? "" : `:${c.edge.port}`}`;
}

/** Which certificate sources a target can mount, and the fix that names the right one. */
export function certificateTargetProblem(
  target: StackConfigParsed["target"],
  cert: CertificateSource,
  path: readonly PropertyKey[],
): ConfigProblem | undefined {
  if ("certFile" in cert && target !== "docker")
    return {
      path,
      problem: "host file paths need the docker target",
      fix: "use {secretName: <kubernetes.io/tls Secret>} or {issuer: {name}} on Kubernetes",
    };
  if ("secretName" in cert && target !== "kubernetes")
    return {
      path,
      problem: "a Secret reference needs the kubernetes target",
      fix: "use {certFile, keyFile} (absolute paths on the Docker host) on Docker",
    };
  if ("issuer" in cert && target !== "kubernetes")
    return {
      path: [...path, "issuer"],
      problem: "a cert-manager issuer needs the kubernetes target",
      fix: "use {certFile, keyFile} (absolute paths on the Docker host) on Docker",
    };
  return undefined;
}

export function checkEdge(c: StackConfigParsed, out: ConfigProblem[]): void {
  const e = c.edge;
  if (!e.enabled) return;
  if (!e.host)
    out.push({
      path: ["edge", "host"],
      problem: "the edge is enabled without a public host name",
      fix: "set lkstack:edge.host to the name viewers connect to, e.g. live.example.org (its certificate must name it)",
    });
  const runs = stackRunsEdge(c);
  const kindPath = ["edge", c.target, "kind"];
  if (runs && !e.certificate)
    out.push({
      path: ["edge", "certificate"],
      problem: "the stack's TLS edge has no certificate",
      fix:
        c.target === "kubernetes"
          ? "set certificate: {issuer: {name: <cert-manager ClusterIssuer>}} or {secretName: <kubernetes.io/tls Secret>}"
          : "set certificate: {certFile: /abs/fullchain.pem, keyFile: /abs/key.pem} (files on the Docker host)",
    });
  if (!runs && e.certificate)
    out.push({
      path: ["edge", "certificate"],
      problem: `with ${kindPath.join(".")} "external" your own load balancer holds the certificate, and this one would go unused`,
      fix: `remove lkstack:edge.certificate, or set lkstack:${kindPath.join(".")} to "${c.target === "kubernetes" ? "ingress" : "caddy"}"`,
    });
  if (e.certificate) {
    const p = certificateTargetProblem(c.target, e.certificate, ["edge", "certificate"]);
    if (p) out.push(p);
  }
  if (c.target === "docker" && Object.keys(e.kubernetes.annotations).length > 0)
    out.push({
      path: ["edge", "kubernetes", "annotations"],
      problem: "Ingress annotations have no effect on the docker target",
      fix: "remove lkstack:edge.kubernetes.annotations",
    });
}
