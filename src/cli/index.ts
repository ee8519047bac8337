#!/usr/bin/env node
/**
 * The `signal-pool` command line. Each subcommand lives in its own module; this file only declares the interface and
 * turns errors into one clear line and a non-zero exit code (never a stack trace for expected errors).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../config/load.ts';
import { createCliContext, type CliContext } from './context.ts';
import { CliError } from './errors.ts';
import { featuresCommand } from './features.ts';
import { deployCommand } from './deploy.ts';
import { outcomesCommand, predictCommand } from './predict.ts';
import { listRunsCommand } from './runs.ts';
import { listModelsCommand } from './models.ts';
import { reportCommand } from './report.ts';
import { chatCommand } from './chat.ts';
import { evaluateCommand } from './evaluate.ts';
import { migrateStoreCommand, verifyStoreCommand } from './store.ts';

// `signal-pool features ... | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const out = (line: string): void => { process.stdout.write(`${line}\n`); };

async function withContext(opts: { dataDir?: string }, fn: (ctx: CliContext) => Promise<number | void>): Promise<void> {
  const ctx = createCliContext({ dataDir: opts.dataDir });
  try {
    const code = await fn(ctx);
    process.exitCode = code ?? 0;
  } finally {
    await ctx.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('signal-pool')
    .description('A pool of ML models for crypto trend signals (uptrend/downtrend of SMA10 over the prediction window).')
    .showHelpAfterError()
    .exitOverride();

  program.command('features')
    .description('write the labeled feature table of one coin as CSV')
    .requiredOption('--symbol <SYMBOL>', 'coin ticker, e.g. BTC')
    .requiredOption('--trend <trend>', 'uptrend or downtrend')
    .option('--data-dir <dir>', 'directory of <SYMBOL>.csv files (default: bundled data)')
    .option('--out <file>', 'output CSV file (default: stdout)')
    .action((o) => withContext(o, async (ctx) => {
      const csv = await featuresCommand(ctx, o);
      if (csv !== null) process.stdout.write(csv);
    }));

  program.command('deploy')
    .description('train the pool, log runs, select, gate and register models')
    .argument('<trend>', 'uptrend or downtrend')
    .option('--symbols <list>', 'comma-separated symbols (default: all configured)')
    .option('--data-dir <dir>', 'directory of <SYMBOL>.csv files')
    .option('--protocol <p>', "seed or walk-forward (default from config). seed: the seed's 95/5 split, kept for comparison; its TEST rows overlap the label windows of its last training rows")
    .option('--classifiers <list>', 'candidates: per-coin kinds and global:<Kind> names (default: the configured pool)')
    .option('--seed <n>', 'random seed')
    .option('--artifacts <mode>', 'all (every run) or selected (registered model only)', 'all')
    .option('--json', 'one JSON line per run and per symbol')
    .action((trend, o) => withContext(o, (ctx) => deployCommand(ctx, trend, o, out)));

  program.command('evaluate')
    .description('run the walk-forward protocol exactly as deploy does, register nothing, and report signal quality per pair')
    .option('--trend <trend>', 'uptrend or downtrend (default: both)')
    .option('--symbols <list>', 'comma-separated symbols (default: all configured; others are read from the data directory)')
    .option('--data-dir <dir>', 'directory of <SYMBOL>.csv files')
    .option('--classifiers <list>', 'candidates: per-coin kinds and global:<Kind> names (default: the configured pool)')
    .option('--protocol <p>', 'seed or walk-forward (default from config)')
    .option('--dev [steps]', 'score the window before TEST instead of TEST (for design choices; reads no TEST data)')
    .option('--json', 'one JSON document')
    .action((o) => withContext(o, (ctx) => evaluateCommand(ctx, o, out)));

  program.command('predict')
    .description('batch predictions from every champion model of a trend')
    .argument('<trend>', 'uptrend or downtrend')
    .option('--symbols <list>', 'comma-separated symbols (default: every deployed model)')
    .option('--data-dir <dir>', 'directory of <SYMBOL>.csv files')
    .option('--json', 'JSON lines')
    .action((trend, o) => withContext(o, (ctx) => predictCommand(ctx, trend, o, out)));

  program.command('outcomes')
    .description('resolve outcomes and show live figures beside test metrics')
    .option('--trend <trend>', 'uptrend or downtrend')
    .option('--json', 'JSON output')
    .action((o) => withContext(o, (ctx) => outcomesCommand(ctx, o, out)));

  program.command('runs')
    .description('list experiment runs with key metrics')
    .option('--symbol <SYMBOL>').option('--trend <trend>').option('--limit <n>', 'rows', '50').option('--json')
    .action((o) => withContext(o, async (ctx) => out(await listRunsCommand(await ctx.store(), { symbol: o.symbol?.toUpperCase(), trend: o.trend, json: !!o.json, limit: Number(o.limit) }))));

  program.command('models')
    .description('list registered models with their champion version and metrics')
    .option('--trend <trend>').option('--json')
    .action((o) => withContext(o, async (ctx) => out(await listModelsCommand(await ctx.store(), { trend: o.trend, json: !!o.json }))));

  program.command('report')
    .description('write the notebook-style HTML report (and PDF with --pdf)')
    .option('--symbol <SYMBOL>').option('--trend <trend>').option('--out <dir>', 'output directory', 'out/report').option('--pdf', 'also print to PDF with Chromium')
    .action((o) => withContext(o, (ctx) => reportCommand(ctx, o, out)));

  program.command('chat')
    .description('try every chat command in the terminal (images are written to files)')
    .option('--images <dir>', 'where images are written', 'out/chat')
    .action((o) => withContext(o, (ctx) => chatCommand(ctx, o)));

  const store = program.command('store').description('maintenance of the embedded store (SIGNAL_POOL_DATA_DIR)');
  store.command('verify')
    .description('check every record and artifact checksum; list what is intact and what is not; exit 1 on damage')
    .option('--dir <dir>', 'data directory (default: SIGNAL_POOL_DATA_DIR or var/store)')
    .option('--json', 'the full report as JSON')
    .action((o) => withContext({}, (ctx) => verifyStoreCommand(ctx, o, out)));
  store.command('migrate')
    .description('import a journal store (format 1) into the SQLite store; opening the store does it too')
    .option('--dir <dir>', 'data directory (default: SIGNAL_POOL_DATA_DIR or var/store)')
    .action((o) => withContext({}, (ctx) => migrateStoreCommand(ctx, o, out)));

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const known = err instanceof CliError || err instanceof ConfigError || (err instanceof Error && /Error$/.test(err.name) && err.name !== 'Error' && err.name !== 'TypeError' && err.name !== 'ReferenceError');
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`signal-pool: ${message}\n`);
    if (!known && process.env.SIGNAL_POOL_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  }
}

await main(process.argv);
