import { DEFAULTS } from "../schema";

/**
 * A shell fragment that watches a certificate and key and runs `onChange` in the server's place
 * once they changed and then held still for one more check (cert-manager swaps both at once;
 * `cp` onto a Docker host file writes one, then the other). It runs in the background of the
 * start script and signals `$$`, which the script's closing `exec` turns into the server itself:
 * the server stays PID 1 and receives SIGTERM directly, and the watcher ends with it.
 *
 * Kubernetes updates a mounted Secret in place (an atomic symlink swap) but never restarts the pod,
 * and a checksum annotation only sees Secrets Pulumi writes, not cert-manager's renewals: reading
 * the mounted files is the one signal every certificate source gives.
 */
export function certWatchScript(
  files: { cert: string; key: string },
  onChange: string,
  everySeconds: number = DEFAULTS.certWatchSeconds,
): string {
  const sum = `cat ${files.cert} ${files.key} 2>/dev/null | cksum`;
  return [
    `(served=$(${sum}); seen=$served`,
    `while kill -0 $$ 2>/dev/null; do sleep ${everySeconds}; now=$(${sum})`,
    `if [ "$now" != "$seen" ]; then seen=$now; elif [ "$now" != "$served" ]; then served=$now; ${onChange}; fi`,
    `done) &`,
  ].join("; ");
}
