// End-to-end test of Fovea's page in a real headless browser: Debian's chromium driven by playwright-core.
// The server must already run (fovea-web's BrowserTest starts one on a freshly trained model, training live):
//   FOVEA_URL=http://127.0.0.1:PORT/ SCREENSHOTS=dir node page.test.mjs
// It checks that the curves update, pause/resume and a new learning rate take effect, a drawn stroke gets a
// prediction, a layer and a convolution explanation open, the test strip, confusion matrix and playground work, and
// that the browser logged no error. Screenshots of every view go to SCREENSHOTS.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const url = process.env.FOVEA_URL;
const shots = process.env.SCREENSHOTS || 'screenshots';
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!url) { console.error('set FOVEA_URL to the page'); process.exit(2); }
mkdirSync(shots, { recursive: true });

const errors = [];
let passed = 0, failed = 0;

async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`);
  }
}

function expect(cond, message) { if (!cond) throw new Error(message); }

const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
page.setDefaultTimeout(30000);
page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
page.on('pageerror', (e) => errors.push('page error: ' + e.message));
page.on('requestfailed', (r) => { if (!r.url().endsWith('/api/events')) errors.push('request failed: ' + r.url()); });

const shot = (name) => page.screenshot({ path: join(shots, name + '.png') });
const tab = (name) => page.click(`.tab[data-tab="${name}"]`);
const points = (id) => page.$eval('#' + id, (c) => Number(c.dataset.points || 0));

try {
  await check('the page loads and knows the model', async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-ready="1"]');
    const name = await page.textContent('#model-name');
    expect(/parameters/.test(name), 'model line: ' + name);
  });

  await check('the training curves update live', async () => {
    await page.waitForFunction(() => Number(document.getElementById('chart-loss').dataset.points || 0) > 0);
    const before = await points('chart-loss');
    await page.waitForFunction((n) => Number(document.getElementById('chart-loss').dataset.points) > n, before);
    await page.waitForFunction(() => document.getElementById('stat-test').textContent.includes('%'));
    const ips = await page.textContent('#stat-ips');
    expect(/\d/.test(ips), 'images per second: ' + ips);
    await shot('training');
  });

  await check('pause and resume', async () => {
    await page.click('#btn-pause');
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('paused'));
    const a = (await (await page.request.get(url + 'api/training')).json()).stepCount;
    await page.waitForTimeout(600);
    const b = (await (await page.request.get(url + 'api/training')).json()).stepCount;
    expect(b - a <= 1, `steps went on while paused: ${a} -> ${b}`);
    await page.click('#btn-resume');
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('running'));
  });

  await check('a new learning rate and batch size take effect', async () => {
    await page.fill('#in-lr', '0.02');
    await page.fill('#in-batch', '48');
    await page.click('#btn-apply');
    await page.waitForFunction(() => document.getElementById('hyper-msg').textContent.includes('applied'));
    const h = (await (await page.request.get(url + 'api/training')).json()).hyper;
    expect(h.learningRate === 0.02 && h.batchSize === 48, 'hyperparameters now: ' + JSON.stringify(h));
  });

  await check('a drawn stroke gets a prediction and a saliency map', async () => {
    await tab('try');
    const box = await page.locator('#draw').boundingBox();
    await page.mouse.move(box.x + 140, box.y + 40);
    await page.mouse.down();
    for (let i = 0; i <= 20; i++) await page.mouse.move(box.x + 140 + 10 * Math.sin(i / 3), box.y + 40 + 10 * i);
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelectorAll('#try-top .topbar').length === 3);
    const sal = await page.$eval('#try-saliency', (c) => c.width);
    expect(sal === 28, 'saliency width ' + sal);
    await shot('try');
  });

  await check('the network view shows the drawn input, layer by layer', async () => {
    await page.click('#btn-try-network');
    await page.waitForFunction(() => document.querySelectorAll('#net-layers .layer').length >= 8);
    const label = await page.textContent('#net-input-label');
    expect(label.includes('your image'), 'input label: ' + label);
    const maps = await page.$$eval('#net-layers .layer[data-path="0"] .maps canvas', (c) => c.length);
    expect(maps === 6, 'first convolution channels drawn: ' + maps);
    await page.waitForSelector('#net-graph circle');
    await shot('network');
  });

  await check('a layer opens with its filters, gradients and histograms', async () => {
    await page.click('#net-layers .layer[data-path="0"] .layer-head');
    await page.waitForSelector('#panel:not(.hidden) .layer-filters canvas');
    const filters = await page.$$eval('#panel .layer-filters', (g) => g.length);
    expect(filters === 2, 'filter grids (weights and gradients): ' + filters);
    const hists = await page.$$eval('#panel canvas.hist', (c) => c.length);
    expect(hists >= 4, 'histograms: ' + hists);
    await shot('layer');
    await page.click('#panel-close');
  });

  await check('a convolution channel is explained, its sum equal to the layer output', async () => {
    await page.click('#net-layers .layer[data-path="3"] .maps canvas[data-channel="2"]');
    await page.waitForSelector('#panel:not(.hidden) .conv-inputs');
    const inputs = await page.$$eval('#panel .conv-inputs .explain-col', (c) => c.length);
    expect(inputs === 6, 'input channels shown: ' + inputs);
    const text = await page.textContent('#panel-body');
    const m = text.match(/Largest \|sum \+ bias − layer output\| = ([^.]+(\.\d+)?(e-?\d+)?)/);
    expect(m && Math.abs(Number(m[1])) < 1e-3, 'sum versus layer output: ' + (m ? m[1] : 'not shown'));
    const first = await page.textContent('#explain-partial');
    await page.click('#explain-step');
    await page.click('#explain-step');
    const later = await page.textContent('#explain-partial');
    expect(first.length > 0 && later.length > 0, 'window sums shown');
    await page.$eval('#panel', (p) => { p.scrollTop = 0; });
    await shot('explain-convolution');
    await page.click('#panel-close');
  });

  await check('ReLU, max pooling and softmax have their formula views', async () => {
    await page.click('#net-layers .layer[data-path="2"] .maps canvas[data-channel="0"]');
    await page.waitForSelector('#panel:not(.hidden) .formula');
    expect((await page.textContent('#panel .formula')).includes('max of the window'), 'max pooling formula');
    await page.click('#panel-close');
    await page.click('#net-layers .layer[data-path="1"] .maps canvas[data-channel="0"]');
    await page.waitForFunction(() => document.querySelector('#panel .formula')?.textContent.includes('max(0, x)'));
    await page.click('#panel-close');
    await page.click('#net-layers .layer:last-child canvas.vector');
    await page.waitForSelector('#panel:not(.hidden) table.softmax');
    const rows = await page.$$eval('#panel table.softmax tr', (r) => r.length);
    expect(rows === 12, 'softmax rows: ' + rows);
    await page.click('#panel-close');
  });

  await check('the test strip and the confusion matrix', async () => {
    await tab('test');
    await page.waitForFunction(() => document.querySelectorAll('#test-strip .sample').length === 24);
    const bars = await page.$$eval('#test-strip .bar span.good, #test-strip .bar span.bad', (b) => b.length);
    expect(bars === 72, 'coloured bars: ' + bars);
    await page.waitForSelector('#confusion table.confusion');
    const rows = await page.$$eval('#confusion tr', (r) => r.length);
    expect(rows === 11, 'confusion rows: ' + rows);
    await shot('test');
  });

  await check('the filter playground: a kernel, 1-D convolution and output sizes', async () => {
    await tab('playground');
    await page.waitForSelector('#pg-out[data-done="1"]');
    await page.selectOption('#pg-kernel', 'laplacian');
    await page.waitForFunction(() => document.querySelectorAll('#pg-kernel-table td').length === 9
      && document.querySelector('#pg-kernel-table td:nth-child(2)').textContent === '1');
    await page.waitForSelector('#c1-view .c1');
    const unflipped = await page.textContent('#c1-view');
    await page.check('#c1-flip');
    await page.waitForFunction(() => document.getElementById('c1-view').textContent.includes('flipped'));
    expect(unflipped.includes('as given'), '1-D view before flipping');
    await page.click('#btn-c1-step');
    await page.fill('#os-kernel', '40');
    await page.waitForFunction(() => document.getElementById('os-result').textContent === 'impossible');
    await page.fill('#os-kernel', '5');
    await page.waitForFunction(() => document.getElementById('os-result').textContent === 'output size 24');
    await shot('playground');
  });

  await check('no errors in the browser console', async () => {
    expect(errors.length === 0, errors.join('; '));
  });
} finally {
  await browser.close();
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
