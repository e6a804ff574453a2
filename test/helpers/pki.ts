import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARIES } from "./servers";

/** A test CA made with openssl. */
export interface TestCa {
  cert: string;
  keyPath: string;
  certPath: string;
}

export interface Leaf {
  cert: string;
  key: string;
  /** Upper-case hex, as node:tls reports a served certificate's serial. */
  serial: string;
  /**
   * What Chromium's --ignore-certificate-errors-spki-list takes: it matches keys of the chain the
   * server presents, which holds the leaf and not the root, so each leaf is listed.
   */
  spkiSha256: string;
}

function spkiHash(pem: string): string {
  return createHash("sha256")
    .update(new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" }))
    .digest("base64");
}

const openssl = (args: string[]) => execFileSync(BINARIES.openssl, args, { stdio: ["ignore", "pipe", "pipe"] });

export function makeCa(dir: string): TestCa {
  const keyPath = join(dir, "ca.key");
  const certPath = join(dir, "ca.pem");
  openssl([
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    keyPath,
    "-out",
    certPath,
    "-days",
    "2",
    "-subj",
    "/CN=lkstack test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return { cert: readFileSync(certPath, "utf8"), keyPath, certPath };
}

/** A server certificate for `dnsName`, signed by the CA, valid for `days` days, with a fresh key. */
export function issueLeaf(dir: string, ca: TestCa, name: string, dnsName: string, days: number): Leaf {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const crt = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(
    ext,
    `subjectAltName=DNS:${dnsName}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
  );
  openssl([
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    key,
    "-out",
    csr,
    "-subj",
    `/CN=${dnsName}`,
  ]);
  openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    ca.certPath,
    "-CAkey",
    ca.keyPath,
    "-set_serial",
    `0x${randomSerial()}`,
    "-days",
    String(days),
    "-extfile",
    ext,
    "-out",
    crt,
  ]);
  const cert = readFileSync(crt, "utf8");
  return { cert, key: readFileSync(key, "utf8"), serial: new X509Certificate(cert).serialNumber.toUpperCase(), spkiSha256: spkiHash(cert) };
}

function randomSerial(): string {
  // Positive and 16 bytes, like a public CA's.
  return `1${createHash("sha256").update(String(Math.random())).digest("hex").slice(0, 31)}`;
}
