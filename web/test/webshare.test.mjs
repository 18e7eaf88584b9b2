// The web build on a phone shares the file itself: Debian's chromium (never
// a downloaded one) as a touch phone (390×844, hasTouch, isMobile, a phone's
// user agent) opens the app served by `chorus-server serve --demo
// --web-dir`, signs in as a demo member, opens the WeChat photo and taps
// Share. navigator.share and navigator.canShare are recording stand-ins
// (page.addInitScript): the shared File's bytes are read in the page and
// hashed with crypto.subtle, and compared with the media downloaded through
// the API. The clipboard holds the member's text with their tracked link.
// Also: a portrait phone gets the tab bar at the bottom.
// Environment: CHORUS_SERVER_BIN (default ../bin/chorus-server), CHORUS_WEB_DIR
// (default ../bin/web), CHROMIUM (default /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser, appDriver, PHONE, PASSWORD } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, '..', 'results');
const MEMBER = 'member1@demo.test';
const ANDROID_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';

let srv, serverURL, browser, page, probe, waitFor, clickWidget, tapWidget, signIn;

// recorder stands in for the browser's share sheet and clipboard, keeping
// what the app hands them; the shared files are hashed in the page.
function recorder() {
  const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
  window.__canShare = [];
  window.__shared = [];
  window.__clipboard = [];
  Object.defineProperty(navigator, 'canShare', {
    configurable: true,
    value: (data) => { window.__canShare.push((data.files || []).map((f) => f.name)); return true; },
  });
  Object.defineProperty(navigator, 'share', {
    configurable: true,
    value: async (data) => {
      const files = [];
      for (const f of data.files || []) {
        const bytes = await f.arrayBuffer();
        files.push({ name: f.name, type: f.type, size: f.size, sha256: hex(await crypto.subtle.digest('SHA-256', bytes)) });
      }
      window.__shared.push({ text: data.text || '', files, activation: navigator.userActivation ? navigator.userActivation.isActive : null });
    },
  });
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: {
      writeText: async (t) => { window.__clipboard.push(t); },
      readText: async () => window.__clipboard[window.__clipboard.length - 1] || '',
    },
  });
}

before(async () => {
  mkdirSync(results, { recursive: true });
  srv = await startServer({ name: 'webshare', web: true });
  serverURL = srv.url;
  browser = await launchBrowser('webshare', {
    viewport: PHONE,
    hasTouch: true,
    isMobile: true,
    userAgent: ANDROID_UA,
    locale: 'en-US',
  });
  await browser.addInitScript(recorder);
  page = browser.pages()[0] || await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  ({ probe, waitFor, clickWidget, tapWidget, signIn } = appDriver(page, assert));
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// mediaSHA256 downloads the activity's media through the API, as member.
async function mediaSHA256(mid) {
  const login = await fetch(serverURL + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: MEMBER, password: PASSWORD }),
  });
  const { token } = await login.json();
  const auth = { Authorization: 'Bearer ' + token };
  const me = await (await fetch(serverURL + '/api/v1/me', { headers: auth })).json();
  const pid = me.memberships[0].program_id;
  const r = await fetch(`${serverURL}/api/v1/programs/${pid}/media/${mid}`, { headers: auth });
  assert.equal(r.status, 200, `GET media: ${r.status}`);
  const bytes = Buffer.from(await r.arrayBuffer());
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, type: r.headers.get('content-type') };
}

test('web build on a touch phone: Share hands the photo file to the share sheet', { timeout: 300_000 }, async () => {
  await page.goto(serverURL + '/app/?e2e=1');
  await page.waitForFunction(() => typeof window.chorusProbe === 'function', null, { timeout: 180_000 });
  await waitFor('the sign-in screen', (s) => s.screen === 'login');
  await signIn(MEMBER);
  const feed = await waitFor('the feed', (s) => s.screen === 'feed' && (s.cards || []).length > 0);
  assert.match(feed.cards[0].message, /我们的新产品今天发布/);

  // A portrait phone: the tab bar runs along the bottom, not down a side.
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(results, 'webshare-feed.png') });
  const tab = await probe('locate tab.0');
  assert.ok(tab.found, 'no bottom tab bar');
  assert.ok(tab.y > feed.canvas[1] * 0.85 && tab.w < feed.canvas[0] / 3, `tab button at ${JSON.stringify(tab)} in ${feed.canvas}`);

  await tapWidget('feed.card.0');
  const act = await waitFor('the photo, fetched', (s) => s.activity && s.activity.media_ready && s.activity.picture);
  assert.equal(act.activity.action, '分享到微信');
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(results, 'webshare-activity.png') });

  await tapWidget('activity.action');
  await page.waitForFunction(() => window.__shared.length > 0, null, { timeout: 30_000 });
  const shared = await page.evaluate(() => window.__shared);
  const canShare = await page.evaluate(() => window.__canShare);
  assert.equal(shared.length, 1, JSON.stringify(shared));
  assert.equal(canShare.length, 1, 'canShare({files}) asked first');
  const [file] = shared[0].files;
  assert.ok(file, 'no file shared: ' + JSON.stringify(shared[0]));
  const want = await mediaSHA256(act.activity.media_id);
  assert.equal(file.sha256, want.sha256, 'the shared file is the activity\'s media');
  assert.equal(file.size, want.size);
  assert.match(file.type, /^image\//);
  assert.match(shared[0].text, /\/l\//, 'the shared text carries the tracked link');
  const clip = await page.evaluate(() => window.__clipboard);
  assert.ok(clip.some((t) => /\/l\//.test(t) && t === shared[0].text), `clipboard ${JSON.stringify(clip)}`);
  await waitFor('Ready for WeChat', (s) => s.activity && s.activity.ready);
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(results, 'webshare-ready.png') });
  console.log(`shared ${file.name} (${file.type}, ${file.size} bytes) sha256 ${file.sha256}; user activation at share: ${shared[0].activation}`);
});
