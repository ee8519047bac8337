/**
 * Property test: whatever a user types, and whatever the services throw, dispatch() resolves with a reply that has
 * no stack trace and no configured secret in it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { UserFacingError } from '../../src/app/services.ts';
import { createRouter } from '../../commands/router.ts';
import type { Reply } from '../../commands/reply.ts';
import { secretsOf } from '../../config/schema.ts';
import { fakeServices, testConfig, TELEGRAM_TOKEN, DISCORD_TOKEN } from './fakes.ts';

const MONGO_PASSWORD = 's3cretMongoPw';

const hostile = fc.constantFrom(
  '', ' ', 'BTC', 'btc', 'uptrend', 'DOWNTREND', 'SLO', '0', '-1', '1e9', '99999999999999999999', 'NaN', 'Infinity',
  '__proto__', 'constructor', 'toString', '<b>bold</b>', '&amp;', '@everyone', '<@123>', '`````', '*_~|', '../../etc/passwd',
  "'; DROP TABLE models; --", '${process.env}', '\u0000', '\u202eRTL', '🚀', 'x'.repeat(5000), '\n    at evil (/x.js:1:1)',
  TELEGRAM_TOKEN, DISCORD_TOKEN,
);
const arg = fc.oneof(hostile, fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.integer().map(String));
const name = fc.oneof(fc.constantFrom('predict', 'models', 'deploy', 'report', 'subscribe', 'unsubscribe', 'help', 'PREDICT', 'start'), fc.string({ maxLength: 12 }));
const input = fc.oneof(
  fc.record({ name, args: fc.array(arg, { maxLength: 8 }) }),
  fc.tuple(fc.constantFrom('/', '', '/ ', '//'), name, fc.array(arg, { maxLength: 8 }), fc.constantFrom(' ', '  ', ',', '\n', '\t'))
    .map(([prefix, n, args, sep]) => `${prefix}${n}${sep}${args.join(sep)}`),
);
/** What the services do on this call: answer, fail in a user-facing way, or crash with a secret in the message. */
const behaviour = fc.constantFrom('ok', 'user-error', 'crash', 'crash-with-secret', 'chart-crash');

function textOf(reply: Reply): string {
  return [reply.text, ...(reply.table ? [reply.table.columns.join(' '), ...reply.table.rows.flat()] : []), ...(reply.images ?? []).map((i) => i.caption ?? '')].join('\n');
}

describe('dispatch fuzz', () => {
  it('never throws, never shows a stack trace or a secret (300 cases)', async () => {
    const config = testConfig({
      'store.mongoUri': `mongodb://pool:${MONGO_PASSWORD}@127.0.0.1:27017/x`,
      'chat.predictCooldownSeconds': 0,
      'chat.deployCooldownSeconds': 0,
    });
    const secrets = secretsOf(config);
    assert.ok(secrets.includes(TELEGRAM_TOKEN) && secrets.includes(DISCORD_TOKEN) && secrets.includes(MONGO_PASSWORD));
    const router = createRouter();
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(input, behaviour, fc.boolean(), fc.boolean(), async (line, how, isAdmin, isGroup) => {
        cases++;
        const services = fakeServices({ config });
        const fail = async (): Promise<never> => {
          if (how === 'user-error') throw new UserFacingError('No champion model for that pool yet.');
          const error = new Error(how === 'crash-with-secret' ? `auth failed for ${config.store.mongoUri} using ${TELEGRAM_TOKEN}` : 'boom');
          throw error;
        };
        if (how !== 'ok' && how !== 'chart-crash') {
          services.impl.predict = fail;
          services.impl.deploy = fail;
          services.listChampions = fail;
          services.getChampion = fail;
        }
        if (how === 'chart-crash') services.impl.chart = async () => { throw new Error(`chart ${DISCORD_TOKEN}\n    at x`); };
        if (how === 'ok') {
          // Keep the property fast: a deployment that reports and finishes at once.
          services.impl.deploy = async (req) => ({ trend: req.trend, protocol: 'seed', startedAt: new Date(), seconds: 1, symbols: [] });
        }
        const progress: string[] = [];
        const reply = await router.dispatch(line, {
          platform: 'fuzz', userId: 'u', chatId: 'c', isAdmin, isGroup, correlationId: 'corr1', services,
          progress: async (t) => { progress.push(t); },
        });
        assert.equal(typeof reply.text, 'string');
        assert.ok(reply.text.length > 0);
        for (const text of [textOf(reply), ...progress]) {
          assert.doesNotMatch(text, /^\s+at\s/m, `stack trace in reply to ${JSON.stringify(line).slice(0, 200)}`);
          for (const s of secrets) assert.ok(!text.includes(s), `secret in reply to ${JSON.stringify(line).slice(0, 200)}`);
        }
        if (how.startsWith('crash') && /Something went wrong/.test(reply.text)) assert.match(reply.text, /\(ref corr1\)/);
      }),
      { numRuns: 300, seed: 20261124 },
    );
    assert.ok(cases >= 300);
  });
});
