import type { Command } from "commander";
import { DEFAULT_PORTS, UDP_MODES, type UdpMode } from "../../schema/ports";
import type { ViewingLayer } from "../../schema/capacity";
import { formatIngestPlans, formatPlan, ingestPlansFor, planFor, VIEWING_LAYERS } from "../capacity";
import { action, projectDir, required, UsageError, withStack, type CliCommand, type StackOptions } from "../command";

interface CapacityOptions extends StackOptions {
  cameras?: string;
  viewersPerCamera?: string;
  layer?: string;
  udpMode?: string;
}

/** A count flag's value: a whole number, zero or more. */
function count(value: string | undefined, flag: string): number {
  const n = Number(required(value, flag));
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number`);
  return n;
}

function isUdpMode(text: string): text is UdpMode {
  return (UDP_MODES as readonly string[]).includes(text);
}

function isLayer(text: string): text is ViewingLayer {
  return (VIEWING_LAYERS as readonly string[]).includes(text);
}

export const capacity: CliCommand = {
  help: `  capacity --cameras N --viewers-per-camera M [--layer high|medium|low|mix] [--udp-mode range|single] [--stack STACK]
      size SFU, Ingress and coturn from the capacity model (the stack's layers, UDP range and mode if given)`,
  register(program: Command, ctx) {
    const cmd = withStack(program.command("capacity"))
      .option("--cameras <n>")
      .option("--viewers-per-camera <m>")
      .option("--layer <layer>")
      .option("--udp-mode <mode>");
    action<CapacityOptions>(cmd, ctx, async (o) => {
      const layer = o.layer ?? "mix";
      if (!isLayer(layer)) throw new UsageError(`--layer must be one of ${VIEWING_LAYERS.join(", ")}`);
      const udpMode = o.udpMode;
      if (udpMode !== undefined && !isUdpMode(udpMode)) throw new UsageError(`--udp-mode must be one of ${UDP_MODES.join(", ")}`);
      const cfg = o.stack ? (await import("../stackFile")).loadStackConfig(o.stack, projectDir(o, ctx.io)) : undefined;
      const plan = planFor(count(o.cameras, "--cameras"), count(o.viewersPerCamera, "--viewers-per-camera"), layer, cfg, udpMode);
      for (const line of formatPlan(plan, cfg?.sfu.ports.udp ?? DEFAULT_PORTS.sfu.udp)) ctx.io.out(line);
      for (const line of formatIngestPlans(ingestPlansFor(plan.cameras, cfg))) ctx.io.out(line);
      return 0;
    });
  },
};
