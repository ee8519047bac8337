/**
 * A minimal structured logger port. Production uses pino (createLogger); tests pass a memory logger.
 * Every log line passes through redact() so that secrets configured at start-up never reach the output.
 */
import pino from 'pino';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Replaces every occurrence of each secret in a string. Secrets shorter than 4 chars are ignored (too noisy). */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

function redactValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value instanceof Error) return redactText(value.stack ?? value.message, secrets);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, secrets);
    return out;
  }
  return value;
}

export function createLogger(opts: { level?: string; secrets?: readonly string[]; destination?: NodeJS.WritableStream } = {}): Logger {
  const secrets = opts.secrets ?? [];
  const base = pino({ level: opts.level ?? 'info', base: undefined }, (opts.destination ?? process.stderr) as pino.DestinationStream);
  const wrap = (p: pino.Logger): Logger => ({
    debug: (m, f) => p.debug(redactValue(f ?? {}, secrets) as object, redactText(m, secrets)),
    info: (m, f) => p.info(redactValue(f ?? {}, secrets) as object, redactText(m, secrets)),
    warn: (m, f) => p.warn(redactValue(f ?? {}, secrets) as object, redactText(m, secrets)),
    error: (m, f) => p.error(redactValue(f ?? {}, secrets) as object, redactText(m, secrets)),
    child: (f) => wrap(p.child(redactValue(f, secrets) as object)),
  });
  return wrap(base);
}

/** Collects log records in memory; for tests. */
export function memoryLogger(records: { level: string; msg: string; fields: Record<string, unknown> }[] = []): Logger & { records: typeof records } {
  const make = (bound: Record<string, unknown>): Logger => ({
    debug: (msg, f) => records.push({ level: 'debug', msg, fields: { ...bound, ...f } }),
    info: (msg, f) => records.push({ level: 'info', msg, fields: { ...bound, ...f } }),
    warn: (msg, f) => records.push({ level: 'warn', msg, fields: { ...bound, ...f } }),
    error: (msg, f) => records.push({ level: 'error', msg, fields: { ...bound, ...f } }),
    child: (f) => make({ ...bound, ...f }),
  });
  return Object.assign(make({}), { records });
}

export const silentLogger: Logger = {
  debug() {}, info() {}, warn() {}, error() {}, child() { return silentLogger; },
};
