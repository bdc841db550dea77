// End-to-end test of the demo page in Debian's headless Chromium driven by playwright-core.
// Needs `wasm/build.sh` to have built www/pkg and `apt-get install chromium`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

let server;
let browser;

before(async () => {
  server = await serve(0);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

const absM = (page) => page.$eval('#absm', (el) => Number(el.dataset.value));

test('lattice is drawn and |m| falls when T goes from 1.5 to 4', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });

  // The canvas holds both spin colours once the simulation has run a little.
  await page.waitForFunction(() => Number(document.getElementById('sweeps').textContent) > 50);
  const colours = await page.$eval('#lattice', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]},${d[i + 3]}`);
    return [...seen];
  });
  assert.ok(colours.every((c) => c.endsWith(',255')), 'every pixel is painted');
  assert.ok(colours.length >= 1 && colours.length <= 2, `spin colours only: ${colours}`);

  await page.locator('#temperature').fill('1.5');
  await page.waitForFunction(() => Number(document.getElementById('absm').dataset.value) > 0.9,
    null, { timeout: 20000 });
  const cold = await absM(page);

  await page.locator('#temperature').fill('4');
  await page.waitForFunction(() => Number(document.getElementById('absm').dataset.value) < 0.2,
    null, { timeout: 20000 });
  const hot = await absM(page);
  assert.ok(hot < cold, `|m| fell: ${cold} -> ${hot}`);
  assert.equal(await page.$eval('#t-value', (el) => el.textContent), '4.000');
  assert.deepEqual(errors, []);
});
