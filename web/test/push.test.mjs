// Web Push in a real browser, end to end: the web build (served by `serve
// --demo --web-dir`) turns notifications on from Settings after its own
// explanation, registers its service worker (/app/sw.js), subscribes with the
// server's VAPID key and registers a webpush device; a new activity then
// makes the server send an encrypted push, which this test receives as the
// browser's push service would, decrypts (RFC 8291, aes128gcm) and hands to
// the service worker through Chromium's DevTools protocol
// (ServiceWorker.deliverPushMessage). The notification's title is read back
// (registration.getNotifications()), and a tap on it opens the activity:
// in the open tab (the worker posts to it) and, from a fresh tab, at
// /app/#activity/{id}.
//
// What stands in, and why: headless Chromium has no push service to
// subscribe with (pushManager.subscribe never answers without Google's
// servers), so PushManager.subscribe is replaced in the page by one that
// records the key the app passed and answers a subscription whose endpoint
// is this test's push service on loopback and whose keys this test holds.
// Everything else is the browser's own: the permission (granted through
// CDP Browser.grantPermissions), the service worker, its notifications.
// A notification cannot be clicked in headless Chromium, so the tap is a
// notificationclick event dispatched inside the worker on the real
// notification.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createECDH, randomBytes, hkdfSync, createDecipheriv } from 'node:crypto';
import { startServer, launchBrowser, appDriver, PHONE, PASSWORD } from './harness.mjs';

const MEMBER = 'member1@demo.test'; // the demo gives member1 Chinese (zh-Hans)

let srv, serverURL, browser, page, probe, waitFor, clickWidget, tapWidget, signIn, pushService;

// Chrome on an Android phone: it has Web Push (and the app's phone tab bar).
const ANDROID_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

// The browser's keys for the stand-in subscription (RFC 8291: the user
// agent's P-256 key pair and a 16-byte auth secret).
const ua = createECDH('prime256v1');
ua.generateKeys();
const auth = randomBytes(16);
const b64u = (b) => Buffer.from(b).toString('base64url');

// decrypt opens one aes128gcm Web Push message (RFC 8188 + RFC 8291).
function decrypt(body) {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20];
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  assert.equal(idlen, 65, 'keyid is the sender\'s uncompressed public key');
  assert.ok(ciphertext.length <= rs, 'one record');
  const secret = ua.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ua.getPublicKey(), asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', secret, auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const d = createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  assert.equal(padded[end], 2, 'the last record ends with the 0x02 delimiter');
  return padded.subarray(0, end).toString('utf8');
}

// startPushService answers Web Push deliveries (201) and keeps them.
function startPushService() {
  const deliveries = [];
  const waiters = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const d = { path: req.url, headers: req.headers, body: Buffer.concat(chunks) };
      deliveries.push(d);
      res.writeHead(201).end();
      waiters.splice(0).forEach((w) => w());
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({
    url: `http://127.0.0.1:${server.address().port}`,
    deliveries,
    async next(pred, timeout = 30_000) {
      const end = Date.now() + timeout;
      for (;;) {
        const d = deliveries.find(pred);
        if (d) return d;
        if (Date.now() > end) assert.fail(`no push delivered; got ${deliveries.length}`);
        await new Promise((w) => { waiters.push(w); setTimeout(w, 500); });
      }
    },
    close: () => new Promise((ok) => server.close(ok)),
  })));
}

before(async () => {
  pushService = await startPushService();
  srv = await startServer({ name: 'push', web: true });
  serverURL = srv.url;
  browser = await launchBrowser('push', { viewport: PHONE, hasTouch: true, isMobile: true, userAgent: ANDROID_UA, locale: 'en-US' });
  // The stand-in for the browser's push service (see the top).
  await browser.addInitScript(({ endpoint, p256dh, auth }) => {
    if (!window.PushManager) return;
    let current = null;
    window.__pushCalls = [];
    const fromB64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    PushManager.prototype.subscribe = async function (opts) {
      const key = new Uint8Array(opts.applicationServerKey);
      window.__pushCalls.push({ call: 'subscribe', userVisibleOnly: opts.userVisibleOnly, key: btoa(String.fromCharCode(...key)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') });
      current = {
        endpoint,
        options: { userVisibleOnly: true, applicationServerKey: key.buffer },
        getKey: (name) => fromB64u(name === 'p256dh' ? p256dh : auth).buffer,
        toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh, auth } }),
        unsubscribe: async () => { window.__pushCalls.push({ call: 'unsubscribe' }); current = null; return true; },
      };
      return current;
    };
    PushManager.prototype.getSubscription = async function () { return current; };
  }, { endpoint: pushService.url + '/push/member1', p256dh: b64u(ua.getPublicKey()), auth: b64u(auth) });
  page = browser.pages()[0] || await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  ({ probe, waitFor, clickWidget, tapWidget, signIn } = appDriver(page, assert));
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  await pushService?.close();
});

async function api(path, { body, token, method } = {}) {
  const r = await fetch(serverURL + path, {
    method: method || (body ? 'POST' : 'GET'),
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(r.ok, `${path}: ${r.status} ${await r.clone().text()}`);
  return r.status === 204 ? null : r.json();
}

// within fails with what was awaited when it takes longer than ms: a
// service worker or DevTools call that never answers names itself.
function within(what, promise, ms = 60_000) {
  let timer;
  return Promise.race([promise, new Promise((_, fail) => { timer = setTimeout(() => fail(new Error(`${what}: no answer in ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}

// swCall runs fn(arg) inside the app's service worker.
async function swCall(fn, arg) {
  const sw = browser.serviceWorkers().find((w) => w.url().includes('/app/sw.js'))
    || await browser.waitForEvent('serviceworker', { predicate: (w) => w.url().includes('/app/sw.js'), timeout: 30_000 });
  return within('the service worker', sw.evaluate(fn, arg));
}

test('web push: turn on in Settings, a new activity is notified in the member\'s language, a tap opens it', { timeout: 600_000 }, async () => {
  const origin = new URL(serverURL).origin;
  const cdp = await browser.newCDPSession(page);
  await cdp.send('Browser.grantPermissions', { origin, permissions: ['notifications'] });

  const config = await api('/api/v1/push/config');
  assert.ok(config.webpush && config.vapid_public_key, `push config: ${JSON.stringify(config)}`);

  await page.goto(serverURL + '/app/?e2e=1');
  await page.waitForFunction(() => typeof window.chorusProbe === 'function', null, { timeout: 180_000 });
  await waitFor('the sign-in screen', (s) => s.screen === 'login');
  await signIn(MEMBER);
  const feed = await waitFor('the feed', (s) => s.screen === 'feed' && (s.cards || []).length > 0);
  assert.equal(feed.lang, 'zh-Hans');
  assert.equal(feed.push, 'off', 'push starts off: the app asks only from Settings, after explaining');
  assert.equal(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length)), 0,
    'no service worker before the member turns notifications on');

  // Settings → Notifications on this device → the explanation → Turn on.
  await tapWidget('tab.settings');
  await waitFor('Settings', (s) => s.screen === 'settings');
  await tapWidget('settings.push');
  await waitFor('the explanation', (s) => s.dialog === 'push.explain');
  await tapWidget('push.allow');
  await waitFor('push on', (s) => s.push === 'on', 60_000);

  const calls = await page.evaluate(() => window.__pushCalls);
  assert.deepEqual(calls.map((c) => c.call), ['subscribe']);
  assert.equal(calls[0].key, config.vapid_public_key, 'subscribed with the server\'s VAPID key');
  assert.equal(calls[0].userVisibleOnly, true);
  const reg = await within('the registration', page.evaluate(async () => {
    const r = await navigator.serviceWorker.getRegistration();
    return { scope: r.scope, script: (r.active || r.waiting || r.installing).scriptURL };
  }));
  assert.equal(reg.scope, serverURL + '/app/');
  assert.equal(reg.script, serverURL + '/app/sw.js?lang=zh-Hans');

  const { token: memberToken } = await api('/api/v1/auth/login', { body: { email: MEMBER, password: PASSWORD } });
  const devices = (await api('/api/v1/me/devices', { token: memberToken })).items;
  const web = devices.filter((d) => d.platform === 'webpush');
  assert.equal(web.length, 1, `devices: ${JSON.stringify(devices)}`);
  assert.equal(web[0].locale, 'zh-Hans');

  // A new activity: the server pushes to the stand-in push service.
  const { token } = await api('/api/v1/auth/login', { body: { email: 'manager@demo.test', password: PASSWORD } });
  const me = await api('/api/v1/me', { token });
  const pid = me.memberships[0].program_id;
  const message = 'Push test ' + Date.now();
  const activity = await api(`/api/v1/programs/${pid}/activities`, { body: { type: 'wechat_photo', message, points: 10 }, token });
  const delivery = await pushService.next((d) => d.path === '/push/member1');
  assert.equal(delivery.headers['content-encoding'], 'aes128gcm');
  assert.match(delivery.headers.authorization || '', /^vapid t=[^,]+, k=/);
  const payload = decrypt(delivery.body);
  const sent = JSON.parse(payload);
  assert.equal(sent.data.activity_id, activity.id);

  // The browser's push service hands it to the worker: Chromium's CDP.
  await within('ServiceWorker.enable', cdp.send('ServiceWorker.enable'));
  const regs = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => regs.push(...e.registrations));
  for (let i = 0; i < 40 && !regs.some((r) => r.scopeURL === serverURL + '/app/' && !r.isDeleted); i++) await page.waitForTimeout(100);
  const registrationId = regs.find((r) => r.scopeURL === serverURL + '/app/' && !r.isDeleted).registrationId;
  await within('deliverPushMessage', cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: payload }));
  let shown = [];
  for (let i = 0; i < 50 && shown.length === 0; i++) {
    await page.waitForTimeout(100);
    shown = await within('getNotifications', page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications())
      .map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data, lang: n.lang }))));
  }
  assert.equal(shown.length, 1, 'one notification');
  assert.ok(shown[0].title.startsWith('新活动：'), `title in the member's language: ${shown[0].title}`);
  assert.ok(shown[0].title.includes(message.slice(0, 20)), shown[0].title);
  assert.equal(shown[0].body, '点按在 Chorus 中打开。');
  assert.equal(shown[0].tag, sent.tag);
  assert.equal(shown[0].data.url, `${serverURL}/app/#activity/${activity.id}`);

  // A push without a title still reads in the member's language.
  await within('deliverPushMessage (no title)', cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: JSON.stringify({ kind: 'new_activity', tag: 't2', data: { activity_id: 'act_none' } }) }));
  let bare;
  for (let i = 0; i < 50 && !bare; i++) {
    await page.waitForTimeout(100);
    bare = await within('getNotifications (no title)', page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications({ tag: 't2' })).map((n) => n.title)[0]));
  }
  assert.equal(bare, '新活动');

  // The tap, with the app open in this tab: the worker tells the tab, which
  // opens the activity.
  const clicked = await swCall(async (tag) => {
    const [n] = await self.registration.getNotifications({ tag });
    const seen = [];
    const orig = Client.prototype.postMessage;
    Client.prototype.postMessage = function (m) { seen.push(m); return orig.call(this, m); };
    self.dispatchEvent(new NotificationEvent('notificationclick', { notification: n }));
    await new Promise((r) => setTimeout(r, 1000));
    Client.prototype.postMessage = orig;
    return { seen, left: (await self.registration.getNotifications({ tag })).length };
  }, sent.tag);
  assert.equal(clicked.left, 0, 'the tapped notification is closed');
  assert.equal(clicked.seen.length, 1, JSON.stringify(clicked));
  assert.equal(clicked.seen[0].activity_id, activity.id);
  const opened = await waitFor('the activity, opened by the tap', (s) => s.screen === 'activity' && s.activity && s.activity.message.includes(message));
  assert.ok(opened);

  // Without an open tab the worker opens the app at the notification's
  // address: a fresh tab there, already signed in, opens the activity.
  const fresh = await browser.newPage();
  try {
    await within('the fresh tab', fresh.goto(shown[0].data.url.replace('#', '?e2e=1#')));
    await fresh.waitForFunction(() => typeof window.chorusProbe === 'function', null, { timeout: 180_000 });
    const d2 = appDriver(fresh, assert);
    await d2.waitFor('the activity from its link', (s) => s.screen === 'activity' && s.activity && s.activity.message.includes(message));
  } finally {
    await fresh.close();
  }

  // Turning it off in Settings unsubscribes and ends the registration.
  await within('bringToFront', page.bringToFront());
  await tapWidget('tab.settings');
  await waitFor('Settings', (s) => s.screen === 'settings');
  await tapWidget('settings.push');
  await waitFor('push off', (s) => s.push === 'off', 30_000);
  assert.deepEqual((await page.evaluate(() => window.__pushCalls)).map((c) => c.call), ['subscribe', 'unsubscribe']);
  const after = (await api('/api/v1/me/devices', { token: memberToken })).items.filter((d) => d.platform === 'webpush');
  assert.equal(after.length, 0, `devices after turning off: ${JSON.stringify(after)}`);
});
