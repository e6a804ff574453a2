import { checkServerIdentity, connect, rootCertificates, type PeerCertificate } from "node:tls";

/** What a TLS endpoint presented, and whether a browser would accept it for `servername`. */
export interface TlsInspection {
  /** The chain verifies to a trusted root (the system's, NODE_EXTRA_CA_CERTS, or `ca`). */
  chainOk: boolean;
  chainError?: string;
  /** The leaf names `servername` (subjectAltName, as browsers match it). */
  nameOk: boolean;
  nameError?: string;
  subjectAltName?: string;
  issuer?: string;
  serial?: string;
  notAfter?: Date;
  /** Whole days until notAfter (negative once expired). */
  daysLeft?: number;
}

/**
 * Opens a TLS connection without refusing a bad certificate, so the answer can say what is wrong
 * with it (chain, name, expiry) instead of only that the handshake failed.
 */
export function inspectTls(
  host: string,
  port: number,
  servername: string,
  timeoutMs: number,
  ca?: string,
  nowMs = Date.now(),
): Promise<TlsInspection> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, servername, rejectUnauthorized: false, ...(ca ? { ca: [...rootCertificates, ca] } : {}) }, () => {
      const cert: PeerCertificate = s.getPeerCertificate();
      const nameError = checkServerIdentity(servername, cert);
      const notAfter = cert.valid_to ? new Date(cert.valid_to) : undefined;
      resolve({
        chainOk: s.authorized,
        chainError: s.authorized ? undefined : String(s.authorizationError),
        nameOk: nameError === undefined,
        nameError: nameError?.message,
        subjectAltName: cert.subjectaltname,
        issuer: [cert.issuer?.CN].flat().join(", ") || undefined,
        serial: cert.serialNumber?.toUpperCase(),
        notAfter,
        daysLeft: notAfter ? Math.floor((notAfter.getTime() - nowMs) / 86_400_000) : undefined,
      });
      s.end();
    });
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(new Error(`no TLS handshake with ${host}:${port} within ${timeoutMs} ms`));
    });
    s.once("error", reject);
  });
}
