import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runConsoleChat } from '../../src/chat/console.ts';
import { fakeServices, MemoryChatStore, tinyPng } from '../commands/fakes.ts';

async function chat(lines: string[], opts: { isAdmin?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sp-console-'));
  const store = new MemoryChatStore();
  const services = fakeServices({ store });
  const output = new PassThrough();
  let text = '';
  output.on('data', (c) => { text += String(c); });
  await runConsoleChat({ services, input: Readable.from(lines.map((l) => `${l}\n`)), output, imageDir: dir, isAdmin: opts.isAdmin, banner: false });
  return { text, dir, services, store, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('console chat', () => {
  it('answers commands, writes images as PNG files and prints their paths', async () => {
    const run = await chat(['/predict btc uptrend', '', '# a comment', 'models uptrend']);
    try {
      assert.match(run.text, /^BTC uptrend: probability 0\.731 -> SIGNAL/);
      const path = /\[image\] (\S+shap-BTC\.png) \(shap chart for BTC\)/.exec(run.text)?.[1];
      assert.ok(path, run.text);
      assert.ok(path.startsWith(run.dir));
      assert.deepEqual(new Uint8Array(readFileSync(path)), tinyPng('shap'.length));
      assert.match(run.text, /Champion models for uptrend \(20\), page 1 of 2\. Scores are out-of-sample[^\n]*Next: \/models uptrend 2\nSymbol +Trend +Classifier +Overall +Precision +Version +Trained\n-+/);
    } finally {
      run.cleanup();
    }
  });

  it('runs /deploy in the background, prints progress headlines, and waits for it at the end of input', async () => {
    const run = await chat(['/deploy uptrend BTC ETH', '/help']);
    try {
      const progress = run.text.indexOf('... Deploying uptrend models: 0 of 2 pools done');
      const help = run.text.indexOf('Signal Pool: ML signals');
      const summary = run.text.indexOf('Deployment of uptrend models finished');
      assert.ok(progress >= 0 && help > progress && summary > help, run.text);
      assert.match(run.text, /\.\.\. Deploying uptrend models: 2 of 2 pools done/);
      assert.deepEqual(run.services.calls.find((c) => c.method === 'deploy')?.args, ['uptrend', ['BTC', 'ETH'], 'console:console']);
    } finally {
      run.cleanup();
    }
  });

  it('subscribes the console chat; a non-admin console is refused /deploy', async () => {
    const run = await chat(['/subscribe', '/deploy uptrend'], { isAdmin: false });
    try {
      assert.match(run.text, /^Subscribed/);
      assert.match(run.text, /\/deploy is for admins only\./);
      assert.deepEqual((await run.store.listSubscriptions('console')).map((s) => s.chatId), ['console']);
    } finally {
      run.cleanup();
    }
  });
});
