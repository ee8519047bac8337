/**
 * Validates and normalises a command's arguments against its declared parameters. Every failure is a
 * UserFacingError whose message names the offending argument and, where possible, the fix.
 */
import { TRENDS } from '../src/data/candle.ts';
import { UserFacingError } from '../src/app/services.ts';
import { closestMatches } from './closest.ts';
import { usageOf, type CommandSpec, type ParamKind, type ParamSpec } from './command.ts';
import { quoteInput } from './reply.ts';

const MAX_PAGE = 100_000;

function normalise(kind: ParamKind, raw: string, knownSymbols: readonly string[]): string | null {
  switch (kind) {
    case 'symbol': {
      const upper = raw.toUpperCase();
      return knownSymbols.includes(upper) ? upper : null;
    }
    case 'trend': {
      const lower = raw.toLowerCase();
      return (TRENDS as readonly string[]).includes(lower) ? lower : null;
    }
    case 'page': {
      if (!/^\d{1,6}$/.test(raw)) return null;
      const n = Number(raw);
      return n >= 1 && n <= MAX_PAGE ? String(n) : null;
    }
  }
}

function invalid(param: ParamSpec, raw: string, knownSymbols: readonly string[]): UserFacingError {
  const quoted = quoteInput(raw);
  switch (param.kind) {
    case 'symbol': {
      const shown = quoted.toUpperCase();
      const near = closestMatches(raw, knownSymbols);
      if (near.length > 0) return new UserFacingError(`Unknown symbol ${shown}. Did you mean ${near.join(' or ')}?`);
      const list = knownSymbols.length > 0 ? knownSymbols.join(', ') : 'none configured';
      return new UserFacingError(`Unknown symbol ${shown}. Known symbols: ${list}.`);
    }
    case 'trend': {
      const near = closestMatches(raw, TRENDS);
      const hint = near.length > 0 ? ` Did you mean ${near.join(' or ')}?` : '';
      return new UserFacingError(`Unknown trend "${quoted}": the trend must be uptrend or downtrend.${hint}`);
    }
    case 'page':
      return new UserFacingError(`The page must be a whole number from 1, not "${quoted}".`);
  }
}

/** True when some parameter after `index` could take `raw`; lets an optional parameter be skipped (/models 2). */
function laterParamAccepts(params: readonly ParamSpec[], index: number, raw: string, knownSymbols: readonly string[]): boolean {
  return params.slice(index + 1).some((p) => normalise(p.kind, raw, knownSymbols) !== null);
}

/**
 * Returns the normalised arguments, one per declared parameter in order: an optional parameter that was not given is
 * an empty string, and a variadic last parameter spreads its values (duplicates dropped) at the end.
 */
export function validateArgs(spec: CommandSpec, args: readonly string[], knownSymbols: readonly string[]): string[] {
  const out: string[] = [];
  let next = 0;
  for (let index = 0; index < spec.params.length; index++) {
    const param = spec.params[index];
    if (next >= args.length) {
      if (param.required) {
        throw new UserFacingError(`Missing ${param.kind === 'trend' ? 'trend (uptrend or downtrend)' : param.name}. Usage: ${usageOf(spec)}`);
      }
      if (!param.variadic) out.push('');
      continue;
    }
    if (param.variadic) {
      const seen = new Set<string>();
      for (const raw of args.slice(next)) {
        const value = normalise(param.kind, raw, knownSymbols);
        if (value === null) throw invalid(param, raw, knownSymbols);
        if (!seen.has(value)) out.push(value);
        seen.add(value);
      }
      next = args.length;
      continue;
    }
    const raw = args[next];
    const value = normalise(param.kind, raw, knownSymbols);
    if (value !== null) {
      out.push(value);
      next++;
    } else if (!param.required && laterParamAccepts(spec.params, index, raw, knownSymbols)) {
      out.push('');
    } else {
      throw invalid(param, raw, knownSymbols);
    }
  }
  if (next < args.length) {
    const extra = quoteInput(args.slice(next).join(' '), 40);
    throw new UserFacingError(`Too many arguments ("${extra}"). Usage: ${usageOf(spec)}`);
  }
  return out;
}
