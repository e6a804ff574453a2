import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

// ARCHITECTURE.md's import rules, checked: which parts each part may import, and which packages
// the pure parts may not.
const ROOT = resolve(__dirname, "..", "..");

interface Rule {
  /** Parts (top-level folders, or a file inside one) it may import besides itself. */
  may: string[];
  /** npm packages it must not import. */
  never?: RegExp;
}

const RULES: Record<string, Rule> = {
  schema: { may: [], never: /^(?!zod$)/ },
  templates: { may: ["schema"], never: /^@pulumi\// },
  reconciler: { may: ["schema", "templates"], never: /^@pulumi\// },
  components: { may: ["schema", "templates", "reconciler/bundle"] },
  "index.ts": { may: ["components", "schema", "templates"] },
  policy: { may: ["schema"] },
  cli: { may: ["schema", "templates", "reconciler"] },
  viewer: { may: [] },
};

function sources(path: string): string[] {
  if (statSync(path).isFile()) return path.endsWith(".ts") ? [path] : [];
  return readdirSync(path).flatMap((e) => sources(join(path, e)));
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:\bfrom|\bimport|\brequire\()\s*["']([^"']+)["']/g)].map((m) => m[1]);
}

describe("each part imports only what ARCHITECTURE.md allows", () => {
  it.each(Object.entries(RULES))("%s", (part, rule) => {
    const wrong: string[] = [];
    for (const file of sources(join(ROOT, part))) {
      for (const spec of imports(file)) {
        const where = `${relative(ROOT, file)} imports ${spec}`;
        if (!spec.startsWith(".")) {
          if (!spec.startsWith("node:") && rule.never?.test(spec)) wrong.push(where);
          continue;
        }
        const target = relative(ROOT, resolve(dirname(file), spec));
        const ok = [part, ...rule.may].some((p) => target === p || target.startsWith(`${p}/`) || `${target}.ts` === p);
        if (!ok) wrong.push(where);
      }
    }
    expect(wrong).toEqual([]);
  });
});
