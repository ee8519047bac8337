/**
 * Tiny HTML helpers for the notebook-style report: escaping, tables, and the two kinds of notebook cell (prose and
 * output). Everything that comes from data (symbols, error messages, gate reasons) goes through esc().
 */

export function esc(text: string | number): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Already-safe HTML, so helpers can tell it from text that still needs escaping. */
export interface Html {
  readonly html: string;
}
export function raw(html: string): Html {
  return { html };
}
function render(content: string | number | Html): string {
  return typeof content === 'object' ? content.html : esc(content);
}

export type CellValue = string | number | Html | null;

export interface TableOptions {
  readonly caption?: string;
  /** Column indexes to right-align (numbers). */
  readonly numeric?: readonly number[];
  readonly className?: string;
  /** Highlights rows (e.g. the chosen classifier). */
  readonly rowClass?: (rowIndex: number) => string | undefined;
}

export function table(headers: readonly string[], rows: readonly (readonly CellValue[])[], options: TableOptions = {}): string {
  const numeric = new Set(options.numeric ?? []);
  const cls = (j: number) => (numeric.has(j) ? ' class="num"' : '');
  const head = headers.map((h, j) => `<th${cls(j)}>${esc(h)}</th>`).join('');
  const body = rows
    .map((row, i) => {
      const rc = options.rowClass?.(i);
      const cells = row.map((v, j) => `<td${cls(j)}>${v === null ? '<span class="na">–</span>' : render(v)}</td>`).join('');
      return `<tr${rc ? ` class="${esc(rc)}"` : ''}>${cells}</tr>`;
    })
    .join('\n');
  const caption = options.caption ? `<caption>${esc(options.caption)}</caption>` : '';
  return `<div class="table-wrap"><table${options.className ? ` class="${esc(options.className)}"` : ''}>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A prose ("markdown") cell. `paragraphs` are HTML produced by the caller from escaped text. */
export function proseCell(title: string | null, ...paragraphs: string[]): string {
  const h = title ? `<h2>${esc(title)}</h2>` : '';
  return `<section class="cell prose">${h}${paragraphs.map((p) => `<p>${p}</p>`).join('')}</section>`;
}

/** An output cell, numbered like a notebook's Out[n]. */
export function outputCell(n: number, content: string): string {
  return `<section class="cell output"><div class="gutter">Out[${n}]:</div><div class="content">${content}</div></section>`;
}

/** A note shown when a section has no data, so the reader knows why it is empty. */
export function notice(text: string, kind: 'info' | 'warn' = 'info'): string {
  return `<div class="notice ${kind}">${esc(text)}</div>`;
}

export function fmt(x: number | null | undefined, digits = 3): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–';
}

export function fmtPct(x: number | null | undefined, digits = 1): string {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '–';
}

/** Feature values span 1e-3 to 1e9 (OBV): fixed decimals for ordinary magnitudes, exponent notation otherwise. */
export function fmtValue(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(2);
  return x.toFixed(a >= 100 ? 1 : 3);
}

/**
 * Makes the ids of one inline SVG unique in the page. Vega names clip paths "clip1", "clip2"... in every SVG it
 * writes, so two charts inlined in one document would clip each other's marks; prefixing every id and every
 * reference to it keeps each chart self-contained.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}-${id}"`);
}
