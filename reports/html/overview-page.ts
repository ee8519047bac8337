/**
 * The pool overview (index.html): every coin and both trends, one row each, linked to its detail page. Models that
 * are not deployed are listed too, so a gap in the pool is visible rather than silently missing.
 */
import { esc, fmt, fmtPct, proseCell, raw, table, outputCell } from './markup.ts';
import type { ModelPageData } from './report-data.ts';

export interface OverviewContext {
  readonly generatedAt: string;
  readonly threshold: number;
  /** href of a detail page, e.g. "BTC-uptrend.html" (or "#BTC-uptrend" in the single-document PDF). */
  readonly hrefOf: (pageId: string) => string;
}

export function overviewBody(pages: readonly ModelPageData[], ctx: OverviewContext): string {
  const deployed = pages.filter((p) => p.version !== null);
  const symbols = new Set(pages.map((p) => p.symbol));
  const rows = pages.map((p) => {
    const v = p.version;
    const link = raw(`<a href="${esc(ctx.hrefOf(p.pageId))}">${esc(p.symbol)}</a>`);
    if (v === null) {
      const status = p.registered ? `not deployed (${p.registered.latestVersion} version${p.registered.latestVersion === 1 ? '' : 's'}, no champion)` : 'not deployed';
      return [link, p.trend, raw(`<span class="na">${esc(status)}</span>`), null, null, null, null, null, null];
    }
    const gate = p.gate?.ok ? (p.gate.value.passed ? raw('<span class="pass">passed</span>') : raw('<span class="fail">failed</span>')) : null;
    const live = p.live && p.live.resolved > 0 ? `${fmtPct(p.live.hitRate)} (n=${p.live.resolved})` : null;
    return [link, p.trend, 'deployed', v.tags.classifier, `v${v.version}`, fmt(v.tags.metrics.overall), fmt(v.tags.metrics.precision), gate, live];
  });
  return [
    `<h1 id="overview">Signal Pool — pool overview</h1>
<div class="meta">Report generated ${esc(ctx.generatedAt)} · ${deployed.length} of ${pages.length} models deployed across ${symbols.size} coins</div>`,
    proseCell(
      null,
      'One row per coin and trend. <i>overall</i> and <i>precision</i> are the champion\'s test-window metrics at registration; ' +
        `<i>live hit rate</i> is the share of its resolved predictions whose signal (P ≥ ${esc(fmt(ctx.threshold, 2))}) matched what happened. ` +
        'Follow a coin\'s link for the full notebook: data, features, pool leaderboard, gate, SHAP, calibration, backtest and live outcomes.',
    ),
    outputCell(
      1,
      table(['coin', 'trend', 'status', 'classifier', 'version', 'overall', 'precision', 'gate', 'live hit rate'], rows, { numeric: [5, 6] }),
    ),
  ].join('\n');
}
