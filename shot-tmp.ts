import puppeteer from 'puppeteer-core';
const [file, out, n] = process.argv.slice(2);
const b = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu'], userDataDir: '/tmp/rp/ud' + Date.now() });
const p = await b.newPage();
await p.setViewport({ width: 1000, height: 1200 });
await p.goto('file://' + file);
const h = await p.evaluate(() => document.body.scrollHeight);
for (let i = 0; i * 1200 < h && i < Number(n ?? 10); i++) await p.screenshot({ path: `${out}-${i}.png`, clip: { x: 0, y: i * 1200, width: 1000, height: 1200 } });
await b.close();
