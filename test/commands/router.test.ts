import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UserFacingError } from '../../src/app/services.ts';
import type { CommandContext } from '../../commands/context.ts';
import { createRouter, parseCommandLine } from '../../commands/router.ts';
import { MODELS_PAGE_SIZE } from '../../commands/models.ts';
import { champion, fakeServices, MemoryChatStore, type FakeServices } from './fakes.ts';

function ctxFor(services: FakeServices, extra: Partial<CommandContext> = {}): CommandContext {
  return { platform: 'test', userId: 'u1', chatId: 'c1', isAdmin: false, isGroup: false, correlationId: 'ref123', services, ...extra };
}

describe('parseCommandLine', () => {
  it('splits name, @target and arguments', () => {
    assert.deepEqual(parseCommandLine('/Predict@SignalPoolBot  btc, uptrend '), { name: 'predict', args: ['btc', 'uptrend'], target: 'SignalPoolBot' });
    assert.deepEqual(parseCommandLine('models'), { name: 'models', args: [], target: undefined });
    assert.equal(parseCommandLine('?? what'), null);
    assert.equal(parseCommandLine('/pre-dict BTC'), null);
    assert.equal(parseCommandLine('/'), null);
  });
});

describe('dispatch /predict', () => {
  it('answers probability, signal, model, metrics, live hit rate, as-of and the SHAP chart', async () => {
    const services = fakeServices();
    const reply = await createRouter().dispatch('/predict btc UPTREND', ctxFor(services));
    assert.deepEqual(services.calls.find((c) => c.method === 'predict')?.args, ['BTC', 'uptrend']);
    assert.match(reply.text, /BTC uptrend: probability 0\.731 -> SIGNAL \(threshold 0\.50\)/);
    assert.match(reply.text, /BTC_uptrend_model v3 \(xgboost\)/);
    assert.match(reply.text, /overall 0\.680, precision 0\.610/);
    assert.match(reply.text, /hit rate 62\.0% over 34 resolved/);
    assert.match(reply.text, /As of 2026-11-23/);
    assert.equal(reply.images?.length, 1);
    assert.equal(reply.images?.[0].name, 'shap-BTC.png');
    assert.equal(reply.images?.[0].png[1], 0x50); // "PNG" signature
  });

  it('replies with text only when no chart exists or the chart fails', async () => {
    const services = fakeServices();
    services.impl.chart = async () => null;
    assert.equal((await createRouter().dispatch('/predict ETH downtrend', ctxFor(services))).images?.length, 0);
    services.impl.chart = async () => { throw new Error('renderer crashed'); };
    const reply = await createRouter().dispatch('/predict ETH downtrend', ctxFor(services));
    assert.equal(reply.images?.length, 0);
    assert.match(reply.text, /ETH downtrend: probability/);
    assert.ok(services.logger.records.some((r) => r.level === 'warn' && r.fields.correlationId === 'ref123'));
  });

  it('names a mistyped symbol and suggests the closest one', async () => {
    const services = fakeServices();
    const router = createRouter();
    assert.equal((await router.dispatch('/predict SLO uptrend', ctxFor(services))).text, 'Unknown symbol SLO. Did you mean SOL?');
    assert.equal((await router.dispatch('/predict btcc uptrend', ctxFor(services))).text, 'Unknown symbol BTCC. Did you mean BTC?');
    const far = await router.dispatch('/predict QWERTYZ uptrend', ctxFor(services));
    assert.match(far.text, /^Unknown symbol QWERTYZ\. Known symbols: BTC, ETH, .*GRT\.$/);
    assert.equal(services.calls.filter((c) => c.method === 'predict').length, 0);
  });

  it('names a wrong trend, a missing argument and extra arguments precisely', async () => {
    const services = fakeServices();
    const router = createRouter();
    assert.equal((await router.dispatch('/predict BTC uptrnd', ctxFor(services))).text, 'Unknown trend "uptrnd": the trend must be uptrend or downtrend. Did you mean uptrend?');
    assert.equal((await router.dispatch('/predict BTC sideways', ctxFor(services))).text, 'Unknown trend "sideways": the trend must be uptrend or downtrend.');
    assert.equal((await router.dispatch('/predict BTC', ctxFor(services))).text, 'Missing trend (uptrend or downtrend). Usage: /predict <SYMBOL> <uptrend|downtrend>');
    assert.match((await router.dispatch('/predict BTC uptrend now please', ctxFor(services))).text, /^Too many arguments \("now please"\)\. Usage: \/predict/);
  });

  it('limits bursts of /predict per user, with the injected clock', async () => {
    let now = 1_000_000;
    const services = fakeServices();
    const router = createRouter({ now: () => now });
    const burst = services.config.chat.predictBurst;
    for (let i = 0; i < burst; i++) assert.match((await router.dispatch('/predict BTC uptrend', ctxFor(services))).text, /probability/);
    const limited = await router.dispatch('/predict BTC uptrend', ctxFor(services));
    assert.equal(limited.text, `Slow down: /predict is rate-limited per user. Try again in ${services.config.chat.predictCooldownSeconds} s.`);
    // Another user is not affected.
    assert.match((await router.dispatch('/predict BTC uptrend', ctxFor(services, { userId: 'u2' }))).text, /probability/);
    now += services.config.chat.predictCooldownSeconds * 1000;
    assert.match((await router.dispatch('/predict BTC uptrend', ctxFor(services))).text, /probability/);
    assert.match((await router.dispatch('/predict BTC uptrend', ctxFor(services))).text, /^Slow down/);
    // A typo does not use up the allowance.
    assert.match((await router.dispatch('/predict XX uptrend', ctxFor(services, { userId: 'u3' }))).text, /Unknown symbol/);
    assert.equal(services.calls.filter((c) => c.method === 'predict').length, burst + 2);
  });
});

describe('dispatch /models', () => {
  it('pages the champions table', async () => {
    const services = fakeServices();
    const router = createRouter();
    const first = await router.dispatch('/models', ctxFor(services));
    const total = services.config.symbols.length * 2;
    const pages = Math.ceil(total / MODELS_PAGE_SIZE);
    assert.equal(first.text, `Champion models for both trends (${total}), page 1 of ${pages}. Scores are out-of-sample (TEST window, a model trained before it); the served model is then refit on all rows. Next: /models 2`);
    assert.deepEqual(first.table?.columns, ['Symbol', 'Trend', 'Classifier', 'Overall', 'Precision', 'Version', 'Trained']);
    assert.equal(first.table?.rows.length, MODELS_PAGE_SIZE);
    assert.deepEqual(first.table?.rows[0], ['AAVE', 'downtrend', 'xgboost', '0.680', '0.610', 'v3', '2026-11-20']);

    const up2 = await router.dispatch('/models uptrend 2', ctxFor(services));
    assert.match(up2.text, /^Champion models for uptrend \(20\), page 2 of 2\. Scores are out-of-sample/);
    assert.ok(up2.table?.rows.every((r) => r[1] === 'uptrend'));
    assert.equal(up2.table?.rows.length, 10);

    const byPage = await router.dispatch('/models 3', ctxFor(services));
    assert.match(byPage.text, /page 3 of 4/);
    assert.equal((await router.dispatch('/models uptrend 5', ctxFor(services))).text, 'Page 5 does not exist: there are 2 pages of models for uptrend.');
    assert.equal((await router.dispatch('/models uptrend 0', ctxFor(services))).text, 'The page must be a whole number from 1, not "0".');
  });

  it('says so when there is no champion yet', async () => {
    const services = fakeServices({ champions: [] });
    assert.match((await createRouter().dispatch('/models downtrend', ctxFor(services))).text, /No champion models yet for downtrend\. An admin can train them with \/deploy downtrend\./);
  });
});

describe('dispatch /deploy', () => {
  it('refuses non-admins without starting anything', async () => {
    const services = fakeServices();
    const reply = await createRouter().dispatch('/deploy uptrend BTC', ctxFor(services, { isGroup: true }));
    assert.equal(reply.text, '/deploy is for admins only.');
    assert.equal(services.calls.filter((c) => c.method === 'deploy').length, 0);
  });

  it('reports progress through ctx.progress and ends with a summary', async () => {
    const services = fakeServices();
    const progress: string[] = [];
    const reply = await createRouter().dispatch('/deploy downtrend eth btc ETH', ctxFor(services, { isAdmin: true, progress: async (t) => { progress.push(t); } }));
    assert.deepEqual(services.calls.find((c) => c.method === 'deploy')?.args, ['downtrend', ['ETH', 'BTC'], 'test:u1']);
    assert.match(progress[0], /^Deploying downtrend models: 0 of 2 pools done$/);
    assert.match(progress.at(-1)!, /^Deploying downtrend models: 2 of 2 pools done\nETH: v4, new champion\nBTC: not registered: overall 0\.55 < 0\.60$/);
    assert.equal(reply.text, 'Deployment of downtrend models finished in 1m 15s (walk-forward protocol): 1 of 2 registered, 1 new champion.');
    assert.deepEqual(reply.table?.rows, [['ETH', 'xgboost', '0.700', 'v4, new champion'], ['BTC', 'xgboost', '0.700', 'not registered: overall 0.55 < 0.60']]);
  });

  it('runs one deployment at a time and applies the per-user cooldown', async () => {
    let now = 5_000_000;
    const services = fakeServices();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const original = services.impl.deploy;
    services.impl.deploy = async (req) => { await gate; return original(req); };
    const router = createRouter({ now: () => now });
    const first = router.dispatch('/deploy uptrend', ctxFor(services, { isAdmin: true, userId: 'admin1' }));
    await new Promise((r) => setTimeout(r, 10));
    const second = await router.dispatch('/deploy uptrend', ctxFor(services, { isAdmin: true, userId: 'admin2' }));
    assert.equal(second.text, 'A deployment is already running. Wait for it to finish.');
    release();
    assert.match((await first).text, /^Deployment of uptrend models finished/);
    const again = await router.dispatch('/deploy uptrend', ctxFor(services, { isAdmin: true, userId: 'admin1' }));
    assert.equal(again.text, `Slow down: /deploy is rate-limited per user. Try again in ${services.config.chat.deployCooldownSeconds} s.`);
    now += services.config.chat.deployCooldownSeconds * 1000;
    assert.match((await router.dispatch('/deploy uptrend', ctxFor(services, { isAdmin: true, userId: 'admin1' }))).text, /finished/);
  });
});

describe('dispatch /report, /subscribe, /help', () => {
  it('/report lists every test metric, top SHAP features and both charts', async () => {
    const services = fakeServices();
    const reply = await createRouter().dispatch('/report sol downtrend', ctxFor(services));
    assert.match(reply.text, /^SOL downtrend: SOL_downtrend_model v3 \(xgboost\), trained 2026-11-20/);
    assert.match(reply.text, /Top features \(mean \|SHAP\|\): rsi 0\.200, macd 0\.120, obv 0\.030/);
    assert.deepEqual(reply.table?.rows.slice(0, 3), [['overall', '0.680'], ['accuracy', '0.700'], ['precision', '0.610']]);
    assert.ok(reply.table?.rows.some((r) => r[0] === 'tp' && r[1] === '12'));
    assert.deepEqual(reply.images?.map((i) => i.name), ['pool-SOL.png', 'shap-SOL.png']);
  });

  it('/report names a pool without a champion', async () => {
    const services = fakeServices({ champions: [champion('BTC', 'uptrend')] });
    assert.equal((await createRouter().dispatch('/report ETH uptrend', ctxFor(services))).text,
      'There is no champion model for ETH uptrend yet. An admin can train one with /deploy uptrend ETH.');
  });

  it('/subscribe and /unsubscribe: anyone in a private chat, admins only in groups', async () => {
    const store = new MemoryChatStore();
    const services = fakeServices({ store });
    const router = createRouter();
    assert.equal((await router.dispatch('/subscribe', ctxFor(services, { isGroup: true, chatId: 'g1' }))).text, 'In groups and servers, only admins can use /subscribe.');
    assert.equal((await store.listSubscriptions()).length, 0);
    assert.match((await router.dispatch('/subscribe', ctxFor(services, { isGroup: true, isAdmin: true, chatId: 'g1' }))).text, /^Subscribed/);
    assert.match((await router.dispatch('/subscribe', ctxFor(services, { chatId: 'p1' }))).text, /^Subscribed/);
    assert.match((await router.dispatch('/subscribe', ctxFor(services, { chatId: 'p1' }))).text, /already subscribed/);
    assert.deepEqual((await store.listSubscriptions('test')).map((s) => [s.chatId, s.createdBy]), [['g1', 'test:u1'], ['p1', 'test:u1']]);
    assert.equal((await router.dispatch('/unsubscribe', ctxFor(services, { isGroup: true, chatId: 'g1' }))).text, 'In groups and servers, only admins can use /unsubscribe.');
    assert.match((await router.dispatch('/unsubscribe', ctxFor(services, { chatId: 'p1' }))).text, /^Unsubscribed/);
    assert.match((await router.dispatch('/unsubscribe', ctxFor(services, { chatId: 'p1' }))).text, /was not subscribed/);
  });

  it('/help lists every command with its usage; unknown commands get a suggestion', async () => {
    const services = fakeServices();
    const router = createRouter();
    const help = (await router.dispatch('/help', ctxFor(services))).text;
    for (const c of router.commands) assert.ok(help.includes(`/${c.name}`), c.name);
    assert.match(help, /\/deploy <uptrend\|downtrend> \[SYMBOL \.\.\.\]\n {4}Train and register new models for a trend \(admins only\)$/m);
    assert.equal((await router.dispatch('/predcit BTC uptrend', ctxFor(services))).text, 'Unknown command /predcit. Did you mean /predict? Send /help for the list.');
    assert.match((await router.dispatch({ name: 'HELP', args: [] }, ctxFor(services))).text, /Signal Pool/);
  });
});

describe('dispatch error handling', () => {
  it('shows user-facing errors as they are', async () => {
    const services = fakeServices();
    services.impl.predict = async () => { throw new UserFacingError('No champion model for BTC uptrend yet.', 'NOT_FOUND'); };
    assert.equal((await createRouter().dispatch('/predict BTC uptrend', ctxFor(services))).text, 'No champion model for BTC uptrend yet.');
  });

  it('hides internal errors behind the correlation id and logs them under it', async () => {
    const services = fakeServices();
    const token = services.config.chat.telegramToken!;
    services.impl.predict = async () => { throw new Error(`connect ECONNREFUSED with token ${token}`); };
    const reply = await createRouter().dispatch('/predict BTC uptrend', ctxFor(services, { correlationId: 'abc42' }));
    assert.equal(reply.text, 'Something went wrong (ref abc42). It has been logged; please try again later.');
    const logged = services.logger.records.find((r) => r.level === 'error');
    assert.equal(logged?.fields.correlationId, 'abc42');
    assert.match(String((logged?.fields.error as Error).message), /ECONNREFUSED/);
  });

  it('scrubs secrets even from a user-facing message', async () => {
    const services = fakeServices();
    const token = services.config.chat.discordToken!;
    services.impl.predict = async () => { throw new UserFacingError(`bad ${token}\n    at Object.<anonymous> (/x.ts:1:1)`); };
    const reply = await createRouter().dispatch('/predict BTC uptrend', ctxFor(services));
    assert.equal(reply.text, 'bad ***');
  });
});

describe('over-long input (issue 19, drill 8)', () => {
  it('refuses a line over 2,000 characters as too long, whatever it cuts through, and runs nothing', async () => {
    const services = fakeServices();
    const router = createRouter();
    // 2,000 characters would end inside "BTC": the old cut answered "Unknown symbol BT".
    const head = `/deploy uptrend ${Array.from({ length: 495 }, () => 'ETH').join(' ')}`;
    const line = `${head.padEnd(1998, ' ')}BTC`;
    assert.ok(line.length > 2000 && line.slice(0, 2000).endsWith(' BT'));
    const reply = await router.dispatch(line, ctxFor(services, { isAdmin: true }));
    assert.match(reply.text, /^That command is too long \(\d+ characters; the limit is 2000\)\. Nothing was run\./);
    assert.doesNotMatch(reply.text, /Unknown symbol/);
    assert.equal(services.calls.filter((c) => c.method === 'deploy').length, 0);
    // The same through an adapter that hands over name and arguments (Telegram parses the line first).
    const parsed = parseCommandLine(line)!;
    assert.equal(parsed.args.at(-1), 'BTC');
    const viaAdapter = await router.dispatch({ name: parsed.name, args: parsed.args, length: parsed.length }, ctxFor(services, { isAdmin: true }));
    assert.match(viaAdapter.text, /too long/);
    // A long line within the limit still works normally.
    const ok = await router.dispatch('/predict btc uptrend' + ' '.repeat(1500), ctxFor(services));
    assert.match(ok.text, /BTC uptrend: probability/);
  });
});
