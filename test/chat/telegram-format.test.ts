import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, toTelegramMessages, TELEGRAM_TEXT_LIMIT } from '../../src/chat/telegram-format.ts';

const png = new Uint8Array([1]);

describe('toTelegramMessages', () => {
  it('escapes &, < and > (and nothing else) for parse_mode HTML', () => {
    assert.equal(escapeHtml('a < b && c > "d" \'e\''), 'a &lt; b &amp;&amp; c &gt; "d" \'e\'');
  });

  it('sends text and table together, then each image with its caption', () => {
    const out = toTelegramMessages({
      text: 'Top <5>',
      table: { columns: ['A', 'B'], rows: [['x&y', '1']] },
      images: [{ name: 'a.png', png, caption: 'one' }, { name: 'b.png', png }],
    });
    assert.deepEqual(out, [
      { kind: 'text', html: 'Top &lt;5&gt;\n<pre>A    B\n---  -\nx&amp;y  1</pre>' },
      { kind: 'photo', name: 'a.png', png, captionHtml: 'one' },
      { kind: 'photo', name: 'b.png', png, captionHtml: undefined },
    ]);
  });

  it('a single image with short text becomes one captioned photo', () => {
    assert.deepEqual(toTelegramMessages({ text: 'hi', images: [{ name: 'a.png', png }] }), [{ kind: 'photo', name: 'a.png', png, captionHtml: 'hi' }]);
  });

  it('splits long replies under the message limit without breaking <pre> blocks', () => {
    const rows = Array.from({ length: 400 }, (_, i) => [`row${i}`, 'x'.repeat(20)]);
    const out = toTelegramMessages({ text: 'y'.repeat(5000), table: { columns: ['name', 'value'], rows } });
    assert.ok(out.length >= 4);
    for (const m of out) {
      assert.equal(m.kind, 'text');
      if (m.kind !== 'text') continue;
      const plain = m.html.replace(/<\/?pre>/g, '');
      assert.ok(plain.length <= TELEGRAM_TEXT_LIMIT);
      assert.equal((m.html.match(/<pre>/g) ?? []).length, (m.html.match(/<\/pre>/g) ?? []).length);
    }
  });
});
