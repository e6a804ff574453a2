import type { Command } from "commander";
import { SECRET_ENV } from "../../schema";
import { CredentialsError, secretsFor } from "../credentials";
import { doctorTargets, formatChecks, runDoctor } from "../doctor";
import { loadStackConfig } from "../stackFile";
import { action, projectDir, required, withStack, type CliCommand, type Io, type StackOptions } from "../command";

interface DoctorOptions extends StackOptions {
  url?: string;
  ingressUrl?: string;
  turn?: string;
  valkey?: string;
}

/** io.env plus the secrets the checks need from the stack's outputs; a missing one fails its row, with the fix. */
function withSecrets(stack: string, io: Io, project: string): Record<string, string | undefined> {
  const wanted = [
    { env: SECRET_ENV.turnSecret, output: "turnSecret" },
    { env: SECRET_ENV.valkeyPassword, output: "valkeyPassword" },
    { env: SECRET_ENV.metricsPassword, output: "metricsPassword" },
  ];
  try {
    return { ...io.env, ...secretsFor(stack, wanted, io.env, project).values };
  } catch (e) {
    if (e instanceof CredentialsError) return io.env;
    throw e;
  }
}

export const doctor: CliCommand = {
  help: `  doctor --stack STACK [--url URL] [--ingress-url URL] [--turn HOST:PORT] [--valkey HOST:PORT]
      the seed's troubleshooting guide as checks (✓/✗, the figure seen, the fix); exit 0 only when
      all pass. TURN_SECRET, VALKEY_PASSWORD and LKSTACK_METRICS_PASSWORD from env, else the
      outputs turnSecret/valkeyPassword/metricsPassword`,
  register(program: Command, ctx) {
    const cmd = withStack(program.command("doctor"))
      .option("--url <url>")
      .option("--ingress-url <url>")
      .option("--turn <host:port>")
      .option("--valkey <host:port>");
    action<DoctorOptions>(cmd, ctx, async (o) => {
      const { io } = ctx;
      const stack = required(o.stack, "--stack");
      const project = projectDir(o, io);
      const cfg = loadStackConfig(stack, project);
      const flags = { url: o.url, ingressUrl: o.ingressUrl, turn: o.turn, valkey: o.valkey };
      const checks = await runDoctor(cfg, doctorTargets(cfg, flags, withSecrets(stack, io, project)));
      for (const line of formatChecks(checks)) io.out(line);
      const failed = checks.filter((c) => !c.ok).length;
      io.out(failed === 0 ? `all ${checks.length} checks pass` : `${failed} of ${checks.length} checks fail`);
      return failed === 0 ? 0 : 1;
    });
  },
};
