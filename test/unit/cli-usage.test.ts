import { Command } from "commander";
import { COMMANDS, USAGE } from "../../cli/main";

/** Every long flag a command (or its subcommands) declares, but --project, which USAGE's header covers. */
function flags(cmd: Command): string[] {
  const own = cmd.options.map((o) => o.long ?? "").filter((f) => f !== "" && f !== "--project");
  return [...own, ...cmd.commands.flatMap(flags)];
}

describe("the usage text and the parser agree", () => {
  it.each(COMMANDS.map((c) => [c.help.trimStart().split(" ")[0], c] as const))("%s: every flag it takes is in its help", (_, c) => {
    const program = new Command();
    c.register(program, { io: { out: () => undefined, err: () => undefined, env: {}, cwd: "." }, exit: () => undefined });
    const declared = flags(program.commands[0]);
    expect(declared.length).toBeGreaterThan(0);
    for (const flag of declared) expect(c.help).toMatch(new RegExp(`${flag}\\b`));
    expect(USAGE).toContain(c.help);
  });
});
