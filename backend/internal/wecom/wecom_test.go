package wecom_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chorus-advocacy/chorus/backend/internal/wecom"
	"github.com/chorus-advocacy/chorus/backend/internal/wecom/wecomtest"
)

var ctx = context.Background()

func newClient(t *testing.T, f *wecomtest.Server) *wecom.Client {
	t.Helper()
	c, err := wecom.New(wecom.Config{CorpID: f.CorpID, Secret: f.Secret, AgentID: f.AgentID, BaseURL: f.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestActivityCard(t *testing.T) {
	c := wecom.ActivityCard("ann", wecom.Activity{Locale: "zh-Hans", Program: "Acme", Title: "Share <b>our</b> launch", Link: "https://chorus.example/s/abc"})
	if c.ToUser != "ann" || c.Title != "Acme 有新活动" || c.ButtonText != "打开" || c.URL != "https://chorus.example/s/abc" {
		t.Fatalf("card: %+v", c)
	}
	if !strings.Contains(c.Description, "Share &lt;b&gt;our&lt;/b&gt; launch") || strings.Contains(c.Description, "<b>") {
		t.Fatalf("description not escaped: %q", c.Description)
	}
	en := wecom.ActivityCard("bo", wecom.Activity{Locale: "fr", Program: "Acme", Title: "x", Link: "l"})
	if en.Title != "New in Acme" || en.ButtonText != "Open" {
		t.Fatalf("fallback language: %+v", en)
	}
	long := wecom.ActivityCard("bo", wecom.Activity{Program: strings.Repeat("程", 100), Title: strings.Repeat("\"&", 400), Link: "l"})
	if len(long.Title) > 128 || len(long.Description) > 512 || !utf8.ValidString(long.Title) || !strings.HasSuffix(long.Description, "</div>") {
		t.Fatalf("limits: title %d, description %d: %q", len(long.Title), len(long.Description), long.Description)
	}
}

func TestSendAndTokens(t *testing.T) {
	f := wecomtest.New()
	defer f.Close()
	f.AddUser("ann", "ann@acme.test")
	c := newClient(t, f)
	card := wecom.ActivityCard("ann", wecom.Activity{Program: "Acme", Title: "one", Link: "https://x.test/s/1"})
	if err := c.SendTextCard(ctx, card); err != nil {
		t.Fatal(err)
	}
	card2 := wecom.ActivityCard("ann", wecom.Activity{Program: "Acme", Title: "two", Link: "https://x.test/s/2"})
	if err := c.SendTextCard(ctx, card2); err != nil {
		t.Fatal(err)
	}
	if tok, send := f.Calls(); tok != 1 || send != 2 {
		t.Fatalf("token fetched %d times for %d sends: want one, cached", tok, send)
	}
	// Expired (42001): a new token, and the card goes.
	f.ExpireTokens()
	card3 := wecom.ActivityCard("ann", wecom.Activity{Program: "Acme", Title: "three", Link: "https://x.test/s/3"})
	if err := c.SendTextCard(ctx, card3); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if tok, _ := f.Calls(); tok != 2 {
		t.Fatalf("token calls after expiry: %d", tok)
	}
	if cards := f.Cards(); len(cards) != 3 || cards[2].Title != "New in Acme" || !strings.Contains(cards[2].Description, "three") {
		t.Fatalf("cards: %+v", cards)
	}
	// A token the server never issued (another instance's, or a restart
	// of WeCom's side) is 40014: same treatment.
	other := newClient(t, f)
	_ = other.SendTextCard(ctx, card)
	// Rate limit: ErrRateLimited, nothing recorded.
	f.Throttle(1)
	if err := c.SendTextCard(ctx, wecom.ActivityCard("ann", wecom.Activity{Program: "Acme", Title: "four", Link: "l4"})); !errors.Is(err, wecom.ErrRateLimited) {
		t.Fatalf("throttled: %v", err)
	}
	// Unknown user.
	if err := c.SendTextCard(ctx, wecom.ActivityCard("nobody", wecom.Activity{Program: "Acme", Title: "five", Link: "l5"})); !errors.Is(err, wecom.ErrUnknownUser) {
		t.Fatalf("unknown user: %v", err)
	}
	// Wrong secret: permanent, and the secret is not in the error.
	bad, _ := wecom.New(wecom.Config{CorpID: f.CorpID, Secret: "wrong-secret", AgentID: f.AgentID, BaseURL: f.URL()})
	err := bad.SendTextCard(ctx, card)
	if !wecom.Permanent(err) || strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("bad secret: %v", err)
	}
}

func TestUserIDByEmail(t *testing.T) {
	f := wecomtest.New()
	defer f.Close()
	f.AddUser("ann.li", "Ann@Acme.test")
	c := newClient(t, f)
	if id, err := c.UserIDByEmail(ctx, "ann@acme.test"); err != nil || id != "ann.li" {
		t.Fatalf("by email: %q %v", id, err)
	}
	if _, err := c.UserIDByEmail(ctx, "who@acme.test"); !errors.Is(err, wecom.ErrNotFound) {
		t.Fatalf("unknown email: %v", err)
	}
}

func TestConfig(t *testing.T) {
	if _, err := wecom.New(wecom.Config{}); err == nil || !strings.Contains(err.Error(), "corp id, secret, agent id") {
		t.Fatalf("empty config: %v", err)
	}
}
