import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { BINARIES, freePorts, startDaemon, tempDir, type Daemon } from "./servers";

/**
 * A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver (RBAC, token auth and its
 * default admission plugins, Pod Security among them) and kube-controller-manager with only the
 * garbage collector and the namespace controller, which deletion needs (foreground deletion and
 * namespace finalization), and the service-account controller, which Pod admission needs. No
 * scheduler, kubelet or workload controller runs: workloads are validated, admitted and stored,
 * never started.
 */
export interface KubeCluster {
  /** A kubeconfig holding the admin token (in a 0700 temp dir; never logged). */
  kubeconfig: string;
  /** One API request as the admin; the parsed JSON body and the status. */
  api: <T = unknown>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;
  logs: () => string;
  stop: () => Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;

async function waitFor(what: string, check: () => Promise<boolean>, daemons: Daemon[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = daemons.find((d) => d.proc.exitCode !== null);
    if (dead) throw new Error(`a control-plane daemon exited (${dead.proc.exitCode}) before ${what}:\n${dead.output().slice(-4000)}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function httpsJson<T>(
  url: string,
  opts: { method: string; token?: string; ca?: Buffer; body?: unknown },
): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      url,
      {
        method: opts.method,
        ca: opts.ca,
        // Only kube-controller-manager's health port is reached without the CA (its cert is its own).
        rejectUnauthorized: opts.ca !== undefined,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(payload ? { "content-type": "application/json" } : {}),
          accept: "application/json",
        },
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Health endpoints answer plain text ("ok").
          }
          resolve({ status: res.statusCode ?? 0, body: body as T });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${opts.method} ${url} timed out`)));
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export async function startKubeCluster(): Promise<KubeCluster> {
  const dir = tempDir("kube");
  const [etcdClient, etcdPeer, apiPort, kcmPort] = await freePorts(4);
  const token = randomBytes(24).toString("hex");
  writeFileSync(join(dir, "tokens.csv"), `${token},lkstack-admin,lkstack-admin,system:masters\n`, { mode: 0o600 });
  const sa = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  writeFileSync(join(dir, "sa.pub"), sa.publicKey);
  writeFileSync(join(dir, "sa.key"), sa.privateKey, { mode: 0o600 });
  // The API server writes a self-signed CA and serving certificate for 127.0.0.1 here at start.
  const certDir = join(dir, "certs");
  const servingCert = join(certDir, "apiserver.crt");
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      `clusters:\n- name: local\n  cluster:\n    server: https://127.0.0.1:${apiPort}\n    certificate-authority: ${servingCert}`,
      `users:\n- name: admin\n  user:\n    token: ${token}`,
      "contexts:\n- name: local\n  context:\n    cluster: local\n    user: admin",
      "current-context: local",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );

  const etcd = startDaemon(BINARIES.etcd, [
    "--name=lkstack",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
    `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=lkstack=http://127.0.0.1:${etcdPeer}`,
    // A throwaway store: without fsync a loaded machine's disk stays out of every write.
    "--unsafe-no-fsync",
  ]);
  const apiserver = startDaemon(BINARIES.kubeApiserver, [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${apiPort}`,
    `--cert-dir=${certDir}`,
    `--token-auth-file=${join(dir, "tokens.csv")}`,
    "--authorization-mode=RBAC",
    `--service-account-key-file=${join(dir, "sa.pub")}`,
    `--service-account-signing-key-file=${join(dir, "sa.key")}`,
    "--service-account-issuer=https://kubernetes.default.svc",
    "--service-cluster-ip-range=10.96.0.0/16",
    // No nodes: nothing is to keep the `kubernetes` Service's endpoints.
    "--endpoint-reconciler-type=none",
  ]);
  const daemons: Daemon[] = [etcd, apiserver];
  const stop = async () => {
    for (const d of [...daemons].reverse()) await d.stop();
  };
  let ca: Buffer | undefined;
  const api = <T = unknown>(method: string, path: string, body?: unknown) => {
    ca ??= readFileSync(servingCert);
    return httpsJson<T>(`https://127.0.0.1:${apiPort}${path}`, { method, token, ca, body });
  };
  try {
    await waitFor(
      "the API server is ready",
      async () => existsSync(servingCert) && (await api("GET", "/readyz")).status === 200,
      daemons,
      READY_TIMEOUT_MS,
    );
    const kcm = startDaemon(BINARIES.kubeControllerManager, [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      // The service-account controller makes each namespace's `default` account, which Pod admission needs.
      "--controllers=garbagecollector,namespace,serviceaccount",
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      `--secure-port=${kcmPort}`,
      `--cert-dir=${join(dir, "kcm-certs")}`,
    ]);
    daemons.push(kcm);
    await waitFor(
      "kube-controller-manager is healthy",
      async () => (await httpsJson(`https://127.0.0.1:${kcmPort}/healthz`, { method: "GET", token })).status === 200,
      daemons,
      READY_TIMEOUT_MS,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    kubeconfig,
    api,
    logs: () => daemons.map((d) => d.output().slice(-3000)).join("\n----\n"),
    stop,
  };
}
