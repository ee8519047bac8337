/**
 * Loads the emscripten-compiled ports (libsvm-js, ml-xgboost) without letting them change how the process fails.
 *
 * WHY: both ports were built with an old emscripten that, on import under Node, registers process-wide handlers:
 * libsvm-js adds `process.on('unhandledRejection', () => process.exit(1))` and ml-xgboost adds
 * `process.on('uncaughtException', (e) => { throw e })`. With the first, any unrelated rejected promise later
 * ends the whole process with exit code 1 and no message at all. We compare the listener lists before and after
 * the import and remove exactly the listeners that appeared, which restores Node's default reporting.
 *
 * Their loaders also print "wasm streaming compile failed ... falling back to ArrayBuffer instantiation" on every
 * start (they try `fetch` on a file path first); that noise is filtered out, every other message passes through.
 */

const GUARDED_EVENTS = ['unhandledRejection', 'uncaughtException'] as const;

/** Messages the emscripten loaders print while they fall back from streaming compilation. Harmless. */
const LOADER_NOISE = [/^wasm streaming compile failed/, /^falling back to ArrayBuffer instantiation/];

type Listener = (...args: unknown[]) => void;

// Loads run one at a time so that the "listeners added during the load" window belongs to a single port.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `load` (which must import a port and await its readiness) and then removes the process handlers and
 * console noise the port added. Resolves with what `load` resolved with.
 */
export function loadEmscriptenPort<T>(load: () => Promise<T>): Promise<T> {
  const run = queue.then(() => guardedLoad(load));
  queue = run.catch(() => undefined);
  return run;
}

async function guardedLoad<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(GUARDED_EVENTS.map((event) => [event, new Set(process.listeners(event) as Listener[])]));
  // The ports bind console.warn/console.error when they are imported, so the filter must be in place before.
  const restoreConsole = filterConsoleNoise();
  try {
    return await load();
  } finally {
    restoreConsole();
    for (const event of GUARDED_EVENTS) {
      for (const listener of process.listeners(event) as Listener[]) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
  }
}

/**
 * Replaces console.warn/console.error with versions that drop the loader noise, and returns a function that
 * puts the originals back. A port that kept a reference to the filtered version keeps filtering only the noise.
 */
function filterConsoleNoise(): () => void {
  const originalWarn = console.warn;
  const originalError = console.error;
  const isNoise = (args: unknown[]): boolean => typeof args[0] === 'string' && LOADER_NOISE.some((re) => re.test(args[0] as string));
  console.warn = (...args: unknown[]) => { if (!isNoise(args)) originalWarn.apply(console, args); };
  console.error = (...args: unknown[]) => { if (!isNoise(args)) originalError.apply(console, args); };
  return () => {
    console.warn = originalWarn;
    console.error = originalError;
  };
}

/** Neither port ships type declarations; importing through a plain string keeps TypeScript from asking for them. */
function untypedPackage(name: string): string {
  return name;
}

/** The ports' module objects, loaded once per process (they hold one wasm instance each). */
let libsvmPromise: Promise<unknown> | undefined;
let xgboostPromise: Promise<unknown> | undefined;

/**
 * libsvm-js's `SVM` class (untyped: the package ships no types). Only the tests call this: libsvm-js is the oracle
 * that our own solver (svm-solver.ts) must reproduce, so it is a dev dependency.
 */
export function loadLibsvm(): Promise<unknown> {
  libsvmPromise ??= loadEmscriptenPort(async () => {
    const mod = (await import(untypedPackage('libsvm-js'))) as { default: Promise<unknown> };
    return await mod.default;
  });
  return libsvmPromise;
}

/** ml-xgboost's `XGBoost` class (untyped; xgboost.ts narrows what it uses). */
export function loadXgboost(): Promise<unknown> {
  xgboostPromise ??= loadEmscriptenPort(async () => {
    const mod = (await import(untypedPackage('ml-xgboost'))) as { default: Promise<unknown> };
    return await mod.default;
  });
  return xgboostPromise;
}
