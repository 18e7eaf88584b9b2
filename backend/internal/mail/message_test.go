package mail

import (
	"strings"
	"testing"
	"time"
)

func TestInviteBothLanguages(t *testing.T) {
	exp := time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ locale, subject, button string }{
		{"en", "You're invited to Acme & Co <Sales> on Chorus", "Accept the invitation"},
		{"zh-Hans", "邀请您加入 Chorus 上的 Acme & Co <Sales>", "接受邀请"},
	} {
		m := InviteMessage(Invite{To: "ann@example.com", Locale: tc.locale, Name: `Ann <script>alert(1)</script>`, Program: "Acme & Co <Sales>",
			Code: "ABCDE-FGHJK", Link: "https://chorus.example.com/app/#invite/ABCDE-FGHJK", Expires: exp})
		if m.Subject != tc.subject {
			t.Errorf("%s subject %q", tc.locale, m.Subject)
		}
		if m.To != "ann@example.com" {
			t.Errorf("to %q", m.To)
		}
		for _, part := range []string{m.Text, m.HTML} {
			for _, want := range []string{"ABCDE-FGHJK", "https://chorus.example.com/app/#invite/ABCDE-FGHJK", tc.button} {
				if !strings.Contains(part, want) {
					t.Errorf("%s: %q missing from\n%s", tc.locale, want, part)
				}
			}
		}
		// What someone typed is escaped in HTML, kept as typed in text.
		if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "Ann &lt;script&gt;") {
			t.Errorf("%s: name not escaped in HTML:\n%s", tc.locale, m.HTML)
		}
		if !strings.Contains(m.HTML, "Acme &amp; Co &lt;Sales&gt;") {
			t.Errorf("%s: program not escaped in HTML", tc.locale)
		}
		if !strings.Contains(m.Text, "Ann <script>alert(1)</script>") || !strings.Contains(m.Text, "Acme & Co <Sales>") {
			t.Errorf("%s: text should carry the names as typed:\n%s", tc.locale, m.Text)
		}
		if !strings.Contains(m.HTML, `href="https://chorus.example.com/app/#invite/ABCDE-FGHJK"`) {
			t.Errorf("%s: link not in an href", tc.locale)
		}
		if !strings.Contains(m.HTML, `lang="`+tc.locale+`"`) {
			t.Errorf("%s: html lang", tc.locale)
		}
	}
}

func TestResetAndChanged(t *testing.T) {
	r := ResetMessage(Reset{To: "bo@example.com", Locale: "zh-Hans", Name: "", Token: "tok_123", Link: "https://x.test/app/#reset/tok_123", Valid: time.Hour})
	if r.Subject != "重置您的 Chorus 密码" || !strings.Contains(r.Text, "1 小时") || !strings.Contains(r.Text, "bo，您好") {
		t.Errorf("zh reset:\n%s\n%s", r.Subject, r.Text)
	}
	for _, part := range []string{r.Text, r.HTML} {
		if !strings.Contains(part, "https://x.test/app/#reset/tok_123") || !strings.Contains(part, "tok_123") {
			t.Errorf("reset link or token missing:\n%s", part)
		}
	}
	r = ResetMessage(Reset{To: "bo@example.com", Locale: "fr", Name: "Bo", Token: "t", Link: "https://x.test/app/#reset/t", Valid: time.Hour})
	if r.Subject != "Reset your Chorus password" || !strings.Contains(r.Text, "within 1 hour") {
		t.Errorf("en fallback:\n%s", r.Text)
	}
	at := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	c := PasswordChangedMessage(PasswordChanged{To: "bo@example.com", Locale: "en", Name: "Bo & Al", At: at, Zone: "Asia/Shanghai"})
	if c.Subject != "Your Chorus password was changed" || !strings.Contains(c.Text, "2 January 2026 11:04 CST") || !strings.Contains(c.HTML, "Bo &amp; Al") {
		t.Errorf("changed:\n%s\n%s", c.Text, c.HTML)
	}
	if strings.Contains(c.HTML, "<a ") {
		t.Error("the notice carries no link")
	}
	c = PasswordChangedMessage(PasswordChanged{To: "bo@example.com", Locale: "zh-Hans", At: at, Zone: "Asia/Shanghai"})
	if !strings.Contains(c.Text, "2026年1月2日 11:04") {
		t.Errorf("zh time:\n%s", c.Text)
	}
}
