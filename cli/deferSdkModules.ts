// Our own (no library defers one module of another package): the Pulumi SDK loads, with its index,
// two parts `lkstack preview` never uses: the TypeScript compiler (about 9 MB of JavaScript, for
// closure serialization; about 0.15 s of CPU) and the Automation API (its workspace, `execa`, the
// package-data normalizer; about 0.03 s). Imported for its effect, before the SDK: each is
// registered as a module whose first use loads the real one, so the SDK behaves the same and only
// a run that needs it pays for it.
import Module from "node:module";
import { dirname, join } from "node:path";

/** The exports of a module that loads on first use; `__esModule` answers without loading (the SDK's `__importStar` asks it). */
function onFirstUse(load: () => object, esModule: boolean): object {
  let real: object | undefined;
  const get = () => (real ??= load());
  return new Proxy(
    {},
    {
      get: (_, key) => (key === "__esModule" && esModule ? true : Reflect.get(get(), key)),
      has: (_, key) => Reflect.has(get(), key),
      ownKeys: () => Reflect.ownKeys(get()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(get(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
}

/** Puts a module with `exports` in the module cache under `path`, unless something loaded it already. */
function register(path: string, exports: object): Module | undefined {
  if (require.cache[path]) return undefined;
  const m = new Module(path);
  m.filename = path;
  m.loaded = true;
  m.exports = exports;
  require.cache[path] = m;
  return m;
}

function resolved(request: string): string | undefined {
  try {
    return require.resolve(request);
  } catch {
    return undefined;
  }
}

/** The SDK's TypeScript shim: `typescript` from node_modules, else the copy vendored with the SDK. */
function loadTypescript(shimPath: string): object {
  const requireFromShim = Module.createRequire(shimPath);
  try {
    return requireFromShim("typescript") as object;
  } catch {
    return requireFromShim(join(dirname(shimPath), "vendor", "typescript@3.8.3", "typescript.js")) as object;
  }
}

/** Defers the SDK's TypeScript shim; false (and nothing changed) if the SDK has none or it already loaded. */
export function deferTypescript(): boolean {
  const shimPath = resolved("@pulumi/pulumi/typescript-shim");
  return (
    shimPath !== undefined &&
    register(
      shimPath,
      onFirstUse(() => loadTypescript(shimPath), false),
    ) !== undefined
  );
}

/** Defers the SDK's Automation API; false (and nothing changed) if it has none or it already loaded. */
export function deferAutomation(): boolean {
  const path = resolved("@pulumi/pulumi/automation");
  if (path === undefined) return false;
  const standIn = register(
    path,
    onFirstUse(() => {
      // The stand-in leaves the cache, so this loads the real module (which then stays cached).
      if (require.cache[path] === standIn) Reflect.deleteProperty(require.cache, path);
      return Module.createRequire(path)(path) as object;
    }, true),
  );
  return standIn !== undefined;
}

deferTypescript();
deferAutomation();
