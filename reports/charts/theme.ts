/**
 * What every chart shares: the chat-sized canvas, the font, the colours and the title convention.
 *
 * Charts are posted in Discord/Telegram, where an image is shown roughly 800 px wide, so every spec is laid out to
 * exactly CHART_WIDTH x CHART_HEIGHT (autosize "fit" includes axes, legend and title in that box) with fonts large
 * enough to read there.
 */
import type { Trend } from '../../src/data/candle.ts';

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 450;

/**
 * The family name of the font shipped in assets/fonts. The PNG renderer loads only those files (no system fonts), so
 * the name in the SVG must match; the fallbacks are for browsers showing the inline SVG of the HTML report.
 */
export const FONT_FAMILY = 'DejaVu Sans';
export const FONT_STACK = `${FONT_FAMILY}, Verdana, Arial, sans-serif`;

export const COLORS = {
  positive: '#1a9850',
  negative: '#d73027',
  neutral: '#4c78a8',
  muted: '#9e9e9e',
  accent: '#f58518',
  text: '#222222',
  grid: '#e6e6e6',
} as const;

/** Who/what a chart is about; every field that is known appears in the title so a chart stands on its own in chat. */
export interface ChartContext {
  readonly symbol: string;
  readonly trend: Trend;
  readonly classifier?: string;
  readonly version?: number;
  /** The as-of or data-end date, YYYY-MM-DD. */
  readonly date?: string;
}

/** "SHAP importance · BTC uptrend · XGBoost v3 · 2024-05-01". */
export function chartTitleText(what: string, ctx: ChartContext): string {
  const parts = [what, `${ctx.symbol} ${ctx.trend}`];
  if (ctx.classifier !== undefined) parts.push(ctx.version !== undefined ? `${ctx.classifier} v${ctx.version}` : ctx.classifier);
  else if (ctx.version !== undefined) parts.push(`v${ctx.version}`);
  if (ctx.date !== undefined) parts.push(ctx.date);
  return parts.join(' · ');
}

export interface ChartTitle {
  text: string;
  subtitle?: string | string[];
  anchor: 'start';
}

export function chartTitle(text: string, subtitle?: string | string[]): ChartTitle {
  return subtitle === undefined || subtitle.length === 0 ? { text, anchor: 'start' } : { text, subtitle, anchor: 'start' };
}

/** Top-level properties every spec spreads in: size, background and the readable-at-chat-size config. */
export function baseSpec() {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit' as const, contains: 'padding' as const },
    padding: 12,
    background: 'white',
    config: {
      font: FONT_STACK,
      title: { fontSize: 17, subtitleFontSize: 13, subtitleColor: '#555555', color: COLORS.text, offset: 10 },
      axis: { labelFontSize: 12, titleFontSize: 13, gridColor: COLORS.grid, titleColor: COLORS.text, labelColor: COLORS.text },
      legend: { labelFontSize: 12, titleFontSize: 12, orient: 'top' as const, titleOrient: 'left' as const },
      view: { stroke: null },
    },
  };
}

/** Formats a fraction as a percentage with one decimal, e.g. 0.1234 -> "12.3%". */
export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
