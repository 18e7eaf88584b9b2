package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/mail"
	"github.com/chorus-advocacy/chorus/backend/internal/mail/mailtest"
)

func TestSendOverSMTP(t *testing.T) {
	srv, err := mailtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Username, srv.Password = "chorus", "s3cret"
	s, err := mail.NewSMTP(mail.Settings{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSStartTLS, TLSConfig: srv.ClientTLS(),
		From: "Chorus <chorus@example.com>", Username: "chorus", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	m := mail.InviteMessage(mail.Invite{To: "ann@example.com", Locale: "zh-Hans", Name: "安 <b>", Program: "Acme", Code: "ABCDE-FGHJK", Link: "http://127.0.0.1/app/#invite/ABCDE-FGHJK"})
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got, ok := srv.Wait(5*time.Second, mailtest.To("ann@example.com"))
	if !ok {
		t.Fatal("nothing arrived")
	}
	if got.Subject != m.Subject || strings.TrimSpace(got.Text) != strings.TrimSpace(m.Text) || strings.TrimSpace(got.HTML) != strings.TrimSpace(m.HTML) {
		t.Errorf("arrived differently:\n%q\n%q\nvs\n%q\n%q", got.Subject, got.Text, m.Subject, m.Text)
	}
	if got.From != "chorus@example.com" {
		t.Errorf("from %q", got.From)
	}

	// A refused mailbox is permanent; wrong credentials are not.
	err = s.Send(context.Background(), mail.Message{To: "x@refused.test", Subject: "s", Text: "t", HTML: "<p>t</p>"})
	var perm mail.PermanentError
	if !errors.As(err, &perm) {
		t.Errorf("refused recipient: %v, want permanent", err)
	}
	bad, _ := mail.NewSMTP(mail.Settings{Host: srv.Host(), Port: srv.Port(), TLSConfig: srv.ClientTLS(), From: "chorus@example.com", Username: "chorus", Password: "wrong"})
	if err := bad.Send(context.Background(), m); err == nil || errors.As(err, &perm) {
		t.Errorf("wrong password: %v, want a retryable error", err)
	}
	// Without TLS, credentials are never sent in the clear.
	plain, _ := mail.NewSMTP(mail.Settings{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSNone, From: "chorus@example.com", Username: "chorus", Password: "s3cret"})
	if err := plain.Send(context.Background(), m); err == nil {
		t.Error("authenticated over plain text")
	}
	// An untrusted certificate is refused.
	untrusted, _ := mail.NewSMTP(mail.Settings{Host: srv.Host(), Port: srv.Port(), From: "chorus@example.com"})
	if err := untrusted.Send(context.Background(), m); err == nil {
		t.Error("sent to a server with an untrusted certificate")
	}
}

func TestSendImplicitTLS(t *testing.T) {
	srv, err := mailtest.StartImplicitTLS()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	s, _ := mail.NewSMTP(mail.Settings{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSImplicit, TLSConfig: srv.ClientTLS(), From: "chorus@example.com"})
	if err := s.Send(context.Background(), mail.Message{To: "a@example.com", Subject: "hi", Text: "t", HTML: "<p>t</p>"}); err != nil {
		t.Fatal(err)
	}
	if got, ok := srv.Wait(5*time.Second, mailtest.To("a@example.com")); !ok || got.Subject != "hi" {
		t.Fatalf("got %+v", got)
	}
}

func TestSettingsChecked(t *testing.T) {
	for _, s := range []mail.Settings{{From: "a@b.c"}, {Host: "h"}, {Host: "h", From: "not an address"}, {Host: "h", From: "a@b.c", TLS: "ssl"}} {
		if _, err := mail.NewSMTP(s); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
}
