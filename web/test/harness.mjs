// What the browser tests share: the demo server they start, and Debian's
// chromium (never a downloaded one) they drive, each with its own temporary
// data and profile directories, removed at the end.
// Environment: CHORUS_SERVER_BIN (default ../bin/chorus-server), CHORUS_WEB_DIR
// (default ../bin/web), CHROMIUM (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const serverBin = process.env.CHORUS_SERVER_BIN || join(root, 'bin', 'chorus-server');
export const webDir = process.env.CHORUS_WEB_DIR || join(root, 'bin', 'web');
export const PHONE = { width: 390, height: 844 };
export const PASSWORD = 'chorus-demo';

// startServer runs `chorus-server serve --demo` on a free loopback port
// (with the web build when web is set) and resolves to {url, log, stop}.
export function startServer({ name, web = false }) {
  const dataDir = mkdtempSync(join(tmpdir(), `chorus-${name}-data-`));
  const args = ['serve', '--demo', '--addr', '127.0.0.1:0', '--data', dataDir, '--log-level', 'warn'];
  if (web) args.push('--web-dir', webDir);
  const server = spawn(serverBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let url = '';
  const stop = async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((ok) => { server.on('exit', ok); setTimeout(ok, 10_000); });
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('chorus-server did not start:\n' + log)), 60_000);
    server.stderr.on('data', (d) => { log += d; });
    server.stdout.on('data', (d) => {
      log += d;
      const m = /chorus-server listening on (\S+)/.exec(log);
      if (m && !url) { url = m[1]; clearTimeout(timer); ok({ url, log: () => log, stop }); }
    });
    server.on('exit', (code) => { clearTimeout(timer); if (!url) fail(new Error(`chorus-server exited ${code}:\n${log}`)); });
  });
}

// launchBrowser opens a persistent chromium context with options (viewport,
// touch, locale, permissions …); closing it removes its profile.
export async function launchBrowser(name, options) {
  const profileDir = mkdtempSync(join(tmpdir(), `chorus-${name}-profile-`));
  const browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    deviceScaleFactor: 1,
    ...options,
  });
  const close = browser.close.bind(browser);
  browser.close = async () => { await close(); rmSync(profileDir, { recursive: true, force: true }); };
  return browser;
}

// appDriver drives the Fyne web build in page through its test probe
// (window.chorusProbe, on with ?e2e=1): the app draws on a canvas, so words
// and places come from the probe, and clicks and taps land on the widgets
// it locates (Fyne units map to CSS pixels by the canvas width).
export function appDriver(page, assert) {
  // A probe call that never answers (the page's thread stuck) fails with
  // its command instead of holding the test until node's own timeout.
  const probe = async (cmd) => {
    let timer;
    const stuck = new Promise((_, fail) => {
      timer = setTimeout(async () => {
        const stacks = await page.evaluate(() => window.chorusStacks && window.chorusStacks()).catch((e) => String(e));
        fail(new Error(`probe ${cmd}: no answer in 30 s; the app's goroutines:\n${stacks}`));
      }, 30_000);
    });
    try {
      return JSON.parse(await Promise.race([page.evaluate((c) => window.chorusProbe(c), cmd), stuck]));
    } finally {
      clearTimeout(timer);
    }
  };
  // waitFor polls the probe until pred holds; the last state is in the message.
  async function waitFor(what, pred, timeout = 60_000) {
    const end = Date.now() + timeout;
    let s;
    while (Date.now() < end) {
      s = await probe('state');
      if (pred(s)) return s;
      await page.waitForTimeout(250);
    }
    assert.fail(`timed out waiting for ${what}; last state: ${JSON.stringify(s)}`);
  }
  async function middle(name) {
    const box = await probe('locate ' + name);
    assert.ok(box.found, `${name} not on screen`);
    const s = await probe('state');
    const k = PHONE.width / s.canvas[0];
    return [(box.x + box.w / 2) * k, (box.y + box.h / 2) * k];
  }
  const clickWidget = async (name) => page.mouse.click(...await middle(name));
  // tapWidget touches instead (a phone: touch, not a mouse).
  const tapWidget = async (name) => page.touchscreen.tap(...await middle(name));
  // signIn types into the sign-in screen's fields as a person would.
  // Each field is typed into only once the app has given it the focus (a
  // busy app takes the click a frame or two later; keys typed sooner went
  // to the other field).
  async function signIn(email, password = PASSWORD) {
    for (const [field, text] of [['login.email', email], ['login.password', password]]) {
      await clickWidget(field);
      await waitFor(`the focus in ${field}`, (s) => s.focus === field, 10_000);
      await page.keyboard.type(text, { delay: 10 });
    }
    await clickWidget('login.sign_in');
  }
  return { probe, waitFor, clickWidget, tapWidget, signIn };
}
