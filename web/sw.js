// The Chorus web build's service worker: it shows the server's Web Push
// notifications and opens the activity when one is tapped. It is served at
// /app/sw.js (scripts/build-web.sh copies it into the build), so its scope is
// the app's, /app/; the app registers it only when the member turns
// notifications on (platform/push_js.go), with ?lang= the app's language.
//
// A push's payload is the JSON backend/internal/push/webpush writes:
//   {kind, title, body, deep_link, tag, data: {program_id, activity_id, …}}
// already in the language of the device's registration. The words below are
// only for a push without a usable title (or a payload that cannot be read),
// in the language the app registered this worker with.
'use strict';

const WORDS = {
  en: { title: 'Chorus', newActivity: 'New activity', body: 'Tap to open it in Chorus.' },
  'zh-Hans': { title: 'Chorus', newActivity: '新活动', body: '点按在 Chorus 中打开。' },
};

function lang() {
  const l = (new URL(self.location.href).searchParams.get('lang') || '').toLowerCase();
  return l === 'zh' || l.startsWith('zh-') || l.startsWith('zh_') ? 'zh-Hans' : 'en';
}

// appURL is the app's own address for an activity (or the app itself).
function appURL(activityID) {
  const base = new URL('./', self.registration.scope).href; // …/app/
  return activityID ? base + '#activity/' + encodeURIComponent(activityID) : base;
}

// notice turns a payload into what showNotification takes.
function notice(payload) {
  const w = WORDS[lang()];
  const p = payload && typeof payload === 'object' ? payload : {};
  const data = p.data && typeof p.data === 'object' ? p.data : {};
  const activityID = typeof data.activity_id === 'string' ? data.activity_id : '';
  let title = typeof p.title === 'string' && p.title.trim() ? p.title : '';
  if (!title) title = p.kind === 'new_activity' || activityID ? w.newActivity : w.title;
  const body = typeof p.body === 'string' && p.body.trim() ? p.body : (activityID ? w.body : '');
  const options = {
    body,
    icon: new URL('icon.png', self.registration.scope).href,
    data: { activity_id: activityID, kind: typeof p.kind === 'string' ? p.kind : '', url: appURL(activityID) },
    lang: lang(),
  };
  // The same tag replaces an older notice of the same activity.
  if (typeof p.tag === 'string' && p.tag) options.tag = p.tag;
  return { title, options };
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let payload = null;
  try {
    payload = event.data ? event.data.json() : null;
  } catch (e) {
    payload = null;
  }
  const n = notice(payload);
  event.waitUntil(self.registration.showNotification(n.title, n.options));
});

// A tap focuses an open tab of the app and tells it which activity to open
// (the app listens for {type: 'chorus-open'}), or opens the app at
// #activity/{id} when no tab is open.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const url = data.url || appURL(data.activity_id);
  event.waitUntil(openApp(url, data.activity_id || ''));
});

async function openApp(url, activityID) {
  const scope = self.registration.scope;
  const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const tab = tabs.find((c) => c.url.startsWith(scope));
  if (tab) {
    const focused = await tab.focus().catch(() => tab);
    (focused || tab).postMessage({ type: 'chorus-open', activity_id: activityID, url });
    return focused || tab;
  }
  return self.clients.openWindow(url);
}
