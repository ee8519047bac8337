/**
 * Real text widths for Vega's layout in Node.
 *
 * Without a canvas, Vega guesses every string to be 0.8 x fontSize per character. DejaVu Sans averages about 0.6, so
 * Vega thinks titles are a third wider than they are: with autosize "fit" a long subtitle then squeezes the plot, and
 * axis labels get cut with "…" although they would fit. Vega lets a host install its own measurer
 * (textMetrics.width, the hook vl-convert uses), so we measure with the advance widths of the shipped font files,
 * read from their TrueType tables (cmap: character -> glyph, hmtx: glyph -> advance). Kerning is ignored; it
 * changes widths by a pixel or two.
 */
import { readFileSync } from 'node:fs';

export interface FontMetrics {
  /** Width of `text` in pixels at `fontSize`. */
  width(text: string, fontSize: number): number;
}

/** Parses the advance widths of a TrueType/OpenType font file. */
export function loadFontMetrics(path: string): FontMetrics {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tables = new Map<string, number>();
  const numTables = view.getUint16(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    tables.set(buf.toString('latin1', rec, rec + 4), view.getUint32(rec + 8));
  }
  const table = (tag: string): number => {
    const off = tables.get(tag);
    if (off === undefined) throw new Error(`${path}: not a usable TrueType font (no "${tag}" table)`);
    return off;
  };
  const unitsPerEm = view.getUint16(table('head') + 18);
  const numberOfHMetrics = view.getUint16(table('hhea') + 34);
  const hmtx = table('hmtx');
  const advanceOfGlyph = (g: number): number => view.getUint16(hmtx + 4 * Math.min(g, numberOfHMetrics - 1));
  const glyphOf = cmapLookup(view, table('cmap'), path);
  const fallback = advanceOfGlyph(glyphOf(0x3f) || 0); // "?" for characters the font lacks

  const cache = new Map<number, number>();
  const advance = (cp: number): number => {
    let a = cache.get(cp);
    if (a === undefined) {
      const g = glyphOf(cp);
      a = g === 0 ? fallback : advanceOfGlyph(g);
      cache.set(cp, a);
    }
    return a;
  };
  return {
    width(text, fontSize) {
      let units = 0;
      for (const ch of text) units += advance(ch.codePointAt(0)!);
      return (units / unitsPerEm) * fontSize;
    },
  };
}

/** Returns a character -> glyph id function from the font's Unicode cmap subtable (format 12 preferred, else 4). */
function cmapLookup(view: DataView, cmap: number, path: string): (cp: number) => number {
  const count = view.getUint16(cmap + 2);
  let format4 = -1;
  let format12 = -1;
  for (let i = 0; i < count; i++) {
    const rec = cmap + 4 + i * 8;
    const platform = view.getUint16(rec);
    const encoding = view.getUint16(rec + 2);
    const sub = cmap + view.getUint32(rec + 4);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    const format = view.getUint16(sub);
    if (format === 12) format12 = sub;
    else if (format === 4) format4 = sub;
  }
  if (format12 >= 0) {
    const groups = view.getUint32(format12 + 12);
    return (cp) => {
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const g = format12 + 16 + mid * 12;
        const start = view.getUint32(g);
        const end = view.getUint32(g + 4);
        if (cp < start) hi = mid - 1;
        else if (cp > end) lo = mid + 1;
        else return view.getUint32(g + 8) + (cp - start);
      }
      return 0;
    };
  }
  if (format4 < 0) throw new Error(`${path}: no Unicode character map (cmap format 4 or 12)`);
  const segCount = view.getUint16(format4 + 6) / 2;
  const endCodes = format4 + 14;
  const startCodes = endCodes + segCount * 2 + 2;
  const idDeltas = startCodes + segCount * 2;
  const idRangeOffsets = idDeltas + segCount * 2;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let i = 0; i < segCount; i++) {
      if (view.getUint16(endCodes + i * 2) < cp) continue;
      const start = view.getUint16(startCodes + i * 2);
      if (start > cp) return 0;
      const delta = view.getUint16(idDeltas + i * 2);
      const rangeOffsetPos = idRangeOffsets + i * 2;
      const rangeOffset = view.getUint16(rangeOffsetPos);
      if (rangeOffset === 0) return (cp + delta) & 0xffff;
      const g = view.getUint16(rangeOffsetPos + rangeOffset + 2 * (cp - start));
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
}

/** The subset of a Vega scenegraph text item the measurer reads. */
export interface TextItem {
  readonly fontSize?: number | string | null;
  readonly fontWeight?: string | number | null;
}

/**
 * A Vega `textMetrics.width(item, text)` replacement. It must measure the raw string: Vega's own truncation (labelLimit)
 * calls it on candidate prefixes and compares against the limit.
 */
export function vegaTextWidth(regular: FontMetrics, bold: FontMetrics): (item: TextItem, text: unknown) => number {
  return (item, text) => {
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11; // Vega's default font size
    const s = text == null ? '' : String(text).trim();
    if (size <= 0 || s === '') return 0;
    const w = item.fontWeight;
    const isBold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && Number(w) >= 600);
    return (isBold ? bold : regular).width(s, size);
  };
}
