import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { engineConfig } from "../../cli/preview";
import { PROJECT_DIR } from "../helpers/fixtures";
import { recordingMocks } from "../helpers/mocks";

/**
 * Pulumi keys state by URN (type chain + name): a changed URN on an existing stack means delete and
 * create. The fixtures were captured from the code before the re-layout (issue 16); a refactor that
 * moves a component must keep its type token or add an alias so this list stays the same.
 * Regenerate only for an intended resource change: LKSTACK_UPDATE_URNS=1 npx jest test/components/urns.test.ts
 */
const FIXTURES = join(__dirname, "..", "fixtures");

/** Secret config the stack files expect on the deploying machine (their values do not reach URNs). */
const SECRET_CONFIG: Record<"dev" | "prod", Record<string, unknown>> = {
  dev: { cameraCredentials: { lab: { username: "viewer", password: "lab-pass-0123" } } },
  prod: {
    cameraCredentials: { "corridor-a": { username: "u", password: "p-a-0123" }, "corridor-b": { username: "u", password: "p-b-0123" } },
  },
};

/**
 * Runs index.ts under mocks and returns every registered resource's URN, sorted. The URN is built
 * as the engine builds it (stack, project, the parents' type chain, the type, the name): mocked
 * registrations resolve no URN outputs across the test's isolated module registry.
 */
async function planUrns(stack: "dev" | "prod"): Promise<string[]> {
  const chains = new WeakMap<pulumi.Resource, string>();
  const urns: string[] = [];
  await jest.isolateModulesAsync(async () => {
    // Installed under the stack's own name: URNs carry it.
    const { engine } = recordingMocks();
    await pulumi.runtime.setMocks(engine.mocks, "lkstack", stack, false);
    const { config, secretKeys } = engineConfig(stack, PROJECT_DIR, SECRET_CONFIG[stack]);
    pulumi.runtime.setAllConfig(config, secretKeys);
    await engine.run(() => {
      pulumi.runtime.registerStackTransformation((args) => {
        const parent = args.opts.parent ? chains.get(args.opts.parent) : undefined;
        const chain = parent ? `${parent}$${args.type}` : args.type;
        chains.set(args.resource, chain);
        urns.push(`urn:pulumi:${stack}::lkstack::${chain}::${args.name}`);
        return undefined;
      });
      return import(join(PROJECT_DIR, "index"));
    });
  });
  return urns.sort();
}

describe.each(["prod", "dev"] as const)("the %s plan's resource URNs", (stack) => {
  it("match the pre-re-layout fixture (no replacement on the next `pulumi up`)", async () => {
    const urns = await planUrns(stack);
    const file = join(FIXTURES, `urns-${stack}.json`);
    if (process.env.LKSTACK_UPDATE_URNS === "1") writeFileSync(file, JSON.stringify(urns, null, 2) + "\n");
    expect(urns.length).toBeGreaterThan(20);
    expect(urns).toEqual(JSON.parse(readFileSync(file, "utf8")) as string[]);
  });
});
