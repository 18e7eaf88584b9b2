package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/config"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// TestDemoChannels: in `serve --demo` a new activity reaches the members
// without a phone by email (shown at /demo/mail, with their share page
// and a working one-click unsubscribe), by WeCom (the fake, matched by
// email) and the demo program's Slack and Teams channels (the fake
// receiver), each logged.
func TestDemoChannels(t *testing.T) {
	ctx := context.Background()
	srv := start(t, "--demo", "--data", t.TempDir())
	mgr := client.New(srv.url)
	me, err := mgr.Login(ctx, "manager@demo.test", "chorus-demo")
	if err != nil {
		t.Fatal(err)
	}
	pid := me.User.Memberships[0].ProgramID
	msg := "Channels demo " + time.Now().Format("150405.000")
	if _, err := mgr.CreateActivity(ctx, pid, client.ActivityInput{Type: ptr("wechat_photo"), Message: &msg}); err != nil {
		t.Fatal(err)
	}
	var page string
	for deadline := time.Now().Add(20 * time.Second); strings.Count(page, msg) < 2 ||
		!strings.Contains(srv.stderr.String(), "demo WeCom message delivered") ||
		strings.Count(srv.stderr.String(), "demo chat webhook delivered") < 2; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the activity did not reach every channel; mailbox:\n%.3000s\nlog:\n%s", page, srv.stderr)
		}
		resp, err := http.Get(srv.url + "/demo/mail")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page = string(b)
	}
	for _, want := range []string{"有新活动", "New in", srv.url + "/s/", srv.url + "/u/"} {
		if !strings.Contains(page, want) {
			t.Errorf("the mailbox lacks %q", want)
		}
	}
	// The unsubscribe link in an email works (one click, RFC 8058).
	i := strings.Index(page, srv.url+"/u/")
	u := page[i:]
	u = u[:strings.IndexAny(u, "\"< \n&")]
	resp, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("unsubscribe %s: %v %v", u, resp, err)
	}
	resp.Body.Close()
}

// TestChannelsReload: SMTP and WeCom settings from a config reload reach
// the notifier without a restart; a bad reload keeps the running ones.
func TestChannelsReload(t *testing.T) {
	st := storetest.SQLite(t)
	log := slog.New(slog.DiscardHandler)
	nt := notify.New(notify.Options{Store: st, Log: log})
	sw := &mailSwitch{}
	sw.set(nil)
	cfg := config.Config{}
	reload, stop, err := setupChannels(context.Background(), cfg, st, nt, sw, nil, "", log)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, email, wc := nt.Channels(); email || wc {
		t.Fatalf("at start: email %v, WeCom %v", email, wc)
	}
	next := cfg
	next.SMTP = config.SMTP{Host: "127.0.0.1", Port: 2525, From: "chorus@example.com", TLS: "starttls"}
	next.WeCom = config.WeCom{CorpID: "ww1", AgentID: 7, Secret: "s", BaseURL: "https://qyapi.weixin.qq.com"}
	reload(next)
	if _, email, wc := nt.Channels(); !email || !wc || !sw.on() {
		t.Fatalf("after the reload: email %v, WeCom %v", email, wc)
	}
	bad := next
	bad.WeCom.BaseURL = "ftp://nowhere"
	reload(bad)
	if _, email, wc := nt.Channels(); !email || !wc {
		t.Fatalf("a bad reload changed the channels: email %v, WeCom %v", email, wc)
	}
	off := next
	off.SMTP, off.WeCom = config.SMTP{TLS: "starttls"}, config.WeCom{BaseURL: "https://qyapi.weixin.qq.com"}
	reload(off)
	if _, email, wc := nt.Channels(); email || wc {
		t.Fatalf("turned off: email %v, WeCom %v", email, wc)
	}
}
