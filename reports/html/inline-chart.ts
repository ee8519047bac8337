/**
 * Charts for the HTML report: the same Vega-Lite specs as the chat PNGs, inlined as SVG (no image files, no
 * requests), with ids scoped per chart so several charts can share one page.
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../render.ts';
import { esc, notice, scopeSvgIds } from './markup.ts';

export async function inlineChart(spec: TopLevelSpec, id: string): Promise<string> {
  try {
    const svg = await renderSvg(spec);
    // role="img" + aria-label give the figure a text alternative (the chart title).
    const title = typeof spec.title === 'object' && spec.title !== null && 'text' in spec.title ? String(spec.title.text) : id;
    return `<figure class="chart" id="${id}" role="img" aria-label="${esc(title)}">${scopeSvgIds(svg, id)}</figure>`;
  } catch (err) {
    return notice(`Chart ${id} could not be drawn: ${err instanceof Error ? err.message : String(err)}`, 'warn');
  }
}
