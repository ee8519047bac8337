/**
 * Vega-Lite spec -> SVG -> PNG, in Node with no browser and no canvas:
 * vega-lite compiles the spec to Vega, a headless Vega View (renderer 'none') writes the SVG, and resvg rasterises it.
 *
 * resvg draws text only with fonts it is given, and with none it drops every label silently. So it loads exactly the
 * font files shipped in assets/fonts (no system fonts: the PNG is the same on every machine, and nothing depends on
 * what the host has installed), and the charts name that family (theme.ts FONT_FAMILY).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY } from './charts/theme.ts';
import { loadFontMetrics, vegaTextWidth } from './font-metrics.ts';

export const FONT_FILES: readonly string[] = [
  fileURLToPath(new URL('../assets/fonts/DejaVuSans.ttf', import.meta.url)),
  fileURLToPath(new URL('../assets/fonts/DejaVuSans-Bold.ttf', import.meta.url)),
];

export interface RenderOptions {
  /** Output width in pixels (height follows the aspect ratio). Wins over `scale`. */
  readonly width?: number;
  /** Zoom factor over the spec's own size (2 for sharp images on high-density screens). Default 1. */
  readonly scale?: number;
}

/** Vega-Lite and Vega warnings collected while compiling and running one spec (tests assert there are none). */
export interface SvgResult {
  readonly svg: string;
  readonly warnings: string[];
}

export async function renderSvgWithWarnings(spec: TopLevelSpec): Promise<SvgResult> {
  useShippedFontMetrics();
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const vgSpec = vl.compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logger, logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    return { svg, warnings };
  } finally {
    view.finalize();
  }
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  return (await renderSvgWithWarnings(spec)).svg;
}

export async function renderPng(spec: TopLevelSpec, options: RenderOptions = {}): Promise<Uint8Array> {
  return svgToPng(await renderSvg(spec), options);
}

/** Rasterises an SVG with the shipped fonts only. */
export function svgToPng(svg: string, options: RenderOptions = {}): Uint8Array {
  const fitTo =
    options.width !== undefined
      ? { mode: 'width' as const, value: positive(options.width, 'width') }
      : { mode: 'zoom' as const, value: positive(options.scale ?? 1, 'scale') };
  const resvg = new Resvg(svg, {
    fitTo,
    background: 'white',
    font: { loadSystemFonts: false, fontFiles: [...shippedFontFiles()], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  return new Uint8Array(resvg.render().asPng());
}

/**
 * Makes Vega lay text out with the shipped font's real widths (see font-metrics.ts). Vega keeps its text measurer in a
 * module-level object, so this is process-wide; it is idempotent and every chart of this project wants it.
 */
let metricsInstalled = false;
function useShippedFontMetrics(): void {
  if (metricsInstalled) return;
  const [regular, bold] = shippedFontFiles().map(loadFontMetrics);
  (vega as unknown as { textMetrics: { width: unknown } }).textMetrics.width = vegaTextWidth(regular!, bold!);
  metricsInstalled = true;
}

let fontsChecked = false;
function shippedFontFiles(): readonly string[] {
  if (!fontsChecked) {
    const missing = FONT_FILES.filter((f) => !existsSync(f));
    if (missing.length > 0) {
      throw new Error(`Chart font missing: ${missing.join(', ')}. Charts would render without any text; restore assets/fonts/ from the repository.`);
    }
    fontsChecked = true;
  }
  return FONT_FILES;
}

function positive(v: number, name: string): number {
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`renderPng: ${name} must be a positive number, got ${v}`);
  return v;
}

/** A Vega logger that keeps warnings and errors in `sink` instead of printing them to the server's console. */
function collectingLogger(sink: string[]): vega.LoggerInterface {
  let level = vega.Warn;
  const text = (args: readonly unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args: readonly unknown[]) {
      sink.push(`error: ${text(args)}`);
      return logger;
    },
    warn(...args: readonly unknown[]) {
      if (level >= vega.Warn) sink.push(text(args));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger as vega.LoggerInterface;
}
