package main

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/config"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/push/webpush"
)

// TestDemoPushConfigAndServiceWorker: `serve --demo` tells an anonymous
// browser that Web Push is on and the key to subscribe with (the demo's
// fake services stand in for every platform), and serves the web build's
// service worker at /app/sw.js, whose default scope is the app's, revalidated
// on every load so a new build's worker is picked up.
func TestDemoPushConfigAndServiceWorker(t *testing.T) {
	web := t.TempDir()
	for name, body := range map[string]string{"index.html": "<html>", "sw.js": "self.addEventListener('push', () => {});"} {
		if err := os.WriteFile(filepath.Join(web, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := start(t, "--demo", "--data", t.TempDir(), "--web-dir", web)
	cfg, err := client.New(srv.url).PushConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	key, err := base64.RawURLEncoding.DecodeString(cfg.VAPIDPublicKey)
	if err != nil || len(key) != 65 || key[0] != 4 {
		t.Fatalf("VAPID public key %q is not an uncompressed P-256 point (%v)", cfg.VAPIDPublicKey, err)
	}
	if !cfg.WebPush || !cfg.APNs || !cfg.FCM || cfg.APNsTopic == "" {
		t.Fatalf("demo push config: %+v", cfg)
	}

	resp, err := http.Get(srv.url + "/app/sw.js")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "self.addEventListener('push', () => {});" {
		t.Fatalf("/app/sw.js: %d %q", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
		t.Errorf("/app/sw.js Content-Type %q: browsers register only JavaScript", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("/app/sw.js Cache-Control %q, want no-cache", cc)
	}
}

// TestPushInfoFollowsSenders: the config answer follows the senders in use,
// through a reload of the credentials.
func TestPushInfoFollowsSenders(t *testing.T) {
	var info pushInfo
	if got := info.Get(); got != (client.PushConfig{}) {
		t.Fatalf("before setup: %+v", got)
	}
	pub, priv, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	mux, err := notify.Senders(config.Push{WebPushPublicKey: pub, WebPushPrivateKey: priv, WebPushSubject: "mailto:ops@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	info.set(mux)
	raw, _ := base64.RawURLEncoding.DecodeString(info.Get().VAPIDPublicKey)
	want, _ := base64.RawURLEncoding.DecodeString(pub)
	if got := info.Get(); !got.WebPush || got.APNs || got.FCM || string(raw) != string(want) {
		t.Fatalf("web push only: %+v (key %q, configured %q)", got, got.VAPIDPublicKey, pub)
	}
	none, err := notify.Senders(config.Push{})
	if err != nil {
		t.Fatal(err)
	}
	info.set(none)
	if got := info.Get(); got != (client.PushConfig{}) {
		t.Fatalf("after credentials removed: %+v", got)
	}
}
