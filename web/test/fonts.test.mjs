// The web build's download and its CJK fonts, in Debian's chromium at phone
// size against `chorus-server serve --demo --web-dir`:
//   - English, empty cache: what arrives before the sign-in screen is drawn
//     (the browser's own transfer sizes, compressed, headers included) is at
//     most 8 MB, and the full CJK fonts are not among it; the interface's
//     CJK subset is, brotli-compressed. Signing in as member1, whose profile
//     says Chinese, fetches the full fonts, and the feed is drawn with them
//     (web/results/web-feed-zh.png); loaded again, signed in, the full fonts
//     arrive before the first frame (web/results/web-feed-zh-reload.png);
//   - Chinese, empty cache: the sign-in screen's first frame already has
//     the subset (fetched before it), its Chinese is drawn with it
//     (web/results/web-signin-zh.png, to look at; the same screen with the
//     font files blocked, web/results/web-signin-zh-nofont.png, differs), and
//     the full fonts follow after that frame.
// Environment: as harness.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser, appDriver, PHONE, PASSWORD } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, '..', 'results');
const FIRST_LOAD_LIMIT = 8_000_000;
const fullFont = /\/ChorusSC-(Regular|Bold)\.[0-9a-f]{16,}\.otf$/;
const uiFont = /\/ChorusSC-UI-(Regular|Bold)\.[0-9a-f]{16,}\.otf$/;

let srv;
before(async () => {
  mkdirSync(results, { recursive: true });
  srv = await startServer({ name: 'fonts', web: true });
});
after(async () => { await srv?.stop(); });

// open starts a fresh browser (empty cache) in locale and loads the app up
// to its sign-in screen; it records every response with its encoding.
async function open(name, locale, { block } = {}) {
  const browser = await launchBrowser(name, { viewport: PHONE, locale });
  const page = browser.pages()[0] || await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  if (block) await page.route(block, (route) => route.abort());
  const responses = [];
  page.on('response', (r) => responses.push({ url: r.url(), encoding: r.headers()['content-encoding'] || '' }));
  const driver = appDriver(page, assert);
  const t = Date.now();
  await page.goto(srv.url + '/app/?e2e=1');
  await page.waitForFunction(() => typeof window.chorusProbe === 'function', null, { timeout: 180_000 });
  const state = await driver.waitFor('the sign-in screen', (s) => s.screen === 'login');
  await page.waitForFunction(() => window.chorusLoad && window.chorusLoad.drawn, null, { timeout: 30_000 });
  const ms = Date.now() - t;
  return { browser, page, responses, state, ms, ...driver };
}

// transferred sums what the page received so far, as the browser counts it.
async function transferred(page) {
  return page.evaluate(() => {
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    return entries.map((e) => ({ name: new URL(e.name).pathname, bytes: e.transferSize }));
  });
}

// differing counts the pixels that differ between two PNG screenshots.
async function differing(page, a, b) {
  return page.evaluate(async ({ a, b }) => {
    const load = async (b64) => {
      const img = new Image();
      img.src = 'data:image/png;base64,' + b64;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width; c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      return g.getImageData(0, 0, c.width, c.height).data;
    };
    const x = await load(a), y = await load(b);
    let n = 0;
    for (let i = 0; i < x.length; i += 4) {
      if (Math.abs(x[i] - y[i]) + Math.abs(x[i + 1] - y[i + 1]) + Math.abs(x[i + 2] - y[i + 2]) > 60) n++;
    }
    return n;
  }, { a: a.toString('base64'), b: b.toString('base64') });
}

test('English: the first load is at most 8 MB without the CJK fonts; a Chinese profile brings them', { timeout: 300_000 }, async () => {
  const app = await open('fonts-en', 'en-US');
  try {
    assert.equal(app.state.lang, 'en');
    const files = await transferred(app.page);
    const total = files.reduce((n, f) => n + f.bytes, 0);
    console.log(`English, empty cache: ${(total / 1e6).toFixed(2)} MB transferred to the sign-in screen in ${app.ms} ms: ` +
      files.map((f) => `${f.name.replace(/^\/app\//, '') || 'index.html'} ${f.bytes}`).join(', '));
    assert.ok(total <= FIRST_LOAD_LIMIT, `first load ${total} bytes > ${FIRST_LOAD_LIMIT}`);
    assert.ok(!files.some((f) => fullFont.test(f.name)), 'the full CJK fonts were fetched for an English sign-in screen');
    const ui = app.responses.filter((r) => uiFont.test(r.url));
    assert.equal(ui.length, 2, `the interface's CJK subset: ${JSON.stringify(ui)}`);
    assert.ok(ui.every((r) => r.encoding === 'br'), `sent brotli: ${JSON.stringify(ui)}`);
    assert.ok(app.responses.some((r) => /\/chorus\.[0-9a-f]+\.wasm$/.test(r.url) && r.encoding === 'br'), 'the wasm, brotli');

    // member1 reads Chinese: signing in switches the app to it, and the
    // full fonts come for the feed's text.
    await app.signIn('member1@demo.test');
    const feed = await app.waitFor('the feed', (s) => s.screen === 'feed' && (s.cards || []).length > 0);
    assert.equal(feed.lang, 'zh-Hans');
    await app.page.waitForFunction(() => window.chorusLoad.fontsFull, null, { timeout: 30_000 });
    const full = app.responses.filter((r) => fullFont.test(r.url));
    assert.equal(full.length, 2, `the full CJK fonts: ${JSON.stringify(full)}`);
    assert.ok(full.every((r) => r.encoding === 'br'), `sent brotli: ${JSON.stringify(full)}`);
    await app.page.waitForTimeout(700); // the redraw with them
    await app.page.screenshot({ path: join(results, 'web-feed-zh.png') });
    const steps = await app.page.evaluate(() => window.chorusLoad);
    console.log(`signed in as member1 (Chinese): full CJK fonts asked at ${steps.fontsAsked} ms, arrived at ${steps.fontsFull} ms`);

    // Back again, signed in, reading Chinese: the page fetches the full
    // fonts beside the wasm and the app waits for them, so the feed's first
    // frame has them (no boxes, no swap).
    await app.page.goto(srv.url + '/app/?e2e=1');
    await app.page.waitForFunction(() => typeof window.chorusProbe === 'function', null, { timeout: 180_000 });
    await app.waitFor('the feed again', (s) => s.screen === 'feed' && (s.cards || []).length > 0);
    await app.page.waitForFunction(() => window.chorusLoad && window.chorusLoad.drawn, null, { timeout: 30_000 });
    const again = await app.page.evaluate(() => ({ steps: window.chorusLoad, early: window.chorusFonts.early }));
    console.log(`reloaded signed in: ${JSON.stringify(again)}`);
    assert.ok(again.early, 'a signed-in Chinese reader gets the full fonts at start');
    assert.ok(again.steps.fontsFull <= again.steps.drawn, `the full fonts came after the first frame: ${JSON.stringify(again.steps)}`);
    await app.page.waitForTimeout(500);
    await app.page.screenshot({ path: join(results, 'web-feed-zh-reload.png') });
  } finally {
    await app.browser.close();
  }
});

test('Chinese: the sign-in screen draws its Chinese from the first frame; the full fonts follow', { timeout: 300_000 }, async () => {
  const app = await open('fonts-zh', 'zh-CN');
  let shot;
  try {
    assert.equal(app.state.lang, 'zh-Hans');
    await app.page.waitForFunction(() => window.chorusLoad.fontsFull, null, { timeout: 60_000 });
    const steps = await app.page.evaluate(() => window.chorusLoad);
    console.log(`Chinese, empty cache: sign-in screen in ${app.ms} ms; steps ${JSON.stringify(steps)}`);
    assert.ok(steps.fontsUI <= steps.drawn, `the subset arrived after the first frame: ${JSON.stringify(steps)}`);
    assert.ok(steps.fontsAsked <= steps.drawn && steps.fontsFull >= steps.drawn,
      `the full fonts are asked for at start and fetched after the first frame: ${JSON.stringify(steps)}`);
    await app.page.waitForTimeout(500);
    shot = await app.page.screenshot({ path: join(results, 'web-signin-zh.png') });
  } finally {
    await app.browser.close();
  }
  // The same screen without any CJK font: the Chinese becomes boxes, so the
  // picture differs where the words are.
  const bare = await open('fonts-zh-nofont', 'zh-CN', { block: /\/ChorusSC-/ });
  try {
    await bare.page.waitForTimeout(500);
    const noFont = await bare.page.screenshot({ path: join(results, 'web-signin-zh-nofont.png') });
    const n = await differing(bare.page, shot, noFont);
    console.log(`the zh sign-in screen with and without the CJK fonts differs in ${n} pixels`);
    assert.ok(n > 1500, `the Chinese is not drawn with the CJK font (${n} pixels differ from the screen without it)`);
  } finally {
    await bare.browser.close();
  }
});
