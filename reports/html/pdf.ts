/**
 * Prints an HTML document to PDF with puppeteer-core driving Debian's Chromium (puppeteer's own browser download
 * cannot work here: only npm and Debian are reachable). Each print uses a fresh, throw-away profile directory so
 * runs never share state, and the flags keep Chromium from phoning home.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export class ChromiumNotFoundError extends Error {
  override readonly name = 'ChromiumNotFoundError';
  constructor(readonly path: string) {
    super(`Chromium not found at ${path}: install Debian's chromium (apt-get install -y chromium) to print PDFs`);
  }
}

/** Writes `html` as an A4 PDF to `pdfPath`. Throws ChromiumNotFoundError when the browser is absent. */
export async function printPdf(html: string, pdfPath: string, chromiumPath: string = DEFAULT_CHROMIUM_PATH): Promise<void> {
  if (!existsSync(chromiumPath)) throw new ChromiumNotFoundError(chromiumPath);
  const puppeteer = (await import('puppeteer-core')).default;
  const userDataDir = await mkdtemp(join(tmpdir(), 'signal-pool-pdf-'));
  try {
    const browser = await puppeteer.launch({ executablePath: chromiumPath, userDataDir, args: [...CHROMIUM_ARGS], headless: true, timeout: 60_000 });
    try {
      const page = await browser.newPage();
      await page.setContent(html, { waitUntil: 'load', timeout: 60_000 });
      await page.pdf({ path: pdfPath, format: 'A4', printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } });
    } finally {
      await browser.close();
    }
  } finally {
    await rm(userDataDir, { recursive: true, force: true });
  }
}
