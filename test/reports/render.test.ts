import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { Resvg } from '@resvg/resvg-js';
import { FONT_FILES, renderPng, renderSvg, svgToPng } from '../../reports/render.ts';
import { CHART_HEIGHT, CHART_WIDTH } from '../../reports/charts/theme.ts';
import { loadFontMetrics } from '../../reports/font-metrics.ts';
import { chartFixtures } from './chart-fixtures.ts';
import { titleText } from './charts/spec-helpers.ts';

const specs = chartFixtures();

function decode(png: Uint8Array): PNG {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'not a PNG signature');
  return PNG.sync.read(Buffer.from(png));
}

function luminance(img: PNG, x: number, y: number): number {
  const i = (y * img.width + x) * 4;
  return 0.299 * img.data[i]! + 0.587 * img.data[i + 1]! + 0.114 * img.data[i + 2]!;
}

/**
 * The title is the first line of near-black pixels from the top (titles are #222, subtitles #555 and lighter).
 * Returns its row span and horizontal extent, or null when no such pixels exist.
 */
function titleBand(img: PNG): { top: number; bottom: number; left: number; right: number; dark: number } | null {
  let top = -1;
  let bottom = -1;
  let left = Infinity;
  let right = -1;
  let dark = 0;
  for (let y = 0; y < img.height / 3; y++) {
    let rowDark = 0;
    for (let x = 0; x < img.width; x++) {
      if (luminance(img, x, y) < 60) {
        rowDark++;
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
    if (rowDark > 0 && top < 0) top = y;
    if (rowDark === 0 && top >= 0) {
      bottom = y - 1;
      break;
    }
    dark += rowDark;
  }
  return top < 0 ? null : { top, bottom, left, right, dark };
}

for (const [name, spec] of Object.entries(specs)) {
  test(`${name}: PNG at chat size, not blank, with its title rendered as text`, async () => {
    const img = decode(await renderPng(spec));
    assert.equal(img.width, CHART_WIDTH);
    assert.equal(img.height, CHART_HEIGHT);

    const colours = new Set<number>();
    let nonWhite = 0;
    for (let i = 0; i < img.data.length; i += 4) {
      colours.add((img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!);
      if (img.data[i]! < 245 || img.data[i + 1]! < 245 || img.data[i + 2]! < 245) nonWhite++;
    }
    assert.ok(colours.size > 50, `only ${colours.size} distinct colours`);
    assert.ok(nonWhite > 0.02 * img.width * img.height, `only ${nonWhite} non-white pixels`);

    // The title's ink spans as wide as the shipped bold font says the title is (17 px): proof that real glyphs of
    // that text were drawn, not nothing (resvg without fonts) and not a fallback font.
    const band = titleBand(img);
    assert.ok(band, 'no title pixels at the top of the image');
    const expected = loadFontMetrics(FONT_FILES[1]!).width(titleText(spec), 17);
    const extent = band.right - band.left + 1;
    assert.ok(Math.abs(extent - expected) < 8, `title ink is ${extent} px wide, the font says ${expected.toFixed(1)} px`);
    assert.ok(band.dark > 300, `only ${band.dark} dark title pixels`);
  });
}

test('the text check can fail: the same SVG rasterised with no fonts has no title pixels', async () => {
  const svg = await renderSvg(specs.shapImportance!);
  const withFonts = titleBand(decode(svgToPng(svg)));
  const noFonts = titleBand(decode(new Uint8Array(new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng())));
  assert.ok(withFonts && withFonts.dark > 300);
  // Without fonts the first dark pixels found (if any) are not a title-wide line of text.
  assert.ok(noFonts === null || noFonts.dark < withFonts.dark / 5, `no-font render still has ${noFonts?.dark} title pixels`);
});

test('width and scale options resize the PNG', async () => {
  const svg = await renderSvg(specs.dailySignals!);
  const byWidth = decode(svgToPng(svg, { width: 400 }));
  assert.deepEqual([byWidth.width, byWidth.height], [400, 225]);
  const byScale = decode(await renderPng(specs.confusionMatrix!, { scale: 2 }));
  assert.deepEqual([byScale.width, byScale.height], [1600, 900]);
  assert.throws(() => svgToPng(svg, { width: 0 }), /width must be a positive number/);
  assert.throws(() => svgToPng(svg, { scale: NaN }), /scale must be a positive number/);
});

test('SVG output is self-contained (no external references) and names the shipped font', async () => {
  const svg = await renderSvg(specs.poolMetrics!);
  assert.ok(!/https?:\/\//.test(svg.replace(/xmlns(:xlink)?="[^"]+"/g, '')), 'SVG references an external URL');
  assert.match(svg, /font-family="DejaVu Sans/);
});
