package httpapi_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/mail"
	"github.com/chorus-advocacy/chorus/backend/internal/mail/mailtest"
	"github.com/chorus-advocacy/chorus/backend/internal/secret"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// mailEnv is a test server whose email goes over SMTP to a recording
// server, through the durable jobs, sealed at rest; its clock can move.
type mailEnv struct {
	*apitest.Env
	box    *mailtest.Server
	offset *atomic.Int64
	start  func() // runs the jobs (sends the queued email)
}

func newMailEnv(t testing.TB, st *store.Store, adjust ...func(*httpapi.Options)) *mailEnv {
	t.Helper()
	box, err := mailtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	sender, err := mail.NewSMTP(mail.Settings{Host: box.Host(), Port: box.Port(), TLS: mail.TLSNone, From: "Chorus <chorus@acme.test>"})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secret.New(strings.Repeat("k", 32))
	if err != nil {
		t.Fatal(err)
	}
	runner := jobs.New(st, slog.New(slog.DiscardHandler))
	runner.Poll, runner.Backoff = 20*time.Millisecond, 10*time.Millisecond
	offset := new(atomic.Int64)
	e := apitest.New(t, st, append([]func(*httpapi.Options){func(o *httpapi.Options) {
		o.Jobs, o.Mail, o.MailSealer = runner, sender, keys
		o.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	}}, adjust...)...)
	start := func() {
		runCtx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { runner.Run(runCtx); close(done) }()
		t.Cleanup(func() { stop(); <-done })
	}
	return &mailEnv{Env: e, box: box, offset: offset, start: start}
}

func (m *mailEnv) waitMail(t *testing.T, to, subject string) mailtest.Message {
	t.Helper()
	msg, ok := m.box.Wait(10*time.Second, func(x mailtest.Message) bool {
		return mailtest.To(to)(x) && strings.Contains(x.Subject, subject)
	})
	if !ok {
		t.Fatalf("no email %q to %s; have %d messages", subject, to, len(m.box.Messages()))
	}
	return msg
}

var (
	inviteLink = regexp.MustCompile(`/app/#invite/([A-Z0-9-]+)`)
	resetLink  = regexp.MustCompile(`/app/#reset/([A-Za-z0-9_-]+)`)
)

func TestInviteEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newMailEnv(t, st)
		res, err := e.Manager.AddMember(ctx, e.ProgramID, client.AddMember{Email: "Ann@Acme.test", Name: "Ann <b>"})
		if err != nil {
			t.Fatal(err)
		}
		if res.InviteCode == "" {
			t.Fatal("the answer lost its invite code")
		}
		// Queued in the add's transaction, sealed at rest: no code in it.
		js, err := st.ClaimJobs(ctx, "test", []string{httpapi.JobMail}, time.Now(), time.Minute, 10)
		if err != nil || len(js) != 1 {
			t.Fatalf("queued mail jobs: %v %v", js, err)
		}
		if strings.Contains(js[0].Payload, res.InviteCode) || !strings.Contains(js[0].Payload, `"sealed"`) {
			t.Fatalf("mail job payload not sealed: %s", js[0].Payload)
		}
		if err := st.RetryJob(ctx, js[0].ID, "test", time.Now(), ""); err != nil {
			t.Fatal(err)
		}
		e.start()
		msg := e.waitMail(t, "ann@acme.test", "Acme")
		m := inviteLink.FindStringSubmatch(msg.Text)
		if m == nil || m[1] != res.InviteCode || !strings.HasPrefix(msg.Text[strings.Index(msg.Text, "http"):], e.URL+"/app/#invite/") {
			t.Fatalf("invite link missing or wrong:\n%s", msg.Text)
		}
		if !strings.Contains(msg.HTML, "Ann &lt;b&gt;") || !strings.Contains(msg.Text, res.InviteCode) {
			t.Fatalf("html:\n%s", msg.HTML)
		}
		c := e.Client()
		if _, err := c.AcceptInvite(ctx, client.AcceptInvite{Code: m[1], Name: "Ann", Password: "ann-secret-1"}); err != nil {
			t.Fatalf("the mailed code does not accept: %v", err)
		}
	})
}

func TestForgotAndReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newMailEnv(t, st)
		e.start()
		_, first := e.AddMember("mo@acme.test", "UTC")
		second := e.SignIn("mo@acme.test")
		anon := e.Client()

		known, err := anon.ForgotPassword(ctx, "MO@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		unknown, err := anon.ForgotPassword(ctx, "nobody@acme.test")
		if err != nil || unknown != known {
			t.Fatalf("unknown address answered differently: %+v %v vs %+v", unknown, err, known)
		}
		msg := e.waitMail(t, "mo@acme.test", "Reset")
		m := resetLink.FindStringSubmatch(msg.Text)
		if m == nil || len(m[1]) < 43 || !strings.Contains(msg.HTML, e.URL+"/app/#reset/"+m[1]) {
			t.Fatalf("reset link:\n%s", msg.Text)
		}
		token := m[1]
		time.Sleep(200 * time.Millisecond)
		for _, x := range e.box.Messages() {
			if mailtest.To("nobody@acme.test")(x) {
				t.Fatal("mail sent to an unknown address")
			}
		}

		// The rules hold; a common password is refused with a clear message.
		_, err = anon.ResetPassword(ctx, token, "Password123")
		if fe := fieldErr(err, "new_password"); !strings.Contains(fe, "most common passwords") {
			t.Fatalf("common password: %v", err)
		}
		if _, err := anon.ResetPassword(ctx, "not-a-token", "mo-new-secret"); apitest.Code(err) != "not_found" {
			t.Fatalf("unknown token: %v", err)
		}
		s, err := anon.ResetPassword(ctx, " "+token+" ", "mo-new-secret")
		if err != nil {
			t.Fatal(err)
		}
		if s.User.Email != "mo@acme.test" || s.Token == "" {
			t.Fatalf("session %+v", s)
		}
		if _, err := anon.Me(ctx); err != nil {
			t.Fatalf("the new session: %v", err)
		}
		for i, c := range []*client.Client{first, second} {
			if _, err := c.Me(ctx); apitest.Code(err) != "unauthorized" {
				t.Fatalf("old session %d survived the reset: %v", i, err)
			}
		}
		if _, err := e.Client().Login(ctx, "mo@acme.test", apitest.Password); apitest.Code(err) != "unauthorized" {
			t.Fatalf("old password still signs in: %v", err)
		}
		if _, err := e.Client().Login(ctx, "mo@acme.test", "mo-new-secret"); err != nil {
			t.Fatalf("new password: %v", err)
		}
		if _, err := e.Client().ResetPassword(ctx, token, "mo-newer-secret"); apitest.Code(err) != "conflict" {
			t.Fatalf("used token: %v", err)
		}
		e.waitMail(t, "mo@acme.test", "was changed")

		// An hour later a link no longer works.
		if _, err := anon.ForgotPassword(ctx, "mo@acme.test"); err != nil {
			t.Fatal(err)
		}
		var late string
		waitFor(t, "a second reset email", func() bool {
			n := 0
			for _, x := range e.box.Messages() {
				if strings.Contains(x.Subject, "Reset") {
					n++
					late = resetLink.FindStringSubmatch(x.Text)[1]
				}
			}
			return n == 2
		})
		e.offset.Store(int64(time.Hour + time.Minute))
		if _, err := anon.ResetPassword(ctx, late, "mo-newer-secret"); apitest.Code(err) != "conflict" || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("expired token: %v", err)
		}
	})
}

func TestForgotRateLimit(t *testing.T) {
	st := storetest.SQLite(t)
	e := newMailEnv(t, st, func(o *httpapi.Options) { o.ResetsPerAddress = 6 })
	e.start()
	e.AddMember("lim@acme.test", "UTC")
	c := e.Client()
	for _, email := range []string{"lim@acme.test", "ghost@acme.test"} {
		for i := 0; i < 3; i++ {
			if _, err := c.ForgotPassword(ctx, email); err != nil {
				t.Fatalf("%s %d: %v", email, i, err)
			}
		}
		// Known or not, the fourth request for an address waits.
		_, err := c.ForgotPassword(ctx, email)
		if apitest.Code(err) != "rate_limited" {
			t.Fatalf("%s: %v, want rate_limited", email, err)
		}
	}
	// And the client address has its own budget (6 here) across addresses.
	_, err := c.ForgotPassword(ctx, "third@acme.test")
	if apitest.Code(err) != "rate_limited" {
		t.Fatalf("per address: %v", err)
	}
	var ce *client.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%T", err)
	}
	resp, _ := http.Post(e.URL+"/api/v1/auth/password/forgot", "application/json", strings.NewReader(`{"email":"x@acme.test"}`))
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("429 with Retry-After: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	resp.Body.Close()
}

func TestForgotWithoutEmail(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	if _, err := e.Client().ForgotPassword(ctx, "mgr@acme.test"); apitest.Code(err) != "conflict" || !strings.Contains(err.Error(), "does not send email") {
		t.Fatalf("%v", err)
	}
}

func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newMailEnv(t, st)
		e.start()
		_, mine := e.AddMember("cy@acme.test", "Asia/Shanghai")
		other := e.SignIn("cy@acme.test")

		err := mine.ChangePassword(ctx, "wrong-password", "cy-new-secret")
		if fe := fieldErr(err, "current_password"); fe == "" {
			t.Fatalf("wrong current password: %v", err)
		}
		if _, err := mine.Me(ctx); err != nil {
			t.Fatalf("a wrong current password ended the session: %v", err)
		}
		if fe := fieldErr(mine.ChangePassword(ctx, apitest.Password, "iloveyou1"), "new_password"); !strings.Contains(fe, "common") {
			t.Fatalf("common password: %q", fe)
		}
		if fe := fieldErr(mine.ChangePassword(ctx, apitest.Password, "short"), "new_password"); !strings.Contains(fe, "at least 8") {
			t.Fatalf("short password: %q", fe)
		}
		if err := mine.ChangePassword(ctx, apitest.Password, "cy-new-secret"); err != nil {
			t.Fatal(err)
		}
		if _, err := mine.Me(ctx); err != nil {
			t.Fatalf("the caller's session ended: %v", err)
		}
		if _, err := other.Me(ctx); apitest.Code(err) != "unauthorized" {
			t.Fatalf("the other session survived: %v", err)
		}
		if _, err := e.Client().Login(ctx, "cy@acme.test", "cy-new-secret"); err != nil {
			t.Fatalf("new password: %v", err)
		}
		msg := e.waitMail(t, "cy@acme.test", "was changed")
		if !strings.Contains(msg.Text, "CST") { // in the person's zone
			t.Errorf("notice time not in the person's zone:\n%s", msg.Text)
		}
		// The changed password is the one checked next time.
		if err := mine.ChangePassword(ctx, apitest.Password, "cy-newer-secret"); fieldErr(err, "current_password") == "" {
			t.Fatalf("old password accepted as current: %v", err)
		}
	})
}

func fieldErr(err error, field string) string {
	var ce *client.Error
	if !errors.As(err, &ce) {
		return ""
	}
	return ce.Fields[field]
}
