import { resolve } from "node:path";
import type { Command } from "commander";
import { action, projectDir, required, UsageError, withStack, type CliCommand, type StackOptions } from "../command";

interface RenderOptions extends StackOptions {
  out?: string;
  manifests?: boolean;
  force?: boolean;
}

export const render: CliCommand = {
  help: `  render --stack STACK --out DIR [--project DIR] [--manifests] [--force]
      validate Pulumi.STACK.yaml and write livekit.yaml, livekit-ingress.yaml, turnserver.conf,
      valkey.conf (+ sentinel.conf) and mediamtx.yml into DIR, secret parts into DIR/secret
      (from env LIVEKIT_API_KEY, LIVEKIT_API_SECRET, TURN_SECRET, VALKEY_PASSWORD,
      MEDIAMTX_API_PASSWORD, LKSTACK_METRICS_PASSWORD, LKSTACK_CAMERA_CREDENTIALS; marked
      placeholders otherwise)
      --manifests (kubernetes target): also every Kubernetes object the Pulumi program creates,
      in DIR/manifests/lkstack.yaml and the Secrets in DIR/secret/manifests-secrets.yaml
      DIR is written whole or not at all; a non-empty DIR that render did not write is refused
      unless --force (a symlink always)`,
  register(program: Command, ctx) {
    const cmd = withStack(program.command("render")).option("--out <dir>").option("--manifests").option("--force");
    action<RenderOptions>(cmd, ctx, async (o) => {
      const { io } = ctx;
      const stack = required(o.stack, "--stack");
      const out = resolve(io.cwd, required(o.out, "--out"));
      const [{ loadStackConfig }, { renderToDirectory }, { stackSummary }] = await Promise.all([
        import("../stackFile"),
        import("../render"),
        import("../../templates/summary"),
      ]);
      const cfg = loadStackConfig(stack, projectDir(o, io));
      if (o.manifests && cfg.target !== "kubernetes")
        throw new UsageError(`--manifests needs the kubernetes target; stack ${stack} has lkstack:target ${cfg.target}`);
      const result = renderToDirectory(cfg, out, io.env, { manifests: o.manifests === true, force: o.force === true });
      io.out(stackSummary(cfg, stack));
      io.out(`wrote ${result.publicFiles.join(", ")} to ${out}`);
      io.out(`wrote ${result.secretFiles.length} secret file(s) to ${out}/secret (mode 0600)`);
      const m = result.manifests;
      if (m) io.out(`wrote ${m.objects} Kubernetes objects to ${m.files.map((f) => `${out}/${f}`).join(" and ")}`);
      if (result.placeholders.length > 0)
        io.out(`placeholders (marked PLACEHOLDER_set_<VAR>) stand in for: ${result.placeholders.join(", ")}`);
      return 0;
    });
  },
};
