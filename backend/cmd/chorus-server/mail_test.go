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

// serve --demo routes email (member1 reads Chinese) to a recording SMTP server on loopback and
// shows it at /demo/mail; without --demo that page does not exist.
func TestDemoMailbox(t *testing.T) {
	srv := start(t, "--data", t.TempDir(), "--demo")
	if !strings.Contains(srv.stderr.String(), "/demo/mail") {
		t.Errorf("the log does not point to the mailbox:\n%s", srv.stderr)
	}
	c := client.New(srv.url).SetRetryCount(0)
	if _, err := c.ForgotPassword(context.Background(), "member1@demo.test"); err != nil {
		t.Fatal(err)
	}
	var page string
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(page, "#reset/"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no reset email in the demo mailbox:\n%s", page)
		}
		resp, err := http.Get(srv.url + "/demo/mail")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("/demo/mail: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		page = string(b)
	}
	for _, want := range []string{"重置您的 Chorus 密码", "Li Wei", "member1@demo.test", srv.url + "/app/#reset/", "srcdoc="} {
		if !strings.Contains(page, want) {
			t.Errorf("the mailbox lacks %q", want)
		}
	}
	resp, err := http.Get(srv.url + "/?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `href="/demo/mail"`) {
		t.Error("the demo card does not link the mailbox")
	}

	plain := start(t, "--data", t.TempDir())
	resp, err = http.Get(plain.url + "/demo/mail")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/demo/mail outside --demo: %d", resp.StatusCode)
	}
	if !strings.Contains(plain.stderr.String(), "email off") {
		t.Errorf("no word at start that email is off:\n%s", plain.stderr)
	}
}
