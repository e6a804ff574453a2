import { resolve } from "node:path";
import type { Command } from "commander";
import { action, projectDir, required, withStack, type CliCommand, type StackOptions } from "../command";

interface BackupOptions extends StackOptions {
  out?: string;
  force?: boolean;
}

export const backup: CliCommand = {
  help: `  backup --stack STACK --out FILE.tar.gz [--project DIR] [--force]
      write the configuration backup (public files and a manifest; never secrets); an existing
      FILE that is not an lkstack backup is refused unless --force`,
  register(program: Command, ctx) {
    const cmd = withStack(program.command("backup")).option("--out <file>").option("--force");
    action<BackupOptions>(cmd, ctx, async (o) => {
      const stack = required(o.stack, "--stack");
      const out = resolve(ctx.io.cwd, required(o.out, "--out"));
      const [{ loadStackConfig }, { writeBackup }] = await Promise.all([import("../stackFile"), import("../backup")]);
      const cfg = loadStackConfig(stack, projectDir(o, ctx.io));
      const files = await writeBackup(cfg, stack, out, new Date(), { force: o.force === true });
      ctx.io.out(`wrote ${out}: ${files.join(", ")}`);
      return 0;
    });
  },
};
