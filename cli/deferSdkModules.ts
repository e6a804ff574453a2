// Our own (no library defers one module of another package): the Pulumi SDK loads, with its index,
// parts `lkstack preview` never uses: the TypeScript compiler (about 9 MB of JavaScript, for
// closure serialization; about 0.15 s of CPU), the Automation API (its workspace, `execa`, the
// package-data normalizer; about 0.03 s), gRPC with the engine's service stubs (about 0.7 MB), the
// package-data tools closure packaging uses, function serialization and the provider server.
// Imported for its effect, before the SDK: each is registered as a module whose first use loads the
// real one, so the SDK behaves the same and only a run that needs it pays for it.
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

/** Where `request` resolves from `from` (this module by default), or undefined if it does not. */
function resolved(request: string, from: NodeJS.Require = require): string | undefined {
  try {
    return from.resolve(request);
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

/**
 * Puts a stand-in for the module at `path` in the cache whose first use loads the real one (which
 * then stays cached); false (and nothing changed) if it already loaded.
 */
function deferModule(path: string): boolean {
  const standIn = register(
    path,
    onFirstUse(() => loadReal(path, standIn), true),
  );
  return standIn !== undefined;
}

/** The real module at `path`: its stand-in leaves the cache first, so it loads (and stays cached). */
function loadReal(path: string, standIn: Module | undefined): Record<string | symbol, unknown> {
  if (require.cache[path] === standIn) Reflect.deleteProperty(require.cache, path);
  return Module.createRequire(path)(path) as Record<string | symbol, unknown>;
}

/** Defers the SDK's Automation API; false (and nothing changed) if it has none or it already loaded. */
export function deferAutomation(): boolean {
  const path = resolved("@pulumi/pulumi/automation");
  return path !== undefined && deferModule(path);
}

/** The SDK's gRPC service stubs, each of which builds its client classes with gRPC as it loads. */
const GRPC_STUBS = ["callback", "engine", "resource", "provider"].map((s) => `@pulumi/pulumi/proto/${s}_grpc_pb.js`);

/**
 * Defers gRPC and the SDK's service stubs: a mocked run talks to no engine. False (and nothing
 * changed) if the SDK has none of them or any already loaded.
 */
export function deferGrpc(): boolean {
  const sdk = resolved("@pulumi/pulumi");
  if (sdk === undefined) return false;
  const fromSdk = Module.createRequire(sdk);
  const paths = ["@grpc/grpc-js", ...GRPC_STUBS].map((r) => resolved(r, fromSdk));
  if (paths.some((p) => p === undefined || require.cache[p] !== undefined)) return false;
  return paths.every((p) => p !== undefined && deferModule(p));
}

/**
 * Defers the module at `path`, whose importers copy its functions `names` as they load (or list
 * them, like `export *`): each copy is a function that loads the real module when called; any other
 * use loads it at once. False (and nothing changed) if there is no such module or it already loaded.
 */
function deferCopiedFunctions(path: string | undefined, names: readonly string[]): boolean {
  if (path === undefined) return false;
  let real: Record<string | symbol, unknown> | undefined;
  const load = (): Record<string | symbol, unknown> => (real ??= loadReal(path, standIn));
  const later =
    (name: string) =>
    (...args: unknown[]): unknown =>
      (load()[name] as (...a: unknown[]) => unknown)(...args);
  const copied = new Map(names.map((n) => [n, later(n)]));
  const standIn = register(
    path,
    new Proxy(
      {},
      {
        get: (_, key) =>
          real ? real[key] : key === "__esModule" ? true : typeof key === "string" && copied.has(key) ? copied.get(key) : load()[key],
        ownKeys: () => (real ? Reflect.ownKeys(real) : [...copied.keys()]),
        getOwnPropertyDescriptor: (_, key) => {
          if (real) {
            const d = Reflect.getOwnPropertyDescriptor(real, key);
            return d && { ...d, configurable: true };
          }
          const value = typeof key === "string" ? copied.get(key) : undefined;
          return value && { value, writable: false, enumerable: true, configurable: true };
        },
      },
    ),
  );
  return standIn !== undefined;
}

/** The SDK module at `request`, as the SDK resolves it. */
function sdkModule(request: string): string | undefined {
  return resolved(`@pulumi/pulumi/${request}`);
}

/** Defers the SDK's code-path search (closure packaging: `normalize-package-data`, SPDX tables sorted as they load). */
export function deferCodePaths(): boolean {
  return deferCopiedFunctions(sdkModule("runtime/closure/codePaths"), ["computeCodePaths", "findWorkspaceRoot", "packageArchivePath"]);
}

/** Defers the SDK's function serialization (for dynamic providers and callbacks; about 0.6 MB with its helpers). */
export function deferClosureSerialization(): boolean {
  return deferCopiedFunctions(sdkModule("runtime/closure/serializeClosure"), ["serializeFunctionAsync", "serializeFunction"]);
}

/** Defers the SDK's provider server (a component provider's gRPC side, with the provider protocol's 0.4 MB of messages). */
export function deferProviderServer(): boolean {
  return deferCopiedFunctions(sdkModule("provider/server"), ["deserializeInputs", "containsOutputs", "main"]);
}

deferTypescript();
deferAutomation();
deferGrpc();
deferCodePaths();
deferClosureSerialization();
deferProviderServer();
