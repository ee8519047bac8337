/**
 * SHAP importance of a model version: one diverging bar per feature of its mean SHAP value over the test rows
 * (positive = on average pushes the probability of the trend up), sorted by |value| so the strongest are on top.
 */
import type { TopLevelSpec } from 'vega-lite';
import { COLORS, baseSpec, chartTitle, chartTitleText, type ChartContext } from './theme.ts';

export interface ShapImportanceInput {
  readonly context: ChartContext;
  /** Mean SHAP per feature (the version's `shapImportance` tag). */
  readonly shapImportance: Readonly<Record<string, number>>;
  /** Show only the strongest N features (default: all; the pool has 19). */
  readonly top?: number;
  /**
   * Units of the SHAP values (the version's `shapOutputSpace` tag): TreeSHAP explains tree models in raw margin
   * (log-odds) units, KernelSHAP the other kinds in probability units.
   */
  readonly outputSpace?: 'raw' | 'probability';
}

/** Reads a version's `shapOutputSpace` tag (any other value means unknown units). */
export function shapOutputSpaceOf(tag: unknown): 'raw' | 'probability' | undefined {
  return tag === 'raw' || tag === 'probability' ? tag : undefined;
}

export const RAISES = 'raises P(trend)';
export const LOWERS = 'lowers P(trend)';

/** Features sorted by |mean SHAP|, largest first (ties by name, so the order is stable). */
export function sortedShap(shap: Readonly<Record<string, number>>): { feature: string; value: number }[] {
  return Object.entries(shap)
    .filter(([, v]) => Number.isFinite(v))
    .map(([feature, value]) => ({ feature, value }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || a.feature.localeCompare(b.feature));
}

export function shapImportanceSpec(input: ShapImportanceInput): TopLevelSpec {
  const all = sortedShap(input.shapImportance);
  const rows = input.top !== undefined ? all.slice(0, input.top) : all;
  const values = rows.map((r) => ({ ...r, effect: r.value >= 0 ? RAISES : LOWERS }));
  const subtitle = `Mean SHAP value per feature over the test rows, sorted by |value|` + (rows.length < all.length ? ` (top ${rows.length} of ${all.length})` : '');
  return {
    ...baseSpec(),
    title: chartTitle(chartTitleText('SHAP importance', input.context), subtitle),
    data: { values },
    layer: [
      {
        mark: { type: 'bar', tooltip: true, cornerRadiusEnd: 2 },
        encoding: {
          y: { field: 'feature', type: 'nominal', sort: rows.map((r) => r.feature), title: null, axis: { labelLimit: 260 } },
          x: { field: 'value', type: 'quantitative', title: axisTitle(input.outputSpace), axis: { format: '.3f' } },
          color: {
            field: 'effect',
            type: 'nominal',
            scale: { domain: [RAISES, LOWERS], range: [COLORS.positive, COLORS.negative] },
            legend: { title: null },
          },
        },
      },
      { mark: { type: 'rule', color: '#333333' }, encoding: { x: { datum: 0 } } },
    ],
  };
}

function axisTitle(space: ShapImportanceInput['outputSpace']): string {
  if (space === 'raw') return 'mean SHAP value (log-odds units)';
  if (space === 'probability') return 'mean SHAP value (probability units)';
  return 'mean SHAP value';
}
