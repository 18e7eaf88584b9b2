package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
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
