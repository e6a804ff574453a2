import type { Command } from "commander";
import { SECRET_ENV } from "../../schema/secretEnv";
import { action, projectDir, required, withStack, type CliCommand, type Io, type StackOptions } from "../command";

interface DoctorOptions extends StackOptions {
  url?: string;
  ingressUrl?: string;
  turn?: string;
  valkey?: string;
}

/** io.env plus the secrets the checks need from the stack's outputs; a missing one fails its row, with the fix. */
async function withSecrets(stack: string, io: Io, project: string): Promise<Record<string, string | undefined>> {
  const { CredentialsError, secretsFor } = await import("../credentials");
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
      const [{ loadStackConfig }, { doctorTargets, formatChecks, runDoctor }] = await Promise.all([
        import("../stackFile"),
        import("../doctor"),
      ]);
      const cfg = loadStackConfig(stack, project);
      const flags = { url: o.url, ingressUrl: o.ingressUrl, turn: o.turn, valkey: o.valkey };
      const checks = await runDoctor(cfg, doctorTargets(cfg, flags, await withSecrets(stack, io, project)));
      for (const line of formatChecks(checks)) io.out(line);
      const failed = checks.filter((c) => !c.ok).length;
      io.out(failed === 0 ? `all ${checks.length} checks pass` : `${failed} of ${checks.length} checks fail`);
      return failed === 0 ? 0 : 1;
    });
  },
};
