// The share page (/s/{token}) in a real browser: Debian's chromium (never a
// downloaded one) at phone size, with touch, against `chorus-server serve
// --demo`. A demo member's link comes from the API (share-link and
// handoff); the page's photo must be the activity's file byte for byte,
// Copy must put the member's tracked link on the clipboard, "I've posted
// it" twice must give the points once, an unknown link shows the friendly
// page, and a Chinese member reads Chinese. Screenshots (en, zh) go to
// web/results/, or to CHORUS_SHOTS_DIR (make screenshots: docs/screenshots/).
// Environment: CHORUS_SERVER_BIN (default ../bin/chorus-server), CHROMIUM
// (default /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser, root, PHONE, PASSWORD } from './harness.mjs';

const shots = process.env.CHORUS_SHOTS_DIR || join(root, 'web', 'results');
const ZH_MEMBER = 'member1@demo.test'; // Li Wei, zh-Hans
const EN_MEMBER = 'member2@demo.test'; // Emma Johnson, en

let srv, serverURL, browser;

before(async () => {
  mkdirSync(shots, { recursive: true });
  srv = await startServer({ name: 'share' });
  serverURL = srv.url;
  browser = await launchBrowser('share', {
    viewport: PHONE, hasTouch: true, isMobile: true, locale: 'en-US',
    permissions: ['clipboard-read', 'clipboard-write'],
  });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function api(token, method, path, body) {
  const r = await fetch(serverURL + path, {
    method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// signIn returns a member's token, program and the live WeChat Photo.
async function signIn(email) {
  const s = await api('', 'POST', '/api/v1/auth/login', { email, password: PASSWORD });
  const pid = s.user.memberships[0].program_id;
  const feed = await api(s.token, 'GET', `/api/v1/programs/${pid}/feed`);
  const photo = feed.items.find((i) => i.type === 'wechat_photo' && i.media_id);
  assert.ok(photo, 'the demo feed has a WeChat Photo with media');
  return { token: s.token, pid, photo };
}

const sha = (buf) => createHash('sha256').update(Buffer.from(buf)).digest('hex');

test('a member shares from the share page on a phone', async () => {
  const { token, pid, photo } = await signIn(EN_MEMBER);
  const link = await api(token, 'POST', `/api/v1/programs/${pid}/activities/${photo.id}/share-link`, {});
  const handoff = await api(token, 'POST', `/api/v1/programs/${pid}/activities/${photo.id}/handoff`);
  assert.equal(handoff.share_url, link.url, 'handoff and share-link give the same page');
  assert.equal(handoff.devices, 0, 'no phone registered: the handoff says so');

  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`); });
  const resp = await page.goto(link.url);
  assert.equal(resp.status(), 200);
  assert.match(resp.headers()['content-security-policy'], /default-src 'none'/);
  await page.waitForFunction(() => { const i = document.getElementById('media'); return i && i.complete && i.naturalWidth > 0; });

  // The photo's bytes, fetched in the page, are the activity's media.
  const inPage = await page.evaluate(async () => {
    const r = await fetch(document.getElementById('media').getAttribute('src'));
    return Array.from(new Uint8Array(await r.arrayBuffer()));
  });
  const viaAPI = await (await fetch(`${serverURL}/api/v1/programs/${pid}/media/${photo.media_id}`, { headers: { Authorization: 'Bearer ' + token } })).arrayBuffer();
  assert.equal(sha(inPage), sha(viaAPI), 'the page shows the activity\'s file');
  const box = await page.locator('#media').boundingBox();
  assert.ok(Math.abs(box.width - PHONE.width) <= 1, `the photo is full width: ${box.width}`);

  // Buttons a thumb can hit.
  for (const id of ['#copy', '#posted', '#save']) {
    const b = await page.locator(id).boundingBox();
    assert.ok(b && b.height >= 44, `${id} is ${b && b.height}px tall`);
  }
  await page.screenshot({ path: join(shots, 'share-page-en.png') });

  // Copy: the clipboard holds the member's text with their tracked link.
  await page.locator('#copy').tap();
  await page.locator('#copied').waitFor({ state: 'visible' });
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(clip, new RegExp(serverURL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '/l/[A-Za-z0-9]+'), `clipboard: ${clip}`);
  assert.ok(!clip.includes('https://example.com/launch'), 'the raw URL is replaced by the member\'s link');

  // I've posted it, twice: points once.
  const before = (await api(token, 'GET', `/api/v1/programs/${pid}/me/points`)).total;
  await page.locator('#posted').tap();
  await page.locator('#result').waitFor({ state: 'visible' });
  const first = await page.locator('#result').textContent();
  assert.match(first, new RegExp(`\\+${photo.points} points`), first);
  await page.locator('#posted').tap();
  await page.waitForFunction(() => /Already counted/.test(document.getElementById('result').textContent));
  const after = (await api(token, 'GET', `/api/v1/programs/${pid}/me/points`)).total;
  assert.equal(after, before + photo.points, 'points given once');
  assert.ok(await page.locator('a[href="weixin://"]').isVisible(), 'Open WeChat is offered');
  await page.screenshot({ path: join(shots, 'share-page-en-posted.png') });
  assert.deepEqual(errors, [], 'no script errors or CSP violations');
  await page.close();
});

test('an unknown link shows the friendly page', async () => {
  const page = await browser.newPage();
  const resp = await page.goto(serverURL + '/s/' + 'x'.repeat(43));
  assert.equal(resp.status(), 404);
  assert.match(await page.textContent('body'), /This share link does not exist/);
  assert.match(await page.textContent('body'), /此分享链接不存在/);
  await page.close();
});

test('a Chinese member reads the page in Chinese', async () => {
  const { token, pid, photo } = await signIn(ZH_MEMBER);
  const link = await api(token, 'POST', `/api/v1/programs/${pid}/activities/${photo.id}/share-link`, {});
  const page = await browser.newPage();
  await page.goto(link.url);
  await page.waitForFunction(() => { const i = document.getElementById('media'); return i && i.complete && i.naturalWidth > 0; });
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hans');
  const body = await page.textContent('body');
  for (const w of ['分享到微信', '复制文案', '我已发布', '长按图片保存']) assert.ok(body.includes(w), `page lacks ${w}`);
  await page.screenshot({ path: join(shots, 'share-page-zh.png') });
  await page.close();
});
