import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStore } from '../../../src/store/open-store.ts';
import type { Store } from '../../../src/store/ports.ts';
import { writeReport } from '../../../reports/html/write-report.ts';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH } from '../../../reports/html/pdf.ts';
import { fixturePredictions, fixtureVersion, loadCandles, memoryReportStore, seedStore } from '../fixtures.ts';

const hasChromium = existsSync(DEFAULT_CHROMIUM_PATH);
const noChromium = hasChromium ? false : `SKIPPED: Chromium not found at ${DEFAULT_CHROMIUM_PATH} (CI installs Debian's chromium)`;
if (!hasChromium) console.log(`# ${noChromium}`);

let dir: string;
let store: Store;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signal-pool-report-'));
  store = await openStore({ mongoDb: 'unused', dataDir: join(dir, 'store'), connectTimeoutMs: 1000 });
  const btc = fixtureVersion({ symbol: 'BTC', trend: 'uptrend' });
  // ETH downtrend has no stored backtest: the report recomputes it from the evaluation rows.
  const eth = fixtureVersion({ symbol: 'ETH', trend: 'downtrend', version: 2, withBacktest: false });
  await seedStore(store, [btc, eth], [...fixturePredictions(btc), ...fixturePredictions(eth)]);
  // SOL uptrend is registered but has no champion.
  await store.ensureRegisteredModel('SOL_uptrend_model', 'SOL', 'uptrend');
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const loadCandlesAsync = async (symbol: string) => loadCandles(symbol);

test('writes index.html and one page per coin and trend, from a real embedded store', async () => {
  const out = join(dir, 'report-a');
  const result = await writeReport({ store, outDir: out, symbols: ['BTC', 'ETH', 'SOL'], loadCandles: loadCandlesAsync, now: new Date('2026-01-06T08:00:00Z') });
  assert.deepEqual(
    result.files.map((f) => f.slice(out.length + 1)),
    ['index.html', 'BTC-uptrend.html', 'BTC-downtrend.html', 'ETH-uptrend.html', 'ETH-downtrend.html', 'SOL-uptrend.html', 'SOL-downtrend.html'],
  );
  assert.deepEqual(result.warnings, []);
  assert.equal(result.pdf, undefined);

  const index = readFileSync(join(out, 'index.html'), 'utf8');
  assert.match(index, /2 of 6 models deployed across 3 coins/);
  assert.match(index, /report generated 2026-01-06 08:00 UTC/i);
  for (const page of ['BTC-uptrend', 'BTC-downtrend', 'ETH-uptrend', 'ETH-downtrend', 'SOL-uptrend', 'SOL-downtrend']) {
    assert.ok(index.includes(`href="${page}.html"`), `index does not link ${page}`);
  }
  assert.match(index, /not deployed \(0 versions, no champion\)/); // SOL uptrend: registered, never promoted
  const btcRow = index.match(/<tr>.*?BTC<\/a><\/td><td>uptrend<\/td>.*?<\/tr>/)?.[0] ?? '';
  assert.match(btcRow, /XGBoost<\/td><td>v3<\/td>/);
  assert.match(btcRow, /passed/);
  assert.match(btcRow, /%\s*\(n=50\)/); // live hit rate over the 50 resolved predictions

  const btc = readFileSync(join(out, 'BTC-uptrend.html'), 'utf8');
  const headings = [...btc.matchAll(/<h2>([^<]+)<\/h2>/g)].map((m) => m[1]);
  assert.deepEqual(headings, ['1. Data', '2. Features', '3. Pool leaderboard', '4. Chosen model and its gate', '5. What drives the model (SHAP)', '6. Calibration', '7. Backtest', '8. Live outcomes']);
  // Charts inline as SVG: pool metrics, confusion matrix, SHAP, calibration, backtest, price/signals.
  assert.equal((btc.match(/<svg /g) ?? []).length, 6);
  assert.match(btc, /10 most recent feature rows/);
  assert.ok((btc.match(/<tr><td>7_day_RSI<\/td>/g) ?? []).length === 1, 'feature table lacks 7_day_RSI');
  assert.match(btc, /MLP<\/b> failed: training diverged/);
  assert.match(btc, /Recorded at registration/);
  const eth = readFileSync(join(out, 'ETH-downtrend.html'), 'utf8');
  assert.match(eth, /Computed now from the recorded test-window probabilities/);
  assert.match(eth, /steps out/);
  const sol = readFileSync(join(out, 'SOL-uptrend.html'), 'utf8');
  assert.match(sol, /no version holds the champion alias/);

  // Self-contained: no scripts, no external resources, a CSP that forbids fetching anything.
  for (const f of result.files) {
    const html = readFileSync(f, 'utf8');
    assert.ok(!/<script|<img|<iframe|@import|url\(http|src="http/i.test(html), `${f} has an external resource`);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  }
});

test('problems become warnings and notices, never a failed report', async () => {
  const broken = fixtureVersion({ symbol: 'BTC', trend: 'uptrend' });
  const bad = { ...broken, tags: { ...broken.tags, pool: [{ classifier: 'X' }], evaluation: null } } as typeof broken;
  const memStore = memoryReportStore({ champions: [bad] });
  const out = join(dir, 'report-b');
  const result = await writeReport({
    store: memStore,
    outDir: out,
    trends: ['uptrend'],
    loadCandles: async () => {
      throw new Error('provider down');
    },
  });
  assert.deepEqual(result.files.map((f) => f.slice(out.length + 1)), ['index.html', 'BTC-uptrend.html']); // symbols from the registry
  const text = result.warnings.join('\n');
  assert.match(text, /BTC_uptrend_model: could not load candles for BTC: provider down/);
  assert.match(text, /tag "pool" is malformed at 0\.ok/);
  assert.match(text, /tag "evaluation" is not recorded/);
  const page = readFileSync(join(out, 'BTC-uptrend.html'), 'utf8');
  assert.match(page, /No pool leaderboard: tag &quot;pool&quot; is malformed/);
  assert.match(page, /No calibration/);
  assert.match(page, /Recorded at registration/); // the stored backtest still shows
});

test('a backtest that failed at registration is recomputed from the evaluation rows', async () => {
  const v = fixtureVersion({ symbol: 'BTC', trend: 'uptrend' });
  const failed = { ...v, tags: { ...v.tags, backtest: { error: 'no candle for 2025-07-01' } } };
  const out = join(dir, 'report-g');
  const result = await writeReport({ store: memoryReportStore({ champions: [failed] }), outDir: out, trends: ['uptrend'], loadCandles: loadCandlesAsync });
  assert.deepEqual(result.warnings, []);
  const page = readFileSync(join(out, 'BTC-uptrend.html'), 'utf8');
  assert.match(page, /Computed now from the recorded test-window probabilities/);
  assert.match(page, /Champion decision: no current champion/);
  assert.match(page, /mean SHAP value \(log-odds units\)/);
  // Without candles it cannot be recomputed: the recorded error is shown.
  const r2 = await writeReport({ store: memoryReportStore({ champions: [failed] }), outDir: join(dir, 'report-h'), trends: ['uptrend'], loadCandles: async () => [] });
  assert.match(r2.warnings.join('\n'), /the backtest failed at registration: no candle for 2025-07-01, and no candles to compute one from/);
});

test('an empty store gives an index that says so', async () => {
  const result = await writeReport({ store: memoryReportStore({ champions: [] }), outDir: join(dir, 'report-c'), loadCandles: loadCandlesAsync });
  assert.equal(result.files.length, 1);
  assert.match(result.warnings.join(), /No symbols to report/);
});

test('without Chromium the PDF is skipped with a clear warning and the HTML is still written', async () => {
  const out = join(dir, 'report-d');
  const result = await writeReport({ store, outDir: out, symbols: ['BTC'], trends: ['uptrend'], loadCandles: loadCandlesAsync, pdf: true, chromiumPath: join(dir, 'no-chromium') });
  assert.equal(result.pdf, undefined);
  assert.match(result.warnings.join('\n'), /Chromium not found at .*no-chromium: install Debian's chromium \(apt-get install -y chromium\)/);
  assert.ok(existsSync(join(out, 'index.html')) && existsSync(join(out, 'BTC-uptrend.html')));
});

test('every page opens in headless Chromium with no console errors and no requests but the file itself', { skip: noChromium, timeout: 120_000 }, async () => {
  const out = join(dir, 'report-e');
  const { files } = await writeReport({ store, outDir: out, symbols: ['BTC', 'ETH', 'SOL'], loadCandles: loadCandlesAsync });
  const puppeteer = (await import('puppeteer-core')).default;
  const browser = await puppeteer.launch({ executablePath: DEFAULT_CHROMIUM_PATH, userDataDir: mkdtempSync(join(dir, 'chromium-')), args: [...CHROMIUM_ARGS], headless: true });
  try {
    for (const file of files) {
      const page = await browser.newPage();
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warn') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      const url = pathToFileURL(file).href;
      await page.goto(url, { waitUntil: 'load' });
      assert.deepEqual(requests, [url], `${file} made requests: ${requests.join(', ')}`);
      assert.deepEqual(problems, [], `${file}: ${problems.join('; ')}`);
      // Charts are laid out (inline SVG with a real size) and every element id is unique in the page.
      const facts = await page.evaluate(() => {
        const svgs = [...document.querySelectorAll('figure.chart svg')].map((s) => s.getBoundingClientRect().width);
        const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
        return { svgs, ids: ids.length, unique: new Set(ids).size, h2: document.querySelectorAll('h2').length };
      });
      assert.equal(facts.unique, facts.ids, `${file} has duplicate ids`);
      assert.ok(facts.svgs.every((w) => w > 300), `${file}: a chart is not laid out: ${facts.svgs.join()}`);
      if (file.endsWith('BTC-uptrend.html')) assert.equal(facts.svgs.length, 6);
      await page.close();
    }
  } finally {
    await browser.close();
  }
});

test('--pdf prints the whole report into one PDF through Chromium', { skip: noChromium, timeout: 120_000 }, async () => {
  const out = join(dir, 'report-f');
  const result = await writeReport({ store, outDir: out, symbols: ['BTC'], loadCandles: loadCandlesAsync, pdf: true });
  assert.deepEqual(result.warnings, []);
  assert.equal(result.pdf, join(out, 'report.pdf'));
  const pdf = readFileSync(result.pdf!);
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  // The overview, the BTC uptrend notebook (several A4 pages) and the short "not deployed" downtrend page.
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.ok(pages >= 4, `only ${pages} PDF pages`);
  assert.ok(statSync(result.pdf!).size > 50_000);
});
