import { join, resolve } from "node:path";
import type { Command } from "commander";
import { action, projectDir, required, withStack, type CliCommand, type StackOptions } from "../command";

/** The Pulumi program next to this CLI (index.ts, or dist/index.js once built). */
const PROGRAM_PATH = join(__dirname, "..", "..", "index");

interface PreviewOptions extends StackOptions {
  out?: string;
}

export const preview: CliCommand = {
  help: `  preview --stack STACK [--out DIR] [--project DIR]
      run the Pulumi program (index.ts) with the engine mocked and list every resource it would
      create (type, name, parent, the inputs that matter; secrets as [secret]); --out DIR also
      writes them all to DIR/resources.yaml. No Pulumi CLI, backend or cluster needed.`,
  register(program: Command, ctx) {
    const cmd = withStack(program.command("preview")).option("--out <dir>");
    action<PreviewOptions>(cmd, ctx, async (o) => {
      const { io } = ctx;
      const stack = required(o.stack, "--stack");
      const project = projectDir(o, io);
      // The Pulumi SDK loads only here: no other command pays for it.
      const { previewRun, tree, writePreview } = await import("../preview");
      // The program validates the config (a bad value stops it with its ConfigError) and exports
      // its summary: a city's camera list is parsed once, by the program, not here as well.
      const { resources, outputs } = await previewRun(stack, project, PROGRAM_PATH);
      if (typeof outputs.summary !== "string") throw new Error(`the program at ${PROGRAM_PATH} exported no summary`);
      io.out(outputs.summary);
      io.out(`plan: ${resources.length} resources (${resources.filter((r) => r.custom).length} to create, the rest components)`);
      for (const line of tree(resources)) io.out(line);
      if (o.out) io.out(`wrote ${writePreview(resources, resolve(io.cwd, o.out))}`);
      return 0;
    });
  },
};
