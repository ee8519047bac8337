import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startChatPlatforms } from '../../src/chat/start.ts';
import { DISCORD_TOKEN, fakeServices, TELEGRAM_TOKEN, testConfig } from '../commands/fakes.ts';
import { FakeDiscord } from './fake-discord.ts';
import { FakeTelegram } from './fake-telegram.ts';

describe('startChatPlatforms', () => {
  it('leaves a platform without a token off', async () => {
    const services = fakeServices({ config: testConfig({ 'chat.telegramToken': undefined, 'chat.discordToken': undefined }) });
    const chat = await startChatPlatforms({ services });
    assert.deepEqual(chat.platforms, []);
    assert.deepEqual(services.logger.records.map((r) => r.msg), ['Telegram is off: SIGNAL_POOL_TELEGRAM_TOKEN is not set', 'Discord is off: SIGNAL_POOL_DISCORD_TOKEN is not set']);
    assert.equal(chat.notifier, null);
    await chat.stop();
  });

  it('starts both platforms against local fakes and never logs a token', async () => {
    const telegram = await new FakeTelegram(TELEGRAM_TOKEN).start();
    const discord = await new FakeDiscord(DISCORD_TOKEN).start();
    const services = fakeServices({ config: testConfig({ 'chat.telegramChatIds': ['-1001'], 'chat.discordChannelIds': ['123456789012'] }) });
    const chat = await startChatPlatforms({ services, telegramApiRoot: telegram.apiRoot, discordRestApi: discord.restApi });
    try {
      assert.deepEqual(chat.platforms.map((p) => [p.name, p.configuredChatIds()]), [['telegram', ['-1001']], ['discord', ['123456789012']]]);
      assert.equal(telegram.callsOf('setMyCommands').length, 1);
      assert.equal(discord.calls.filter((c) => c.method === 'PUT').length, 1);
      const logged = JSON.stringify(services.logger.records);
      assert.ok(!logged.includes(TELEGRAM_TOKEN) && !logged.includes(DISCORD_TOKEN));
    } finally {
      await chat.stop();
      await telegram.close();
      await discord.close();
    }
  });

  it('fails start-up with the variable to fix when Telegram rejects the token', async () => {
    const telegram = await new FakeTelegram('999:SomeOtherTokenThatIsNotOurs_000000').start();
    const services = fakeServices({ config: testConfig({ 'chat.discordToken': undefined }) });
    try {
      await assert.rejects(startChatPlatforms({ services, telegramApiRoot: telegram.apiRoot }), (error: Error) => {
        assert.match(error.message, /^Telegram did not start \(.*401.*\)\. Check SIGNAL_POOL_TELEGRAM_TOKEN\.$/);
        assert.ok(!error.message.includes(TELEGRAM_TOKEN));
        return true;
      });
    } finally {
      await telegram.close();
    }
  });

  it('send-only mode builds the platforms without polling or a gateway', async () => {
    const telegram = await new FakeTelegram(TELEGRAM_TOKEN).start();
    const services = fakeServices({ config: testConfig({ 'chat.discordToken': undefined, 'chat.telegramChatIds': ['-5'] }) });
    const chat = await startChatPlatforms({ services, listen: false, telegramApiRoot: telegram.apiRoot });
    try {
      const results = await chat.notifier!.deliver({ date: '2026-11-24', results: [], resolvedOutcomes: 0 });
      assert.deepEqual(results.map((r) => [r.platform, r.chatId, r.outcome]), [['telegram', '-5', 'sent']]);
      assert.deepEqual(telegram.calls.map((c) => c.method), ['sendPhoto']);
    } finally {
      await chat.stop();
      await telegram.close();
    }
  });
});
