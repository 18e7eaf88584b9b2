package mail_test

import (
	"bufio"
	"context"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/mail"
	"github.com/chorus-advocacy/chorus/backend/internal/mail/mailtest"
)

func TestActivityMessage(t *testing.T) {
	a := mail.Activity{To: "ann@example.com", Locale: "en", Name: "Ann <b>", Program: "Acme", Title: "Share our <script>launch</script>\nsecond line",
		ImageURL: "https://chorus.example/s/tok/thumbnail", Link: "https://chorus.example/s/tok", Unsubscribe: "https://chorus.example/u/xyz"}
	m := mail.ActivityMessage(a)
	if m.Subject != "New in Acme: Share our <script>launch</script> second line" || m.Unsubscribe != a.Unsubscribe {
		t.Fatalf("subject %q", m.Subject)
	}
	for _, want := range []string{"Hello Ann <b>,", "Open and share: https://chorus.example/s/tok", "Stop these emails: https://chorus.example/u/xyz", "second line"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	for _, want := range []string{`<img src="https://chorus.example/s/tok/thumbnail"`, `href="https://chorus.example/s/tok"`, "Ann &lt;b&gt;", "&lt;script&gt;", `href="https://chorus.example/u/xyz"`, `lang="en"`} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(m.HTML, "<script>") || strings.Contains(m.HTML, "<b>") {
		t.Error("HTML carries markup from the activity or the name")
	}
	zh := mail.ActivityMessage(mail.Activity{To: "li@example.com", Locale: "zh-Hans", Program: "Acme", Title: strings.Repeat("长", 200), Link: "https://x/s/t"})
	if !strings.HasPrefix(zh.Subject, "Acme 有新活动：") || len([]rune(zh.Subject)) > 100 || !strings.Contains(zh.Text, "li，您好") ||
		strings.Contains(zh.HTML, "<img") || !strings.Contains(zh.HTML, `lang="zh-Hans"`) {
		t.Fatalf("zh: %q\n%s", zh.Subject, zh.Text)
	}
}

func TestActivityOverSMTPHasListUnsubscribe(t *testing.T) {
	srv, err := mailtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	s, err := mail.NewSMTP(mail.Settings{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSNone, From: "Chorus <chorus@example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	m := mail.ActivityMessage(mail.Activity{To: "ann@example.com", Program: "Acme", Title: "Launch", Link: "https://x/s/t", Unsubscribe: "https://x/u/abc"})
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got, ok := srv.Wait(5*time.Second, mailtest.To("ann@example.com"))
	if !ok {
		t.Fatal("nothing arrived")
	}
	h, err := textproto.NewReader(bufio.NewReader(strings.NewReader(got.Raw))).ReadMIMEHeader()
	if err != nil {
		t.Fatal(err)
	}
	if h.Get("List-Unsubscribe") != "<https://x/u/abc>" || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("headers: %v", h)
	}
	if !strings.Contains(got.HTML, "https://x/s/t") || !strings.Contains(got.Text, "https://x/s/t") {
		t.Fatal("the link did not arrive")
	}
}
