/**
 * Helpers for the chart spec tests: specs are plain JSON, so tests read them as loose objects, and every spec must
 * compile and run through Vega without a single warning.
 */
import assert from 'node:assert/strict';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvgWithWarnings } from '../../../reports/render.ts';
import { CHART_HEIGHT, CHART_WIDTH } from '../../../reports/charts/theme.ts';

export type Loose = any;

export function loose(spec: TopLevelSpec): Loose {
  return JSON.parse(JSON.stringify(spec));
}

export function titleText(spec: TopLevelSpec): string {
  const t = loose(spec).title;
  return typeof t === 'string' ? t : t.text;
}

export function subtitleText(spec: TopLevelSpec): string {
  const s = loose(spec).title?.subtitle;
  return Array.isArray(s) ? s.join('\n') : (s ?? '');
}

/** Layers of a layered spec, each with the data it sees (its own or the parent's). */
export function layers(spec: TopLevelSpec): Loose[] {
  const s = loose(spec);
  return (s.layer as Loose[]).map((l) => ({ ...l, data: l.data ?? s.data, encoding: { ...(s.encoding ?? {}), ...(l.encoding ?? {}) } }));
}

export function markType(layer: Loose): string {
  return typeof layer.mark === 'string' ? layer.mark : layer.mark.type;
}

export function findLayer(spec: TopLevelSpec, mark: string): Loose {
  const l = layers(spec).find((x) => markType(x) === mark);
  assert.ok(l, `no ${mark} layer in spec`);
  return l;
}

/** Renders through vega-lite + Vega and checks: no warnings, the chat canvas size, and the title text in the SVG. */
export async function assertRendersCleanly(spec: TopLevelSpec): Promise<string> {
  const { svg, warnings } = await renderSvgWithWarnings(spec);
  assert.deepEqual(warnings, [], `Vega/Vega-Lite warnings: ${warnings.join('; ')}`);
  assert.match(svg, new RegExp(`width="${CHART_WIDTH}" height="${CHART_HEIGHT}"`));
  const escaped = titleText(spec).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  assert.ok(svg.includes(escaped), `title "${titleText(spec)}" not found in the SVG`);
  return svg;
}
