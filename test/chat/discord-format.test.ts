import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DISCORD_CONTENT_LIMIT, toDiscordMessages } from '../../src/chat/discord-format.ts';

const png = new Uint8Array([1, 2]);

describe('toDiscordMessages', () => {
  it('escapes Markdown, puts tables in a code block and images in embeds with attachment:// urls', () => {
    const [m] = toDiscordMessages({
      text: '*bold* `code` # heading',
      table: { columns: ['A'], rows: [['```x']] },
      images: [{ name: 'a b.png', png, caption: 'Chart' }, { name: 'a b.png', png }],
    });
    assert.equal(m.content, "\\*bold\\* \\`code\\` # heading\n```\nA\n----\n'''x\n```");
    assert.deepEqual(m.embeds, [{ title: 'Chart', image: { url: 'attachment://a_b.png' } }, { image: { url: 'attachment://2-a_b.png' } }]);
    assert.deepEqual(m.files.map((f) => f.name), ['a_b.png', '2-a_b.png']);
  });

  it('splits long content under 2000 characters and keeps images on the last message', () => {
    const rows = Array.from({ length: 200 }, (_, i) => [`row${i}`, 'v'.repeat(15)]);
    const messages = toDiscordMessages({ text: 'z'.repeat(2500), table: { columns: ['n', 'v'], rows }, images: [{ name: 'i.png', png }] });
    assert.ok(messages.length >= 4);
    assert.ok(messages.every((m) => m.content.length <= DISCORD_CONTENT_LIMIT));
    assert.deepEqual(messages.slice(0, 2).map((m) => m.content.length), [2000, 500], 'the text comes first, in two chunks');
    for (const m of messages.slice(2)) assert.ok(m.content.startsWith('```\n') && m.content.endsWith('\n```'), 'every table chunk is a closed code block');
    assert.deepEqual(messages.map((m) => m.files.length), [...messages.slice(1).map(() => 0), 1]);
  });
});
