import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsvProvider } from '../../../src/data/providers/csv-provider.ts';
import { InvalidDataError, InvalidRequestError, ProviderConfigError, UnknownSymbolError } from '../../../src/data/providers/errors.ts';
import { DATA_DIR, warningSink } from './helpers.ts';

const COINS = ['BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'ADA', 'AVAX', 'DOGE', 'DOT', 'LINK', 'MATIC', 'LTC', 'BCH', 'UNI', 'ATOM', 'XLM', 'ETC', 'FIL', 'AAVE', 'GRT'];

test('all 20 bundled coins load, with one candle per data line and no warnings', async () => {
  const sink = warningSink();
  const provider = createCsvProvider({ dir: DATA_DIR, onWarning: sink.onWarning });
  assert.equal(provider.name, 'csv');
  assert.deepEqual(readdirSync(DATA_DIR).filter((f) => f.endsWith('.csv')).map((f) => f.slice(0, -4)).sort(), [...COINS].sort());
  for (const coin of COINS) {
    const lines = readFileSync(join(DATA_DIR, `${coin}.csv`), 'utf8').trim().split('\n');
    const candles = await provider.fetchDaily(coin);
    assert.equal(candles.length, lines.length - 1, coin);
    assert.equal(candles[0].date, lines[1].split(',')[0], `${coin} first date`);
    assert.equal(candles.at(-1)!.date, lines.at(-1)!.split(',')[0], `${coin} last date`);
    assert.equal(candles.at(-1)!.close, Number(lines.at(-1)!.split(',')[4]), `${coin} last close`);
  }
  assert.deepEqual(sink.warnings, []);
});

test('since keeps candles on/after the date', async () => {
  const provider = createCsvProvider({ dir: DATA_DIR });
  const candles = await provider.fetchDaily('BTC', { since: '2025-12-30' });
  assert.deepEqual(candles.map((c) => c.date), ['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05']);
  await assert.rejects(provider.fetchDaily('BTC', { since: '30/12/2025' }), InvalidRequestError);
});

test('an unknown symbol names the missing file and lists what is available', async () => {
  const provider = createCsvProvider({ dir: DATA_DIR });
  await assert.rejects(provider.fetchDaily('NOPE'), (e: unknown) => {
    assert.ok(e instanceof UnknownSymbolError);
    assert.equal(e.symbol, 'NOPE');
    assert.equal(e.provider, 'csv');
    assert.equal(e.retryable, false);
    assert.match(e.message, /^CSV NOPE: unknown symbol: .*NOPE\.csv does not exist \(available in .*: AAVE, ADA, ATOM, .*XRP\)$/);
    return true;
  });
});

test('symbols that could escape the directory are refused', async () => {
  const provider = createCsvProvider({ dir: DATA_DIR });
  await assert.rejects(provider.fetchDaily('../BTC'), InvalidRequestError);
  await assert.rejects(provider.fetchDaily('btc'), /invalid symbol "btc"/);
});

test('a missing data directory is a configuration error', async () => {
  const provider = createCsvProvider({ dir: join(tmpdir(), 'signal-pool-no-such-dir') });
  await assert.rejects(provider.fetchDaily('BTC'), (e: unknown) => e instanceof ProviderConfigError && /does not exist or cannot be read/.test(e.message));
});

test('malformed files fail with the file, line and date of the problem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signal-pool-csv-'));
  const header = 'date,open,high,low,close,volume';
  const ok1 = '2020-01-01,7195.24,7255,7175.15,7200.85,16792.388165';
  const ok2 = '2020-01-02,7200.77,7212.5,6924.74,6965.71,31951.483932';
  const cases: [string, string, RegExp][] = [
    ['HDR', 'Date,Open,High,Low,Volume\n' + ok1, /HDR\.csv line 1: malformed header "Date,Open,High,Low,Volume": missing column close/],
    ['NAN', `${header}\n${ok1}\n2020-01-02,7200.77,abc,6924.74,6965.71,31951.48`, /NAN\.csv line 3 \(2020-01-02\): high "abc" is not a number/],
    ['ZERO', `${header}\n${ok1}\n2020-01-02,0,7212.5,6924.74,6965.71,31951.48`, /ZERO\.csv line 3 \(2020-01-02\): open 0 must be > 0/],
    ['NEGV', `${header}\n${ok1}\n2020-01-02,7200.77,7212.5,6924.74,6965.71,-1`, /NEGV\.csv line 3 \(2020-01-02\): volume -1 must be >= 0/],
    ['HILO', `${header}\n2020-01-01,7195.24,7000,7175.15,7200.85,1\n${ok2}`, /HILO\.csv line 2 \(2020-01-01\): high 7000 is below low 7175\.15/],
    ['OPEN', `${header}\n${ok1}\n2020-01-02,7300,7212.5,6924.74,6965.71,1`, /OPEN\.csv line 3 \(2020-01-02\): open 7300 is outside \[low 6924\.74, high 7212\.5\]/],
    ['CLOSE', `${header}\n${ok1}\n2020-01-02,7200.77,7212.5,6924.74,6900,1`, /CLOSE\.csv line 3 \(2020-01-02\): close 6900 is outside/],
    ['DUP', `${header}\n${ok1}\n${ok1}`, /DUP\.csv line 3 \(2020-01-01\): duplicate date/],
    ['SORT', `${header}\n${ok2}\n${ok1}`, /SORT\.csv line 3 \(2020-01-01\): dates are not ascending \(previous row is 2020-01-02\)/],
    ['DATE', `${header}\n${ok1}\n2020-13-02,7200.77,7212.5,6924.74,6965.71,1`, /DATE\.csv line 3 \(2020-13-02\): invalid date "2020-13-02"/],
    ['COLS', `${header}\n${ok1}\n2020-01-02,7200.77,7212.5`, /COLS\.csv line 3 \(2020-01-02\): has 3 fields, the header has 6/],
  ];
  for (const [name, text] of cases) writeFileSync(join(dir, `${name}.csv`), text + '\n');
  const provider = createCsvProvider({ dir });
  for (const [name, , pattern] of cases) {
    await assert.rejects(provider.fetchDaily(name), (e: unknown) => {
      assert.ok(e instanceof InvalidDataError, `${name}: ${String(e)}`);
      assert.equal(e.symbol, name);
      assert.match(e.message, pattern, name);
      assert.ok(e.message.includes(join(dir, `${name}.csv`)), `${name} message names the file`);
      return true;
    });
  }
});

test('gaps are reported through onWarning, and the candles still load', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signal-pool-csv-'));
  writeFileSync(join(dir, 'GAP.csv'), 'date,open,high,low,close,volume\n2020-01-01,1,2,1,2,5\n2020-01-05,2,3,2,3,5\n');
  const sink = warningSink();
  const candles = await createCsvProvider({ dir, onWarning: sink.onWarning }).fetchDaily('GAP');
  assert.equal(candles.length, 2);
  assert.deepEqual(sink.warnings, [`${join(dir, 'GAP.csv')}: 3 missing days between 2020-01-01 and 2020-01-05`]);
});

test('an aborted signal rejects with its reason', async () => {
  const provider = createCsvProvider({ dir: DATA_DIR });
  await assert.rejects(provider.fetchDaily('BTC', { signal: AbortSignal.abort(new Error('user cancelled')) }), /user cancelled/);
});
