// Our own (no library defers one module of another package): the Pulumi SDK requires the
// TypeScript compiler (about 9 MB of JavaScript) when it loads, for closure serialization, which
// `lkstack preview` never uses; loading it costs about 0.15 s of CPU per run. Imported for its
// effect, before the SDK: the SDK's TypeScript shim is registered as a module whose first use
// loads the compiler, so the SDK behaves the same and only a run that needs it pays for it.
import Module from "node:module";
import { dirname, join } from "node:path";

/** The SDK's shim: `typescript` from node_modules, else the copy vendored with the SDK. */
function loadTypescript(shimPath: string): object {
  const requireFromShim = Module.createRequire(shimPath);
  try {
    return requireFromShim("typescript") as object;
  } catch {
    return requireFromShim(join(dirname(shimPath), "vendor", "typescript@3.8.3", "typescript.js")) as object;
  }
}

/** Registers the deferred shim; returns false (and changes nothing) if the SDK has none or it already loaded. */
export function deferTypescript(): boolean {
  let shimPath: string;
  try {
    shimPath = require.resolve("@pulumi/pulumi/typescript-shim");
  } catch {
    return false;
  }
  if (require.cache[shimPath]) return false;
  let compiler: object | undefined;
  const real = () => (compiler ??= loadTypescript(shimPath));
  const shim = new Module(shimPath);
  shim.filename = shimPath;
  shim.loaded = true;
  shim.exports = new Proxy(
    {},
    {
      get: (_, key) => Reflect.get(real(), key),
      has: (_, key) => Reflect.has(real(), key),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(real(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
  require.cache[shimPath] = shim;
  return true;
}

deferTypescript();
