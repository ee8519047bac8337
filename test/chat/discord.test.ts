/**
 * End to end: a discord.js client logs in against a fake REST API and gateway on 127.0.0.1, receives
 * INTERACTION_CREATE dispatches and answers through interaction callbacks and webhooks.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDiscordBot, discordCommandDefinitions, symbolChoices, type DiscordChat } from '../../src/chat/discord.ts';
import { COMMANDS } from '../../commands/catalog.ts';
import { fakeServices, tinyPng, DISCORD_TOKEN, type FakeServices } from '../commands/fakes.ts';
import { APP_ID, CHANNEL_ID, FakeDiscord, GUILD_ID, slashCommand, type DiscordCall } from './fake-discord.ts';

const ADMIN = { id: '800000000000000001', admin: true };
const MEMBER = { id: '800000000000000002', admin: false };
const STRING = 3;

describe('Discord adapter against a local REST API and gateway', () => {
  let fake: FakeDiscord;
  let services: FakeServices;
  let bot: DiscordChat;

  const callsAfter = (n: number) => fake.calls.slice(n);
  const isCallback = (c: DiscordCall, interactionId: string) => c.method === 'POST' && c.path.startsWith(`/interactions/${interactionId}/`);

  before(async () => {
    fake = await new FakeDiscord(DISCORD_TOKEN).start();
    services = fakeServices();
    const predict = services.impl.predict;
    // Slower than deferAfterMs, so the adapter must defer.
    services.impl.predict = async (s, t) => { await new Promise((r) => setTimeout(r, 700)); return predict(s, t); };
    bot = createDiscordBot({
      token: DISCORD_TOKEN,
      services,
      guildId: GUILD_ID,
      channelIds: [CHANNEL_ID],
      restApi: fake.restApi,
      deferAfterMs: 400,
      progressIntervalMs: 0,
    });
    await bot.start();
  });

  after(async () => {
    await bot.stop();
    await fake.close();
  });

  it('identifies on the gateway and registers typed slash commands to the guild', () => {
    assert.equal(fake.identifies.length, 1);
    assert.equal(fake.identifies[0].token, DISCORD_TOKEN);
    const put = fake.calls.find((c) => c.method === 'PUT');
    assert.equal(put?.path, `/applications/${APP_ID}/guilds/${GUILD_ID}/commands`);
    const body = put!.body as unknown as ReturnType<typeof discordCommandDefinitions>;
    assert.deepEqual(body, JSON.parse(JSON.stringify(discordCommandDefinitions(COMMANDS))));
    const byName = Object.fromEntries(body.map((c) => [c.name, c]));
    assert.deepEqual(byName.predict.options, [
      { name: 'symbol', description: 'Coin ticker, e.g. BTC', required: true, type: STRING, autocomplete: true, max_length: 10 },
      { name: 'trend', description: 'uptrend or downtrend', required: true, type: STRING, choices: [{ name: 'uptrend', value: 'uptrend' }, { name: 'downtrend', value: 'downtrend' }] },
    ]);
    assert.equal(byName.deploy.default_member_permissions, '8');
    assert.deepEqual(byName.deploy.contexts, [0]);
    assert.equal(byName.subscribe.default_member_permissions, '8');
    assert.equal(byName.predict.default_member_permissions, null);
    assert.equal(byName.models.options?.[1]?.type, 4); // page is an integer
  });

  it('/predict defers, then edits the original reply with the text and the SHAP chart attached in an embed', async () => {
    const n = fake.calls.length;
    const interaction = slashCommand('predict', [{ name: 'symbol', type: STRING, value: 'btc' }, { name: 'trend', type: STRING, value: 'uptrend' }], MEMBER);
    fake.dispatch('INTERACTION_CREATE', interaction);
    await fake.waitFor(() => callsAfter(n).some((c) => c.method === 'PATCH'));
    const calls = callsAfter(n);
    const callback = calls.find((c) => isCallback(c, String(interaction.id)));
    assert.equal(callback?.path, `/interactions/${interaction.id}/${interaction.token}/callback`);
    assert.equal(callback?.body.type, 5, 'deferred channel message');
    const edit = calls.find((c) => c.method === 'PATCH')!;
    assert.equal(edit.path, `/webhooks/${APP_ID}/${interaction.token}/messages/@original`);
    assert.match(String(edit.body.content), /^BTC uptrend: probability 0\.731 -> SIGNAL/);
    assert.deepEqual(edit.body.allowed_mentions, { parse: [] });
    assert.deepEqual(edit.body.embeds, [{ title: 'shap chart for BTC', image: { url: 'attachment://shap-BTC.png' } }]);
    const [file] = Object.values(edit.files);
    assert.equal(file.filename, 'shap-BTC.png');
    assert.deepEqual(file.bytes, tinyPng('shap'.length));
    assert.ok(calls.indexOf(callback!) < calls.indexOf(edit));
  });

  it('refuses /deploy to a member without Administrator, ephemerally and without deploying', async () => {
    const n = fake.calls.length;
    const interaction = slashCommand('deploy', [{ name: 'trend', type: STRING, value: 'uptrend' }], MEMBER);
    fake.dispatch('INTERACTION_CREATE', interaction);
    await fake.waitFor(() => callsAfter(n).some((c) => isCallback(c, String(interaction.id))));
    const callback = callsAfter(n).find((c) => isCallback(c, String(interaction.id)))!;
    assert.equal(callback.body.type, 4, 'immediate channel message');
    const data = callback.body.data as { content: string; flags: number };
    assert.equal(data.content, '/deploy is for admins only.');
    assert.equal(data.flags, 64, 'ephemeral');
    assert.equal(services.calls.filter((c) => c.method === 'deploy').length, 0);
  });

  it('an administrator\'s /deploy shows progress in the deferred reply and follows up with the summary', async () => {
    const n = fake.calls.length;
    const interaction = slashCommand('deploy', [{ name: 'trend', type: STRING, value: 'downtrend' }, { name: 'symbols', type: STRING, value: 'sol, btc' }], ADMIN);
    fake.dispatch('INTERACTION_CREATE', interaction);
    await fake.waitFor(() => callsAfter(n).some((c) => c.method === 'POST' && c.path === `/webhooks/${APP_ID}/${interaction.token}`));
    const calls = callsAfter(n);
    assert.equal(calls[0].body.type, 5);
    const edits = calls.filter((c) => c.method === 'PATCH');
    assert.ok(edits.length >= 1);
    assert.match(String(edits.at(-1)!.body.content), /^Deploying downtrend models: 2 of 2 pools done\nSOL: v4, new champion\nBTC: not registered/);
    const followUp = calls.find((c) => c.method === 'POST' && c.path === `/webhooks/${APP_ID}/${interaction.token}`)!;
    assert.match(String(followUp.body.content), /^Deployment of downtrend models finished in 1m 15s .*\n```\nSymbol/);
    assert.deepEqual(services.calls.find((c) => c.method === 'deploy')?.args, ['downtrend', ['SOL', 'BTC'], `discord:${ADMIN.id}`]);
  });

  it('answers symbol autocomplete from the known symbols', async () => {
    const n = fake.calls.length;
    const interaction = slashCommand('predict', [{ name: 'symbol', type: STRING, value: 'et', focused: true }], MEMBER, 4);
    fake.dispatch('INTERACTION_CREATE', interaction);
    await fake.waitFor(() => callsAfter(n).some((c) => isCallback(c, String(interaction.id))));
    const callback = callsAfter(n).find((c) => isCallback(c, String(interaction.id)))!;
    assert.equal(callback.body.type, 8);
    assert.deepEqual((callback.body.data as { choices: unknown }).choices, [{ name: 'ETH', value: 'ETH' }, { name: 'ETC', value: 'ETC' }]);
    assert.deepEqual(symbolChoices('btc e', ['BTC', 'ETH', 'SOL'], true), [{ name: 'BTC ETH', value: 'BTC ETH' }]);
  });

  it('daily post to a channel: waits out a 429 Retry-After, then sends text with the image in an embed', async () => {
    fake.failNext('POST', /^\/channels\/\d+\/messages$/, {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: 1, global: false },
      headers: { 'retry-after': '1', 'x-ratelimit-scope': 'user' },
    });
    const n = fake.calls.length;
    await bot.platform.sendReply(CHANNEL_ID, { text: 'Daily signals for 2026-11-24', images: [{ name: 'daily.png', png: tinyPng(3), caption: 'Signals' }] });
    const posts = callsAfter(n).filter((c) => c.path === `/channels/${CHANNEL_ID}/messages`);
    assert.equal(posts.length, 2);
    assert.ok(posts[1].at - posts[0].at >= 950, `retried after ${posts[1].at - posts[0].at} ms`);
    assert.equal(posts[1].body.content, 'Daily signals for 2026-11-24');
    assert.deepEqual(posts[1].body.embeds, [{ title: 'Signals', image: { url: 'attachment://daily.png' } }]);
    assert.deepEqual(posts[1].body.attachments, [{ id: 0, filename: 'daily.png' }]);
    assert.deepEqual(Object.values(posts[1].files)[0].bytes, tinyPng(3));
  });

  it('daily post to a deleted channel rejects, so the caller can record the failure', async () => {
    fake.failNext('POST', /^\/channels\/\d+\/messages$/, { status: 404, body: { message: 'Unknown Channel', code: 10003 } });
    await assert.rejects(bot.platform.sendReply('900000000000000099', { text: 'hello' }), /Unknown Channel/);
  });
});

describe('Discord command registration without a guild id', () => {
  it('PUTs the commands globally, using REST only (no gateway connection)', async () => {
    const fake = await new FakeDiscord(DISCORD_TOKEN).start();
    const bot = createDiscordBot({ token: DISCORD_TOKEN, services: fakeServices(), restApi: fake.restApi });
    try {
      assert.equal(await bot.registerCommands(APP_ID), `/applications/${APP_ID}/commands`);
      const put = fake.calls.find((c) => c.method === 'PUT');
      assert.equal(put?.path, `/applications/${APP_ID}/commands`);
      assert.equal((put?.body as unknown as unknown[]).length, COMMANDS.length);
      assert.equal(fake.identifies.length, 0);
    } finally {
      await bot.stop();
      await fake.close();
    }
  });
});
