// Package chatwebhook posts new activities to a program's Slack and
// Microsoft Teams channels through their incoming webhooks: one message per
// activity with its picture and a link to the app, and nothing about any
// member. The builders are pure; the sender posts JSON through the
// dial-time guard (netguard), because a webhook URL is an address a manager
// typed. chatwebhooktest is a recording receiver for tests and the demo.
package chatwebhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/netguard"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
)

// Kinds of webhook.
const (
	Slack = "slack"
	Teams = "teams"
)

// Activity is what the channel is told.
type Activity struct {
	Locale   string // the program's language for the channel ("" = en)
	Program  string
	Title    string
	ImageURL string // a public picture, or ""
	Link     string // the activity in the app
}

type words struct{ heading, button, alt string }

var languages = map[string]words{
	"en":      {heading: "New activity in {program}", button: "Open in Chorus", alt: "The activity's picture"},
	"zh-Hans": {heading: "{program} 有新活动", button: "在 Chorus 中打开", alt: "活动图片"},
}

func wordsFor(l string) words {
	if w, ok := languages[l]; ok {
		return w
	}
	return languages["en"]
}

// maxText bounds the activity text in a message: both services refuse
// very long ones, and a channel wants a glance, not the whole text.
const maxText = 1500

func clip(s string) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) <= maxText {
		return s
	}
	return string(r[:maxText-1]) + "…"
}

// SlackMessage is the Block Kit payload for Slack: a heading, the text, the
// picture and a button, with a plain fallback for notifications.
func SlackMessage(a Activity) []byte {
	w := wordsFor(a.Locale)
	heading := strings.ReplaceAll(w.heading, "{program}", a.Program)
	text := clip(a.Title)
	blocks := []map[string]any{
		{"type": "header", "text": map[string]any{"type": "plain_text", "text": clipTo(heading, 150), "emoji": false}},
		{"type": "section", "text": map[string]any{"type": "plain_text", "text": orDash(text), "emoji": false}},
	}
	if a.ImageURL != "" {
		blocks = append(blocks, map[string]any{"type": "image", "image_url": a.ImageURL, "alt_text": w.alt})
	}
	blocks = append(blocks, map[string]any{"type": "actions", "elements": []map[string]any{{
		"type": "button", "text": map[string]any{"type": "plain_text", "text": w.button}, "url": a.Link, "style": "primary"}}})
	b, _ := json.Marshal(map[string]any{"text": heading + ": " + text, "blocks": blocks, "unfurl_links": false})
	return b
}

// TeamsMessage is an Adaptive Card in a message, the payload Teams'
// incoming webhooks (Workflows, and the older connectors) take.
func TeamsMessage(a Activity) []byte {
	w := wordsFor(a.Locale)
	heading := strings.ReplaceAll(w.heading, "{program}", a.Program)
	body := []map[string]any{
		{"type": "TextBlock", "text": heading, "weight": "Bolder", "size": "Medium", "wrap": true},
		{"type": "TextBlock", "text": orDash(escapeMarkdown(clip(a.Title))), "wrap": true},
	}
	if a.ImageURL != "" {
		body = append(body, map[string]any{"type": "Image", "url": a.ImageURL, "altText": w.alt, "size": "Large"})
	}
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
		"body":    body,
		"actions": []map[string]any{{"type": "Action.OpenUrl", "title": w.button, "url": a.Link}},
	}
	b, _ := json.Marshal(map[string]any{"type": "message", "attachments": []map[string]any{{
		"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": nil, "content": card}}})
	return b
}

// Message builds the payload for a kind of webhook.
func Message(kind string, a Activity) ([]byte, error) {
	switch kind {
	case Slack:
		return SlackMessage(a), nil
	case Teams:
		return TeamsMessage(a), nil
	}
	return nil, fmt.Errorf("chatwebhook: unknown kind %q", kind)
}

// escapeMarkdown keeps an activity's text from becoming Teams markdown
// (links, emphasis) the manager did not mean.
func escapeMarkdown(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "`", "\\`", "#", `\#`)
	return r.Replace(s)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func clipTo(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Sender posts payloads to webhook URLs.
type Sender struct{ client *http.Client }

// Options configure a Sender.
type Options struct {
	// AllowLoopback lets the sender reach webhooks on this machine (the
	// demo's and the tests' receivers); never in production.
	AllowLoopback bool
	// Timeout caps one post (default 15 s).
	Timeout time.Duration
}

// NewSender makes a sender whose connections go through netguard.
func NewSender(o Options) *Sender {
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	g := netguard.Guard{}
	if o.AllowLoopback {
		g.Allow = netguard.Loopback
	}
	return &Sender{client: &http.Client{
		Timeout: o.Timeout,
		Transport: &http.Transport{
			Proxy:                  nil, // a proxy would hide the address from the guard
			DialContext:            g.Dialer(10 * time.Second).DialContext,
			ForceAttemptHTTP2:      true,
			TLSHandshakeTimeout:    10 * time.Second,
			ResponseHeaderTimeout:  o.Timeout,
			MaxResponseHeaderBytes: 64 << 10,
			IdleConnTimeout:        90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// ErrGone is wrapped when the webhook no longer exists or was refused for
// good (404, 410, 403, a 400 about the payload): a manager must set a new one.
var ErrGone = errors.New("chatwebhook: webhook refused for good")

// RateLimited is a 429 (or 503 with Retry-After): wait After, at most
// push.MaxRetryAfter.
type RateLimited struct {
	Status int
	After  time.Duration
}

func (r *RateLimited) Error() string {
	return fmt.Sprintf("chatwebhook: HTTP %d, retry after %s", r.Status, r.After)
}

// Post sends one payload. The URL is never in the error: it is a credential.
func (s *Sender) Post(ctx context.Context, url string, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("%w: not a URL", ErrGone)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		if errors.Is(err, netguard.ErrBlocked) {
			return fmt.Errorf("%w: %w", ErrGone, netguard.ErrBlocked)
		}
		return fmt.Errorf("chatwebhook: post: %w", unwrapURL(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 2<<10))
	sc := resp.StatusCode
	switch {
	case sc >= 200 && sc < 300:
		return nil
	case sc == http.StatusTooManyRequests || (sc >= 500 && resp.Header.Get("Retry-After") != ""):
		d, ok := push.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		if !ok {
			d = 30 * time.Second
		}
		return &RateLimited{Status: sc, After: d}
	case sc == http.StatusNotFound || sc == http.StatusGone || sc == http.StatusForbidden || sc == http.StatusBadRequest ||
		(sc >= 300 && sc < 400):
		return fmt.Errorf("%w: HTTP %d %s", ErrGone, sc, strings.TrimSpace(string(body)))
	}
	return fmt.Errorf("chatwebhook: HTTP %d %s", sc, strings.TrimSpace(string(body)))
}

// unwrapURL drops the URL (a credential) from a transport error.
func unwrapURL(err error) error {
	var ue *neturl.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
