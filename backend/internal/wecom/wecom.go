// Package wecom sends WeCom (企业微信) application messages: a text card per
// member, linking to their share page. It speaks WeCom's documented server
// API: gettoken (corp id + the application's secret; the token is cached
// until it expires and fetched again when WeCom says it expired, 42001, or
// is not valid, 40014), message/send (msgtype textcard) and
// user/get_userid_by_email (matching a member by email). wecomtest is a fake
// of those endpoints for tests and `serve --demo`.
package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// DefaultBaseURL is WeCom's API.
const DefaultBaseURL = "https://qyapi.weixin.qq.com"

// WeCom error codes this package acts on (developer.work.weixin.qq.com,
// 全局错误码).
const (
	CodeOK               = 0
	CodeBusy             = -1    // system busy: try again
	CodeInvalidSecret    = 40001 // wrong corpsecret
	CodeInvalidUserID    = 40003 // no such user
	CodeInvalidToken     = 40014 // access_token not valid
	CodeTokenMissing     = 41001
	CodeTokenExpired     = 42001 // access_token expired
	CodeRateLimited      = 45009 // API call frequency over the limit
	CodeUserNotFound     = 46004 // no such member
	CodeEmailNotFound    = 60111 // no member with this email (get_userid_by_email)
	CodeInvalidCorpID    = 40013
	CodeNoPrivilege      = 48002 // the application may not call this API
	CodeOutOfRange       = 60020 // the server's IP is not on the application's allow list
	CodeAppNotAuthorized = 301002
	CodeAllInvalid       = 81013 // no valid recipient in touser/toparty/totag
)

// RateLimitWait is how long a sender waits after 45009: WeCom names no
// time, and its per-minute limits reset within a minute.
const RateLimitWait = time.Minute

// Config says how to reach WeCom.
type Config struct {
	CorpID  string
	Secret  string // the application's secret
	AgentID int64
	BaseURL string // DefaultBaseURL when empty
	// HTTPClient defaults to one with a 15 s timeout.
	HTTPClient *http.Client
	// Now defaults to time.Now (token expiry).
	Now func() time.Time
}

// Client calls WeCom. Safe for concurrent use.
type Client struct {
	c    Config
	base string
	http *http.Client

	mu      sync.Mutex
	token   string
	expires time.Time
	fetch   chan struct{} // closed when a fetch under way ends
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	var missing []string
	if strings.TrimSpace(cfg.CorpID) == "" {
		missing = append(missing, "corp id")
	}
	if strings.TrimSpace(cfg.Secret) == "" {
		missing = append(missing, "secret")
	}
	if cfg.AgentID <= 0 {
		missing = append(missing, "agent id (a positive number)")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("wecom: missing %s", strings.Join(missing, ", "))
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("wecom: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	return &Client{c: cfg, base: base, http: hc}, nil
}

// Error is an answer of WeCom with a non-zero errcode.
type Error struct {
	Code    int
	Message string
	API     string
}

func (e *Error) Error() string {
	return fmt.Sprintf("wecom %s: errcode %d: %s", e.API, e.Code, e.Message)
}

// ErrRateLimited is wrapped by errors of calls WeCom refused for their
// frequency (45009); the caller waits RateLimitWait.
var ErrRateLimited = errors.New("wecom: rate limited")

// ErrUnknownUser is wrapped when the recipient is not a member WeCom knows
// (or not in the application's visible range): retrying cannot help.
var ErrUnknownUser = errors.New("wecom: unknown user")

// ErrNotFound is UserIDByEmail's answer for an address WeCom has no member for.
var ErrNotFound = errors.New("wecom: no member with this email")

// Permanent reports whether err is a refusal no retry fixes by itself:
// wrong credentials or permissions need the settings fixed.
func Permanent(err error) bool {
	var we *Error
	if !errors.As(err, &we) {
		return false
	}
	switch we.Code {
	case CodeInvalidSecret, CodeInvalidCorpID, CodeNoPrivilege, CodeOutOfRange, CodeAppNotAuthorized:
		return true
	}
	return false
}

type apiAnswer struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// accessToken returns the cached token, fetching one when there is none
// or it is about to expire; concurrent callers share one fetch.
func (c *Client) accessToken(ctx context.Context, stale string) (string, error) {
	for {
		c.mu.Lock()
		now := c.c.Now()
		if c.token != "" && c.token != stale && now.Before(c.expires) {
			t := c.token
			c.mu.Unlock()
			return t, nil
		}
		if c.fetch != nil {
			ch := c.fetch
			c.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		ch := make(chan struct{})
		c.fetch = ch
		c.mu.Unlock()
		tok, ttl, err := c.getToken(ctx)
		c.mu.Lock()
		if err == nil {
			// Early by a minute or a tenth: a token must not expire on its way.
			c.token, c.expires = tok, now.Add(ttl-min(time.Minute, ttl/10))
		}
		c.fetch = nil
		close(ch)
		c.mu.Unlock()
		return tok, err
	}
}

func (c *Client) getToken(ctx context.Context) (string, time.Duration, error) {
	q := url.Values{"corpid": {c.c.CorpID}, "corpsecret": {c.c.Secret}}
	var out struct {
		apiAnswer
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := c.call(ctx, http.MethodGet, "/cgi-bin/gettoken?"+q.Encode(), nil, &out); err != nil {
		return "", 0, err
	}
	if err := answerErr("gettoken", out.apiAnswer); err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" || out.ExpiresIn <= 0 {
		return "", 0, errors.New("wecom gettoken: no token in the answer")
	}
	return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
}

// withToken calls fn with a token, and once more with a new one when WeCom
// says the token expired or is not valid (another instance may have
// fetched a new one, which ends ours).
func (c *Client) withToken(ctx context.Context, fn func(token string) error) error {
	tok, err := c.accessToken(ctx, "")
	if err != nil {
		return err
	}
	err = fn(tok)
	var we *Error
	if errors.As(err, &we) && (we.Code == CodeTokenExpired || we.Code == CodeInvalidToken || we.Code == CodeTokenMissing) {
		if tok, err = c.accessToken(ctx, tok); err != nil {
			return err
		}
		err = fn(tok)
	}
	return err
}

// TextCard is a text card message to one member.
type TextCard struct {
	ToUser      string
	Title       string // at most 128 bytes
	Description string // at most 512 bytes; WeCom's <div class="gray|normal|highlight"> allowed
	URL         string
	ButtonText  string // at most 4 characters
	// DuplicateCheck asks WeCom to drop the same card sent again within
	// this time (at most 4 h): a resend after a crash shows once.
	DuplicateCheck time.Duration
}

// SendTextCard sends a text card. An unknown recipient is ErrUnknownUser,
// a rate limit ErrRateLimited.
func (c *Client) SendTextCard(ctx context.Context, m TextCard) error {
	body := map[string]any{
		"touser": m.ToUser, "msgtype": "textcard", "agentid": c.c.AgentID,
		"textcard": map[string]string{"title": m.Title, "description": m.Description, "url": m.URL, "btntxt": m.ButtonText},
	}
	if m.DuplicateCheck > 0 {
		body["enable_duplicate_check"] = 1
		body["duplicate_check_interval"] = int(min(m.DuplicateCheck, 4*time.Hour) / time.Second)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.withToken(ctx, func(tok string) error {
		var out struct {
			apiAnswer
			InvalidUser string `json:"invaliduser"`
		}
		if err := c.call(ctx, http.MethodPost, "/cgi-bin/message/send?access_token="+url.QueryEscape(tok), b, &out); err != nil {
			return err
		}
		if err := answerErr("message/send", out.apiAnswer); err != nil {
			return err
		}
		if out.InvalidUser != "" {
			return fmt.Errorf("%w: %s", ErrUnknownUser, out.InvalidUser)
		}
		return nil
	})
}

// UserIDByEmail finds a member's user id by their email: the corporate
// address first, then a personal one bound to their account.
func (c *Client) UserIDByEmail(ctx context.Context, email string) (string, error) {
	for _, typ := range []int{1, 2} {
		b, _ := json.Marshal(map[string]any{"email": email, "email_type": typ})
		var id string
		err := c.withToken(ctx, func(tok string) error {
			var out struct {
				apiAnswer
				UserID string `json:"userid"`
			}
			if err := c.call(ctx, http.MethodPost, "/cgi-bin/user/get_userid_by_email?access_token="+url.QueryEscape(tok), b, &out); err != nil {
				return err
			}
			if err := answerErr("user/get_userid_by_email", out.apiAnswer); err != nil {
				return err
			}
			id = out.UserID
			return nil
		})
		var we *Error
		switch {
		case err == nil && id != "":
			return id, nil
		case err == nil, errors.As(err, &we) && (we.Code == CodeEmailNotFound || we.Code == CodeUserNotFound):
			continue
		default:
			return "", err
		}
	}
	return "", ErrNotFound
}

func answerErr(api string, a apiAnswer) error {
	switch a.ErrCode {
	case CodeOK:
		return nil
	case CodeRateLimited:
		return fmt.Errorf("%w: %w", ErrRateLimited, &Error{Code: a.ErrCode, Message: a.ErrMsg, API: api})
	case CodeInvalidUserID, CodeUserNotFound, CodeAllInvalid:
		return fmt.Errorf("%w: %w", ErrUnknownUser, &Error{Code: a.ErrCode, Message: a.ErrMsg, API: api})
	}
	return &Error{Code: a.ErrCode, Message: a.ErrMsg, API: api}
}

// call does one request and decodes the JSON answer (at most 64 KiB).
func (c *Client) call(ctx context.Context, method, path string, body []byte, out any) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return redact(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("wecom: HTTP %d", resp.StatusCode)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("wecom: answer is not JSON: %w", err)
	}
	return nil
}

// redact drops the URL from a transport error: it carries the secret or
// the token in its query.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("wecom: %s: %w", ue.Op, ue.Err)
	}
	return err
}

// Truncate cuts s to at most n bytes on a character boundary, with an
// ellipsis when cut: WeCom refuses over-long fields.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	if n < len(ell) {
		return ""
	}
	cut := n - len(ell)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}
