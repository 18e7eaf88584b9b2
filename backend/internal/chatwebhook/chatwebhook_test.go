package chatwebhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/chatwebhook"
	"github.com/chorus-advocacy/chorus/backend/internal/chatwebhook/chatwebhooktest"
	"github.com/chorus-advocacy/chorus/backend/internal/netguard"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
)

var ctx = context.Background()

var act = chatwebhook.Activity{Program: "Acme", Title: "Share *our* launch", ImageURL: "https://chorus.example/p/1.jpg", Link: "https://chorus.example/app/#activity/act1"}

func TestSlackMessage(t *testing.T) {
	var m struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(chatwebhook.SlackMessage(act), &m); err != nil {
		t.Fatal(err)
	}
	if m.Text != "New activity in Acme: Share *our* launch" || len(m.Blocks) != 4 {
		t.Fatalf("message: %+v", m)
	}
	if m.Blocks[2]["type"] != "image" || m.Blocks[2]["image_url"] != act.ImageURL {
		t.Fatalf("picture: %+v", m.Blocks[2])
	}
	b, _ := json.Marshal(m.Blocks[3])
	if !strings.Contains(string(b), act.Link) {
		t.Fatalf("button: %s", b)
	}
	// The text block is plain text: no markup from the activity.
	if m.Blocks[1]["text"].(map[string]any)["type"] != "plain_text" {
		t.Fatalf("text block: %+v", m.Blocks[1])
	}
	zh := chatwebhook.SlackMessage(chatwebhook.Activity{Locale: "zh-Hans", Program: "Acme", Title: strings.Repeat("长", 5000), Link: "l"})
	if err := json.Unmarshal(zh, &m); err != nil || !strings.HasPrefix(m.Text, "Acme 有新活动") || len(m.Blocks) != 3 || len([]rune(m.Text)) > 1600 {
		t.Fatalf("zh, no picture, long text: %d blocks, %d runes", len(m.Blocks), len([]rune(m.Text)))
	}
}

func TestTeamsMessage(t *testing.T) {
	var m struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string `json:"contentType"`
			Content     struct {
				Type    string           `json:"type"`
				Body    []map[string]any `json:"body"`
				Actions []map[string]any `json:"actions"`
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(chatwebhook.TeamsMessage(act), &m); err != nil {
		t.Fatal(err)
	}
	if m.Type != "message" || len(m.Attachments) != 1 || m.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" {
		t.Fatalf("message: %+v", m)
	}
	c := m.Attachments[0].Content
	if c.Type != "AdaptiveCard" || len(c.Body) != 3 || c.Body[1]["text"] != `Share \*our\* launch` || c.Body[2]["url"] != act.ImageURL ||
		len(c.Actions) != 1 || c.Actions[0]["url"] != act.Link {
		t.Fatalf("card: %+v", c)
	}
}

func TestSender(t *testing.T) {
	rx := chatwebhooktest.New()
	defer rx.Close()
	slack, teams := rx.NewHook("slack"), rx.NewHook("teams")
	s := chatwebhook.NewSender(chatwebhook.Options{AllowLoopback: true, Timeout: 2 * time.Second})
	if err := s.Post(ctx, slack, chatwebhook.SlackMessage(act)); err != nil {
		t.Fatal(err)
	}
	if err := s.Post(ctx, teams, chatwebhook.TeamsMessage(act)); err != nil {
		t.Fatal(err)
	}
	if p := rx.Posts(slack); len(p) != 1 || p[0].Kind != "slack" {
		t.Fatalf("slack posts: %+v", p)
	}
	if p := rx.Posts(teams); len(p) != 1 || p[0].Kind != "teams" {
		t.Fatalf("teams posts: %+v", p)
	}
	// A year's Retry-After is honoured as push.MaxRetryAfter at most.
	rx.Throttle(slack, 1, "31536000")
	var rl *chatwebhook.RateLimited
	if err := s.Post(ctx, slack, chatwebhook.SlackMessage(act)); !errors.As(err, &rl) || rl.After != push.MaxRetryAfter {
		t.Fatalf("throttled: %v", err)
	}
	rx.Remove(teams)
	if err := s.Post(ctx, teams, chatwebhook.TeamsMessage(act)); !errors.Is(err, chatwebhook.ErrGone) || strings.Contains(err.Error(), "hooks/") {
		t.Fatalf("removed hook: %v", err)
	}
	// Slow: the timeout ends it.
	rx.Slow(slack, 3*time.Second)
	if err := s.Post(ctx, slack, chatwebhook.SlackMessage(act)); err == nil || strings.Contains(err.Error(), "hooks/") {
		t.Fatalf("slow hook: %v", err)
	}
	// Without the loopback switch, the guard refuses this machine.
	guarded := chatwebhook.NewSender(chatwebhook.Options{})
	if err := guarded.Post(ctx, teams, chatwebhook.TeamsMessage(act)); !errors.Is(err, netguard.ErrBlocked) || !errors.Is(err, chatwebhook.ErrGone) {
		t.Fatalf("loopback without the switch: %v", err)
	}
}
