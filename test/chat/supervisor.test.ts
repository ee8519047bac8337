import { test } from 'node:test';
import assert from 'node:assert/strict';
import { superviseChatPlatforms } from '../../src/chat/supervisor.ts';
import { fakeServices, TELEGRAM_TOKEN, testConfig } from '../commands/fakes.ts';
import { FakeTelegram } from './fake-telegram.ts';

test('drill 1: a rejected token is failed for good (named variable, no retry); a good one comes up', { timeout: 30_000 }, async () => {
  const wrong = await new FakeTelegram('999:SomeOtherTokenThatIsNotOurs_000000').start();
  const services = fakeServices({ config: testConfig({ 'chat.discordToken': undefined }) });
  const chat = superviseChatPlatforms({ services, telegramApiRoot: wrong.apiRoot, startTimeoutMs: 5000, retryBaseMs: 50 });
  try {
    assert.equal(chat.platforms.length, 1, 'usable for sending at once');
    await chat.settled();
    const [state] = chat.status();
    assert.equal(state!.state, 'failed');
    assert.equal(state!.attempts, 1, 'not retried');
    const line = services.logger.records.find((r) => r.level === 'error')!;
    assert.match(line.msg, /^Telegram did not start \(.*401.*\)\. Check SIGNAL_POOL_TELEGRAM_TOKEN; the service runs on without Telegram\.$/);
    assert.ok(!JSON.stringify(services.logger.records).includes(TELEGRAM_TOKEN));
  } finally {
    await chat.stop();
    await wrong.close();
  }

  const right = await new FakeTelegram(TELEGRAM_TOKEN).start();
  const ok = superviseChatPlatforms({ services, telegramApiRoot: right.apiRoot, startTimeoutMs: 5000, telegramPollTimeoutSeconds: 1 });
  try {
    await ok.settled();
    assert.equal(ok.status()[0]!.state, 'up');
    assert.equal(right.callsOf('setMyCommands').length, 1);
  } finally {
    await ok.stop();
    await right.close();
  }
});
