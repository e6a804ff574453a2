import { dump } from "js-yaml";

/** Every rendered file starts with this, so an operator can tell where it came from. */
export function banner(comment: string, server: string, version: string, note: string): string {
  return [`${comment} Rendered by lkstack for ${server} ${version}. Do not edit: change the stack config.`, `${comment} ${note}`, ""].join(
    "\n",
  );
}

/**
 * Deterministic YAML: insertion order, no line folding, no aliases. js-yaml's emitter, because it is
 * the faster of the two on a city's camera list (bench/cli.ts), and it quotes YAML 1.1 booleans
 * (`yes`, `on`, `n`) that an older reader would otherwise take for true or false.
 */
export function toYaml(value: unknown): string {
  return dump(value, { lineWidth: -1, noRefs: true, quoteStyle: "double" });
}

/** Drops undefined members so optional settings leave no empty keys behind. */
export function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
