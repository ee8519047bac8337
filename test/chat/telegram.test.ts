/**
 * End to end: the grammY bot long-polls a fake Bot API on 127.0.0.1 and answers through it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTelegramBot, type TelegramChat } from '../../src/chat/telegram.ts';
import { champion, fakeServices, tinyPng, TELEGRAM_TOKEN, type FakeServices } from '../commands/fakes.ts';
import { FakeTelegram, type UploadedFile } from './fake-telegram.ts';

const ADMIN = 1001;
const MEMBER = 2002;
const GROUP = { id: -300, type: 'group' as const, title: 'Traders' };

describe('Telegram adapter against a local Bot API', () => {
  let fake: FakeTelegram;
  let services: FakeServices;
  let chat: TelegramChat;

  before(async () => {
    fake = await new FakeTelegram(TELEGRAM_TOKEN).start();
    services = fakeServices({
      champions: [champion('BTC', 'uptrend', { classifier: 'xgb<depth=5>&more' }), champion('ETH', 'uptrend')],
    });
    chat = createTelegramBot({
      token: TELEGRAM_TOKEN,
      services,
      adminIds: [String(ADMIN)],
      chatIds: ['-100200'],
      apiRoot: fake.apiRoot,
      progressIntervalMs: 0,
      pollTimeoutSeconds: 1,
    });
    await chat.start();
  });

  after(async () => {
    await chat.stop();
    await fake.close();
  });

  it('registers the command menu with setMyCommands', () => {
    const [call] = fake.callsOf('setMyCommands');
    const commands = call.payload.commands as { command: string; description: string }[];
    assert.deepEqual(commands.map((c) => c.command), ['predict', 'models', 'report', 'deploy', 'subscribe', 'unsubscribe', 'help']);
    assert.ok(commands.every((c) => c.description.length >= 3 && c.description.length <= 256));
  });

  it('/predict answers with one photo (sendPhoto, multipart) captioned with the escaped text', async () => {
    const before = fake.calls.length;
    fake.sendText('/predict btc uptrend', { id: MEMBER });
    await fake.waitFor((calls) => calls.slice(before).some((c) => c.method === 'sendPhoto'));
    const photo = fake.callsOf('sendPhoto').at(-1)!.payload;
    assert.equal(photo.chat_id, String(MEMBER));
    assert.equal(photo.parse_mode, 'HTML');
    assert.match(String(photo.caption), /^BTC uptrend: probability 0\.731 -&gt; SIGNAL \(threshold 0\.50\)\n/);
    // grammY uploads the file under a generated field name referenced as attach://<name>; the fake resolves it.
    const file = photo.photo as UploadedFile;
    assert.equal(file.filename, 'shap-BTC.png');
    assert.deepEqual(file.bytes, tinyPng('shap'.length));
    assert.equal(JSON.parse(String(photo.reply_parameters)).allow_sending_without_reply, true);
  });

  it('/models sends the table in <pre> with HTML escaped', async () => {
    const before = fake.calls.length;
    fake.sendText('/models uptrend', { id: MEMBER });
    await fake.waitFor((calls) => calls.slice(before).some((c) => c.method === 'sendMessage'));
    const message = fake.callsOf('sendMessage').at(-1)!.payload;
    assert.equal(message.parse_mode, 'HTML');
    assert.equal(message.chat_id, String(MEMBER));
    const text = String(message.text);
    assert.match(text, /^Champion models for uptrend \(2\), page 1 of 1\. Scores are out-of-sample[^\n]*\n<pre>Symbol/);
    assert.ok(text.includes('xgb&lt;depth=5&gt;&amp;more'), text);
    assert.ok(text.endsWith('</pre>'));
    assert.ok(!/<(?!\/?pre>)/.test(text), 'only <pre> tags are unescaped');
  });

  it('refuses /deploy to a member of a group who is not on the admin list', async () => {
    const before = fake.calls.length;
    fake.sendText('/deploy uptrend', { id: MEMBER, chat: GROUP });
    await fake.waitFor((calls) => calls.slice(before).some((c) => c.method === 'sendMessage'));
    const message = fake.callsOf('sendMessage').at(-1)!.payload;
    assert.equal(message.chat_id, String(GROUP.id));
    assert.equal(message.text, '/deploy is for admins only.');
    assert.equal(services.calls.filter((c) => c.method === 'deploy').length, 0);
  });

  it('an admin\'s /deploy posts a progress message, edits it in place, then posts the summary', async () => {
    const before = fake.calls.length;
    fake.sendText('/deploy uptrend BTC eth', { id: ADMIN, chat: GROUP });
    await fake.waitFor((calls) => calls.slice(before).filter((c) => c.method === 'sendMessage').length >= 2);
    const calls = fake.calls.slice(before);
    const [progress, summary] = calls.filter((c) => c.method === 'sendMessage');
    assert.match(String(progress.payload.text), /^Deploying uptrend models: 0 of 2 pools done/);
    assert.equal(progress.payload.parse_mode, undefined, 'progress text is sent as plain text');
    const edits = calls.filter((c) => c.method === 'editMessageText');
    assert.ok(edits.length >= 1);
    // The progress message's id is the one the fake returned for the first sendMessage.
    const progressId = edits[0].payload.message_id;
    assert.ok(edits.every((e) => e.payload.message_id === progressId && e.payload.chat_id === String(GROUP.id)));
    assert.match(String(edits.at(-1)!.payload.text), /^Deploying uptrend models: 2 of 2 pools done\nBTC: v4, new champion\nETH: not registered/);
    assert.ok(calls.indexOf(edits.at(-1)!) < calls.indexOf(summary), 'the final edit lands before the summary');
    assert.match(String(summary.payload.text), /^Deployment of uptrend models finished in 1m 15s .*\n<pre>Symbol/);
    assert.deepEqual(services.calls.find((c) => c.method === 'deploy')?.args, ['uptrend', ['BTC', 'ETH'], `telegram:${ADMIN}`]);
  });

  it('ignores commands addressed to another bot and answers its own @name', async () => {
    const before = fake.calls.length;
    fake.sendText('/help@SomeOtherBot', { id: MEMBER, chat: GROUP });
    fake.sendText('/predict@SignalPoolBot SLO uptrend', { id: MEMBER, chat: GROUP });
    await fake.waitFor((calls) => calls.slice(before).some((c) => c.method === 'sendMessage'));
    await new Promise((r) => setTimeout(r, 100));
    const sent = fake.calls.slice(before).filter((c) => c.method === 'sendMessage');
    assert.equal(sent.length, 1);
    assert.equal(sent[0].payload.text, 'Unknown symbol SLO. Did you mean SOL?');
  });

  it('honours 429 retry_after before repeating the call', async () => {
    fake.failNext('sendMessage', { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } } });
    const before = fake.calls.length;
    fake.sendText('/help', { id: MEMBER });
    await fake.waitFor((calls) => calls.slice(before).filter((c) => c.method === 'sendMessage').length >= 2, 8000);
    const [limited, retried] = fake.calls.slice(before).filter((c) => c.method === 'sendMessage');
    assert.equal(limited.payload.text, retried.payload.text);
    assert.ok(retried.at - limited.at >= 950, `retried after ${retried.at - limited.at} ms`);
    assert.match(String(retried.payload.text), /^Signal Pool/);
  });

  it('platform.sendReply delivers a daily post as one captioned photo', async () => {
    assert.deepEqual(chat.platform.configuredChatIds(), ['-100200']);
    const before = fake.calls.length;
    await chat.platform.sendReply('-100200', { text: 'Daily signals <2026-11-24>', images: [{ name: 'daily.png', png: tinyPng(9) }] });
    const calls = fake.calls.slice(before);
    assert.deepEqual(calls.map((c) => c.method), ['sendPhoto']);
    assert.equal(calls[0].payload.caption, 'Daily signals &lt;2026-11-24&gt;');
  });

  it('platform.sendReply rejects when the chat is gone, so the caller can record it', async () => {
    fake.failNext('sendMessage', { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } });
    await assert.rejects(chat.platform.sendReply('555', { text: 'hello' }), /bot was blocked by the user/);
  });
});
