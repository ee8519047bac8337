import { metricsNote } from '../../src/app/prediction-notes.ts';
/**
 * One (symbol, trend) page of the report, as a notebook: prose cells explaining each step, then its output (table or
 * chart), in the order the model came to be: data range, features, pool leaderboard, the chosen model and its gate,
 * SHAP, calibration, backtest, live outcomes.
 */
import type { ModelVersion } from '../../src/store/ports.ts';
import { backtestEquitySpec } from '../charts/backtest-equity.ts';
import { brierScore, calibrationSpec } from '../charts/calibration.ts';
import { confusionMatrixSpec } from '../charts/confusion-matrix.ts';
import { POOL_METRICS, poolMetricsSpec } from '../charts/pool-metrics.ts';
import { priceSignalsSpec, signalOutcome } from '../charts/price-signals.ts';
import { shapImportanceSpec, shapOutputSpaceOf, sortedShap } from '../charts/shap-importance.ts';
import type { ChartContext } from '../charts/theme.ts';
import { selectionScore, type GateThresholds, type PoolEntry } from '../tags.ts';
import { inlineChart } from './inline-chart.ts';
import { esc, fmt, fmtPct, fmtValue, notice, outputCell, proseCell, raw, table } from './markup.ts';
import type { ModelPageData } from './report-data.ts';

export interface PageContext {
  readonly threshold: number;
  /** Gate thresholds used when the version does not record its own. */
  readonly gate: GateThresholds;
  /** href of the pool overview (a file name, or "#overview" in the single-document PDF). */
  readonly overviewHref: string;
  readonly generatedAt: string;
}

export async function modelPageBody(data: ModelPageData, ctx: PageContext): Promise<string> {
  const v = data.version;
  const header = `<nav><a href="${esc(ctx.overviewHref)}">← Pool overview</a></nav>
<h1>${esc(data.symbol)} ${esc(data.trend)}</h1>
<div class="meta">${v ? `Champion ${esc(v.tags.classifier)} v${v.version} of <code>${esc(data.modelName)}</code>` : `<code>${esc(data.modelName)}</code>`} · report generated ${esc(ctx.generatedAt)}</div>`;
  if (v === null) {
    const why = data.registered
      ? `The model is registered (${data.registered.latestVersion} version${data.registered.latestVersion === 1 ? '' : 's'}) but no version holds the champion alias, so it is not deployed.`
      : 'No model is registered for this coin and trend yet: run a deployment.';
    return header + proseCell('Not deployed', esc(why));
  }

  // Calibrated versions carry their own decision threshold (the calibrated probability of the model's 0.5 score).
  const threshold = typeof v.tags.signalThreshold === 'number' ? v.tags.signalThreshold : ctx.threshold;
  const chart: ChartContext = { symbol: data.symbol, trend: data.trend, classifier: v.tags.classifier, version: v.version, date: v.tags.dataRange.to };
  let out = 0;
  const cells: string[] = [header];
  const emit = (content: string) => cells.push(outputCell(++out, content));
  const idPrefix = data.pageId;

  // 1. data range
  const c = data.candles;
  cells.push(
    proseCell(
      '1. Data',
      `The question: will ${esc(data.symbol)}'s 10-day simple moving average ${data.trend === 'uptrend' ? 'rise' : 'fall'} by at least ` +
        `${esc(fmtPct(Math.abs(v.tags.targetPct)))} within the next ${v.tags.window} days? The model was trained and tested on daily candles ` +
        `from <b>${esc(v.tags.dataRange.from)}</b> to <b>${esc(v.tags.dataRange.to)}</b> (${esc(v.tags.protocol)} protocol).`,
    ),
  );
  emit(
    table(
      ['', ''],
      [
        ['training/test data', `${v.tags.dataRange.from} → ${v.tags.dataRange.to}`],
        ['trained through', stringTag(v, 'trainedThrough')],
        ['test window', stringTag(v, 'testWindow')?.replace('..', ' → ') ?? null],
        ['protocol', v.tags.protocol],
        ['target', `SMA10 ${data.trend === 'uptrend' ? '+' : ''}${fmtPct(v.tags.targetPct)} within ${v.tags.window} days`],
        ['registered', v.createdAt.toISOString().slice(0, 10)],
        ['candles available now', c ? `${c[0]!.date} → ${c[c.length - 1]!.date} (${c.length} days)` : (data.candlesError ?? 'unknown')],
      ],
      { className: 'kv' },
    ),
  );

  // 2. features
  cells.push(
    proseCell(
      '2. Features',
      `Each day is described by ${v.tags.featureNames.length} technical indicators computed from that day's candle and the ones before it. ` +
        'These are the most recent rows, as the model sees them when it predicts (features down, days across).',
    ),
  );
  if (data.features) {
    const f = data.features;
    emit(
      table(
        // Month-day headers keep ten columns within a printed page; the caption carries the full range.
        ['feature', ...f.dates.map((d) => d.slice(5))],
        f.featureNames.map((name, j) => [name, ...f.rows.map((r) => fmtValue(r[j]!))]),
        {
          numeric: f.dates.map((_, i) => i + 1),
          className: 'features',
          caption: f.dates.length > 0 ? `${f.dates.length} most recent feature rows, ${f.dates[0]} → ${f.dates[f.dates.length - 1]}` : undefined,
        },
      ),
    );
  } else {
    emit(notice(data.featuresError ?? data.candlesError ?? 'No feature rows available.', 'warn'));
  }

  // 3. pool leaderboard
  cells.push(
    proseCell(
      '3. Pool leaderboard',
      'Every classifier of the pool was trained on the same rows. The table is sorted by the selection score ' +
        '(mean validation <i>overall</i> when the walk-forward protocol recorded it, else test <i>overall</i>); the chosen model is highlighted.',
    ),
  );
  const gate = data.gate?.ok ? data.gate.value : null;
  const thresholds = gate?.thresholds ?? ctx.gate;
  if (data.pool?.ok) {
    emit(leaderboardTable(data.pool.value, v.tags.classifier));
    emit(await inlineChart(poolMetricsSpec({ context: chart, pool: data.pool.value, chosen: v.tags.classifier, gate: thresholds }), `${idPrefix}-pool`));
  } else {
    emit(notice(`No pool leaderboard: ${data.pool && !data.pool.ok ? data.pool.error : 'not recorded'}.`, 'warn'));
  }

  // 4. chosen model and gate
  const gateText = gate
    ? gate.passed
      ? '<span class="pass">passed</span>'
      : `<span class="fail">failed</span> (${gate.reasons.map(esc).join('; ') || 'no reason recorded'})`
    : 'not recorded';
  cells.push(
    proseCell(
      '4. Chosen model and its gate',
      `<b>${esc(v.tags.classifier)}</b> was selected and registered as version ${v.version}. Before registration a model must reach ` +
        `positive accuracy ≥ ${fmt(thresholds.positiveAccuracy, 2)}, negative accuracy ≥ ${fmt(thresholds.negativeAccuracy, 2)} and overall ≥ ${fmt(thresholds.overall, 2)} ` +
        `on the test window. Gate: ${gateText}.` +
        (stringTag(v, 'championDecision') ? ` Champion decision: ${esc(stringTag(v, 'championDecision')!)}.` : ''),
    ),
  );
  emit(metricsTable(v));
  const m = v.tags.metrics;
  if ([m.tp, m.fp, m.tn, m.fn].every((x) => typeof x === 'number')) {
    emit(await inlineChart(confusionMatrixSpec({ context: chart, tp: m.tp!, fp: m.fp!, tn: m.tn!, fn: m.fn! }), `${idPrefix}-confusion`));
  }

  // 5. SHAP
  const top = sortedShap(v.tags.shapImportance).slice(0, 3);
  cells.push(
    proseCell(
      '5. What drives the model (SHAP)',
      'SHAP values split each prediction into one contribution per feature. The bars are the mean contribution over the test rows: ' +
        'green features push the probability of the trend up on average, red ones push it down.' +
        (top.length > 0 ? ` Strongest: ${top.map((t) => `<code>${esc(t.feature)}</code> (${t.value >= 0 ? '+' : ''}${fmt(t.value, 3)})`).join(', ')}.` : ''),
    ),
  );
  emit(
    Object.keys(v.tags.shapImportance).length > 0
      ? await inlineChart(
          shapImportanceSpec({ context: chart, shapImportance: v.tags.shapImportance, outputSpace: shapOutputSpaceOf(v.tags.shapOutputSpace) }),
          `${idPrefix}-shap`,
        )
      : notice('No SHAP importance recorded for this version.', 'warn'),
  );

  // 6. calibration
  const ev = data.evaluation?.ok ? data.evaluation.value : null;
  cells.push(
    proseCell(
      '6. Calibration',
      'Are the probabilities honest? Test rows are grouped by predicted probability; in a well-calibrated model each group\'s observed ' +
        'frequency of the trend matches its mean probability (the dashed diagonal). The Brier score is the mean squared error of the probabilities (lower is better).' +
        (ev ? ` Here: ${fmt(brierScore(ev.proba, ev.label), 3)} on ${ev.proba.length} rows.` : ''),
    ),
  );
  emit(
    ev
      ? await inlineChart(calibrationSpec({ context: chart, proba: ev.proba, labels: ev.label }), `${idPrefix}-calibration`)
      : notice(`No calibration: ${data.evaluation && !data.evaluation.ok ? data.evaluation.error : 'no evaluation rows recorded'}.`, 'warn'),
  );

  // 7. backtest
  cells.push(proseCell('7. Backtest', backtestProse(data)));
  if (data.backtest?.ok) {
    const b = data.backtest.value;
    emit(
      table(
        ['', 'signal strategy', 'buy-and-hold'],
        [
          ['total return', fmtPct(b.totalReturn), fmtPct(b.buyHoldReturn)],
          ['max drawdown', fmtPct(b.maxDrawdown), b.buyHoldMaxDrawdown === null || b.buyHoldMaxDrawdown === undefined ? null : fmtPct(b.buyHoldMaxDrawdown)],
          ['trades', b.trades, null],
          ['win rate', b.winRate === null ? null : fmtPct(b.winRate), null],
          ['exposure', fmtPct(b.exposure), '100.0%'],
          ['period', `${b.equity[0]!.date} → ${b.equity[b.equity.length - 1]!.date}`, null],
        ],
        { numeric: [1, 2], className: 'kv' },
      ),
    );
    emit(await inlineChart(backtestEquitySpec({ context: chart, equity: b.equity, summary: b }), `${idPrefix}-backtest`));
  } else {
    emit(notice(`No backtest: ${data.backtest && !data.backtest.ok ? data.backtest.error : 'not recorded'}.`, 'warn'));
  }

  // 8. live outcomes
  const live = data.live;
  const champ = data.predictions.filter((p) => p.version === v.version);
  cells.push(
    proseCell(
      '8. Live outcomes',
      `Predictions made since deployment, and what happened ${v.tags.window} days later. A prediction is a signal when P ≥ ${fmt(threshold, 2)}. ` +
        (live && live.resolved > 0
          ? `Version ${v.version}: ${live.resolved} resolved, ${live.pending} pending; hit rate ${fmtPct(live.hitRate)}, ` +
            `${live.signals} signals with precision ${fmtPct(live.precision)}.`
          : `Version ${v.version} has ${champ.length} prediction${champ.length === 1 ? '' : 's'} and none resolved yet.`),
    ),
  );
  if (data.predictions.length > 0) {
    emit(
      table(
        ['as of', 'version', 'P(trend)', 'signal', 'outcome', 'realised SMA10 change'],
        data.predictions.slice(0, 15).map((p) => {
          const signal = p.probability >= threshold;
          const outcome = p.outcome === null ? 'pending' : signal ? signalOutcome(p) : p.outcome.label === 0 ? 'correct (no trend)' : 'missed trend';
          return [p.asOf, `v${p.version}`, fmt(p.probability, 3), signal ? 'yes' : 'no', outcome, p.outcome ? fmtPct(p.outcome.pct) : null];
        }),
        { numeric: [2, 5], caption: `Latest ${Math.min(15, data.predictions.length)} of ${data.predictions.length} predictions (all versions)` },
      ),
    );
  } else {
    emit(notice('No predictions recorded for this model yet.'));
  }
  if (c) {
    emit(
      await inlineChart(
        priceSignalsSpec({ context: { ...chart, date: c[c.length - 1]!.date }, candles: c, predictions: data.predictions, threshold }),
        `${idPrefix}-price`,
      ),
    );
  }
  return cells.join('\n');
}

const SHORT_LABELS: Record<string, string> = { positive_accuracy: 'pos. acc.', negative_accuracy: 'neg. acc.' };

function leaderboardTable(pool: readonly PoolEntry[], chosen: string): string {
  const rows = [...pool].sort((a, b) => Number(b.ok) - Number(a.ok) || selectionScore(b) - selectionScore(a));
  const metricCols = POOL_METRICS.map(([key]) => key);
  const failures = rows.filter((p) => !p.ok);
  const failureNote = failures.length > 0
    ? `<p class="failures">${failures.map((p) => `<b>${esc(p.classifier)}</b> failed${p.error ? `: ${esc(p.error.slice(0, 200))}` : ''}`).join('<br>')}</p>`
    : '';
  return table(
    ['#', 'classifier', 'status', 'val. overall', ...POOL_METRICS.map(([key, label]) => SHORT_LABELS[key] ?? label), 'auc', 'brier'],
    rows.map((p, i) => [
      i + 1,
      p.classifier === chosen ? raw(`${esc(p.classifier)} ★`) : p.classifier,
      p.ok ? 'ok' : raw('<span class="fail">failed</span>'),
      p.validationMetrics?.overall !== undefined ? fmt(p.validationMetrics.overall) : null,
      ...metricCols.map((k) => (p.metrics[k] !== undefined ? fmt(p.metrics[k]) : null)),
      p.metrics.auc !== undefined ? fmt(p.metrics.auc) : null,
      p.metrics.brier !== undefined ? fmt(p.metrics.brier) : null,
    ]),
    {
      numeric: [0, 3, 4, 5, 6, 7, 8, 9, 10],
      rowClass: (i) => (rows[i]!.classifier === chosen ? 'chosen' : undefined),
      caption: 'Test-window metrics; val. overall = mean over the walk-forward validation folds',
    },
  ) + failureNote;
}

/** An optional string tag written by the pipeline (trainedThrough, testWindow, championDecision), or null. */
function stringTag(v: ModelVersion, key: string): string | null {
  const t = v.tags[key];
  return typeof t === 'string' && t !== '' ? t : null;
}

function metricsTable(v: ModelVersion): string {
  const test = v.tags.metrics;
  const val = v.tags.validationMetrics ?? {};
  const keys = [...new Set([...Object.keys(test), ...Object.keys(val)])].sort();
  const digits = (k: string) => (['tp', 'fp', 'tn', 'fn', 'n'].includes(k) ? 0 : 3);
  return table(
    ['metric', 'test window (out-of-sample)', 'validation (mean, out-of-sample)'],
    keys.map((k) => [k, test[k] !== undefined ? fmt(test[k], digits(k)) : null, val[k] !== undefined ? fmt(val[k], digits(k)) : null]),
    { numeric: [1, 2], caption: `${v.tags.classifier} v${v.version}: ${metricsNote({ protocol: v.tags.protocol, testWindow: typeof v.tags.testWindow === 'string' ? v.tags.testWindow : null, trainedThrough: typeof v.tags.trainedThrough === 'string' ? v.tags.trainedThrough : null })}` },
  );
}

function backtestProse(data: ModelPageData): string {
  const rule =
    data.trend === 'uptrend'
      ? 'The strategy holds cash and buys the coin on each signal, selling it after the prediction window.'
      : 'The strategy holds the coin like buy-and-hold and steps out (or shorts, where configured) for the prediction window after each signal.';
  const b = data.backtest?.ok ? data.backtest : null;
  const params = b?.value.params;
  const detail = params
    ? ` Threshold ${fmt(params.threshold ?? NaN, 2)}, fee ${fmtPct(params.feePct ?? NaN, 2)} per buy or sell${params.allowShort ? ', shorts allowed' : ''}.`
    : '';
  const source = b ? (b.source === 'stored' ? ' Recorded at registration.' : ' Computed now from the recorded test-window probabilities.') : '';
  return (
    `Trading on the signals over the test window, against buy-and-hold of ${esc(data.symbol)} over the same days. ${rule} ` +
    `One position at a time; a fee is paid on every buy and sell.${esc(detail)}${esc(source)}`
  );
}

