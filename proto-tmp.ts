import { writeReport } from './reports/html/write-report.ts';
import { fixtureVersion, fixturePredictions, memoryReportStore, loadCandles } from './test/reports/fixtures.ts';
const v1 = fixtureVersion({ symbol: 'BTC', trend: 'uptrend' });
const v2 = fixtureVersion({ symbol: 'ETH', trend: 'downtrend', withBacktest: false });
const store = memoryReportStore({ champions: [v1, v2], predictions: [...fixturePredictions(v1), ...fixturePredictions(v2)], registeredOnly: [{ name: 'SOL_uptrend_model', symbol: 'SOL', trend: 'uptrend', createdAt: new Date(), latestVersion: 2 }] });
const t0 = performance.now();
const r = await writeReport({ store, outDir: '/tmp/rp/report', symbols: ['BTC', 'ETH', 'SOL'], loadCandles: async (s) => loadCandles(s), pdf: process.argv[2] === 'pdf' });
console.log(r, performance.now() - t0);
