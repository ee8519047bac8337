import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server.ts';
import { memoryLogger } from '../../src/app/logger.ts';
import { UserFacingError } from '../../src/app/services.ts';
import { defaultModels, deployedModel, fakeServices, type FakeControls } from './fake-services.ts';

const logs = memoryLogger();
const { services, controls } = fakeServices({ logger: logs });
let app: FastifyInstance;
let base: string;

before(async () => {
  app = buildApi(services, { healthTimeoutMs: 200 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(() => app.close());

beforeEach(() => {
  const fresh: FakeControls = { models: defaultModels(), predictCalls: [], predictError: null, storeReachable: true, pingHangs: false, jobRuns: [] };
  Object.assign(controls, fresh);
  logs.records.length = 0;
});

async function get(path: string): Promise<{ status: number; body: any; type: string | null }> {
  const res = await fetch(base + path);
  return { status: res.status, body: await res.json(), type: res.headers.get('content-type') };
}

describe('GET /models', () => {
  test('lists every champion in the seed schema, sorted by symbol', async () => {
    const { status, body } = await get('/models');
    assert.equal(status, 200);
    assert.deepEqual(body.map((m: any) => `${m.symbol}/${m.trend_type}`), ['BTC/uptrend', 'SOL/downtrend']);
    assert.deepEqual(body[0], {
      symbol: 'BTC',
      trend_type: 'uptrend',
      feature_importance: { rsi: 0.031, sma_ratio: -0.012 },
      performance_metrics: { positive_accuracy: 0.62, negative_accuracy: 0.77, overall_score: 0.695, accuracy: 0.71, precision: 0.64 },
      target_pct: 0.05,
      prediction_window_days: 10,
      version: 2,
      classifier: 'xgboost',
      trained_at: '2026-11-20T02:00:00.000Z',
      metrics_sample: 'out-of-sample',
      metrics_note: 'out-of-sample: TEST window 2026-07-01..2026-11-09, scored by the recipe trained before it; the served model was then refit on all rows through 2026-11-09',
    });
    // The response schema strips fields the contract does not list (auc is in metrics but not in the seed schema).
    assert.equal('auc' in body[0].performance_metrics, false);
  });

  test('a new champion version shows up at once', async () => {
    await get('/models');
    controls.models[0] = { ...deployedModel('SOL', 'downtrend', 4), classifier: 'svm', shapImportance: { rsi: -0.5 } };
    const { body } = await get('/models');
    const sol = body.find((m: any) => m.symbol === 'SOL');
    assert.equal(sol.version, 4);
    assert.equal(sol.classifier, 'svm');
    assert.deepEqual(sol.feature_importance, { rsi: -0.5 });
  });

  test('filters by trend_type', async () => {
    const { body } = await get('/models?trend_type=downtrend');
    assert.deepEqual(body.map((m: any) => m.symbol), ['SOL']);
  });

  test('rejects an unknown trend_type with 422 naming the parameter', async () => {
    const { status, body } = await get('/models?trend_type=sideways');
    assert.equal(status, 422);
    assert.deepEqual(body.detail, [{ loc: ['query', 'trend_type'], msg: 'trend_type must be one of uptrend, downtrend', type: 'enum' }]);
  });

  test('a store outage gives 500 with a correlation id and no stack', async () => {
    controls.storeReachable = false;
    const { status, body } = await get('/models');
    assert.equal(status, 500);
    assert.match(body.correlation_id, /^[0-9a-f-]{36}$/);
    assert.equal(body.detail, `Internal server error. Reference: ${body.correlation_id}`);
    assert.equal(JSON.stringify(body).includes('connection refused'), false);
    const logged = logs.records.find((r) => r.level === 'error');
    assert.equal(logged?.fields.correlationId, body.correlation_id);
  });
});

describe('GET /prediction', () => {
  test('returns [1-p, p] with the model version, classifier and as-of date', async () => {
    const { status, body, type } = await get('/prediction?symbol=BTC&trend_type=uptrend');
    assert.equal(status, 200);
    assert.match(type ?? '', /application\/json/);
    assert.deepEqual(body, {
      prediction_probabilities: [0.25, 0.75],
      symbol: 'BTC', trend_type: 'uptrend', as_of: '2026-11-23', version: 2, classifier: 'xgboost',
      signal: true, threshold: 0.5, abstain: false, scope: 'coin', model_note: null,
    });
  });

  test('the symbol is case-insensitive', async () => {
    const { status, body } = await get('/prediction?symbol=sol&trend_type=downtrend');
    assert.equal(status, 200);
    assert.equal(body.symbol, 'SOL');
    assert.deepEqual(controls.predictCalls, ['SOL/downtrend']);
  });

  test('an unknown model gives 404 with a detail message', async () => {
    const { status, body } = await get('/prediction?symbol=ETH&trend_type=uptrend');
    assert.equal(status, 404);
    assert.deepEqual(body, { detail: 'No model is deployed for ETH uptrend.' });
  });

  test('missing parameters give 422 naming each of them', async () => {
    const { status, body } = await get('/prediction');
    assert.equal(status, 422);
    assert.deepEqual(body.detail.map((d: any) => d.msg).sort(), ['symbol is required', 'trend_type is required']);
    assert.deepEqual(body.detail.map((d: any) => d.loc[1]).sort(), ['symbol', 'trend_type']);
    assert.deepEqual(controls.predictCalls, [], 'validation happens before the service is called');
  });

  test('a malformed symbol or trend gives 422 with a readable message', async () => {
    const bad = await get('/prediction?symbol=B!&trend_type=up');
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.detail.map((d: any) => d.msg).sort(), [
      'symbol must be a coin ticker of 2-10 letters or digits, e.g. SOL',
      'trend_type must be one of uptrend, downtrend',
    ]);
    const repeated = await get('/prediction?symbol=BTC&symbol=ETH&trend_type=uptrend');
    assert.equal(repeated.status, 422);
    assert.deepEqual(repeated.body.detail[0].loc, ['query', 'symbol']);
  });

  test('service errors map to 422 and 503; anything else to 500 without internals', async () => {
    controls.predictError = new UserFacingError('Unknown symbol XYZ. Known: BTC, SOL, ETH', 'BAD_REQUEST');
    const badRequest = await get('/prediction?symbol=XYZ&trend_type=uptrend');
    assert.equal(badRequest.status, 422);
    assert.equal(badRequest.body.detail[0].msg, 'Unknown symbol XYZ. Known: BTC, SOL, ETH');

    controls.predictError = new UserFacingError('The data provider is rate-limited; retry in a minute.', 'UNAVAILABLE');
    const unavailable = await get('/prediction?symbol=BTC&trend_type=uptrend');
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.body.detail, 'The data provider is rate-limited; retry in a minute.');

    controls.predictError = new TypeError("Cannot read properties of undefined (reading 'secretField')");
    const crash = await get('/prediction?symbol=BTC&trend_type=uptrend');
    assert.equal(crash.status, 500);
    assert.deepEqual(Object.keys(crash.body).sort(), ['correlation_id', 'detail']);
    const text = JSON.stringify(crash.body);
    assert.equal(/secretField|TypeError|at .*\.ts/.test(text), false, text);
  });
});

describe('GET /health', () => {
  test('reports ok, the store, the model count and the newest run of each job', async () => {
    const run = (job: string, slot: string, startedAt: string, status: 'SUCCEEDED' | 'RUNNING') => ({
      job, slot, status, owner: 'test', startedAt: new Date(startedAt),
      endedAt: status === 'RUNNING' ? null : new Date(Date.parse(startedAt) + 60_000),
      summary: null, error: null, attempts: 1,
    });
    controls.jobRuns = [
      run('daily', '2026-11-23T00:15Z', '2026-11-23T00:15:00Z', 'SUCCEEDED'),
      run('daily', '2026-11-24T00:15Z', '2026-11-24T00:15:00Z', 'RUNNING'),
      run('weekly-deploy', '2026-11-22T02:00Z', '2026-11-22T02:00:00Z', 'SUCCEEDED'),
    ];
    const { status, body } = await get('/health');
    assert.equal(status, 200);
    assert.deepEqual(body, {
      status: 'ok',
      problems: [],
      store: { kind: 'embedded', reachable: true, check: null },
      models: 2,
      artifacts: [],
      chat: [],
      market_data: null,
      scheduler: null,
      last_job_runs: [
        { job: 'daily', slot: '2026-11-24T00:15Z', status: 'RUNNING', started_at: '2026-11-24T00:15:00.000Z', ended_at: null },
        { job: 'weekly-deploy', slot: '2026-11-22T02:00Z', status: 'SUCCEEDED', started_at: '2026-11-22T02:00:00.000Z', ended_at: '2026-11-22T02:01:00.000Z' },
      ],
    });
  });

  test('answers 503 unavailable when the store is unreachable; /ready says the same, /live still answers 200', async () => {
    controls.storeReachable = false;
    const { status, body } = await get('/health');
    assert.equal(status, 503);
    assert.equal(body.status, 'unavailable');
    assert.deepEqual(body.store, { kind: 'embedded', reachable: false, check: null });
    assert.equal(body.models, null);
    assert.ok(body.problems.includes('the store does not answer'));
    const ready = await get('/ready');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.status, 'unavailable');
    const live = await get('/live');
    assert.equal(live.status, 200);
    assert.equal(live.body.status, 'alive');
  });
});

test('a hung store makes /health answer degraded within the probe deadline', async () => {
  controls.pingHangs = true;
  const started = performance.now();
  const { status, body } = await get('/health');
  const ms = performance.now() - started;
  assert.equal(status, 503);
  assert.equal(body.status, 'unavailable');
  assert.equal(body.store.reachable, false);
  assert.equal(body.models, 2, 'the other probes still answer');
  assert.ok(ms < 1000, `took ${ms} ms with a 200 ms probe deadline`);
  assert.ok(logs.records.some((r) => r.level === 'warn' && r.fields.probe === 'store.ping'));
});

test('unknown routes give 404 with a detail message', async () => {
  const { status, body } = await get('/nope');
  assert.equal(status, 404);
  assert.deepEqual(body, { detail: 'Not Found' });
});
