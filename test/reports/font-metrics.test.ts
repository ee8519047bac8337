import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FONT_FILES, renderSvg } from '../../reports/render.ts';
import { loadFontMetrics, vegaTextWidth } from '../../reports/font-metrics.ts';

const regular = loadFontMetrics(FONT_FILES[0]!);
const bold = loadFontMetrics(FONT_FILES[1]!);

test('advance widths match what Chromium measures for DejaVu Sans', () => {
  // Reference values: CanvasRenderingContext2D.measureText in Chromium 156 with font '12px "DejaVu Sans"'
  // ('bold 12px ...' for the bold one). Kerning-free strings, so they agree to float precision.
  assert.ok(Math.abs(regular.width('Hello world', 12) - 67.271484375) < 0.01);
  assert.ok(Math.abs(bold.width('Hello world', 12) - 76.78125) < 0.01);
  assert.ok(Math.abs(regular.width('10_day_SMA_20_day_SMA_pct_diff', 12) - 207.18) < 0.5);
  assert.equal(regular.width('', 12), 0);
  // Scales linearly with the font size; characters outside the font fall back to a real glyph width, not 0.
  assert.ok(Math.abs(regular.width('abc', 24) - 2 * regular.width('abc', 12)) < 1e-9);
  assert.ok(regular.width('\u{10FFFF}', 12) > 0);
});

test('vegaTextWidth picks the bold face by weight and ignores empty text', () => {
  const width = vegaTextWidth(regular, bold);
  assert.equal(width({ fontSize: 12 }, 'Hello world'), regular.width('Hello world', 12));
  assert.equal(width({ fontSize: 12, fontWeight: 'bold' }, 'Hello world'), bold.width('Hello world', 12));
  assert.equal(width({ fontSize: 12, fontWeight: 700 }, 'Hello world'), bold.width('Hello world', 12));
  assert.equal(width({}, 'Hello world'), regular.width('Hello world', 11)); // Vega's default size
  assert.equal(width({ fontSize: 12 }, '  '), 0);
  assert.equal(width({ fontSize: 0 }, 'x'), 0);
});

test('Vega lays text out with the real widths: a label that fits is not cut with an ellipsis', async () => {
  // 30 characters at 12 px: Vega's built-in guess (0.8 em per character) says 288 px, the font says 207 px.
  const label = '10_day_SMA_20_day_SMA_pct_diff';
  const svg = await renderSvg({
    width: 300,
    height: 100,
    data: { values: [{ f: label, v: 1 }] },
    mark: 'bar',
    encoding: { y: { field: 'f', type: 'nominal', axis: { labelLimit: 240, labelFontSize: 12 } }, x: { field: 'v', type: 'quantitative' } },
  });
  assert.ok(svg.includes(`>${label}<`), 'label was truncated');
  assert.ok(!svg.includes('…'));
});
