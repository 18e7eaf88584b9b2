package tiktok

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"Sun, 01 Mar 2026 12:00:30 GMT": 30 * time.Second,
		"Sun, 01 Mar 2026 11:59:00 GMT": 0,
	}
	for in, want := range tests {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestClassification(t *testing.T) {
	wrap := func(e error) error { return fmt.Errorf("staging job 7: %w", e) }
	tests := []struct {
		name         string
		err          error
		rateLimited  bool
		tokenInvalid bool
		reconnect    bool
		retryable    bool
	}{
		{"nil", nil, false, false, false, false},
		{"429 with code", &APIError{HTTPStatus: 429, Code: CodeRateLimitExceeded}, true, false, false, true},
		{"429 without body", &APIError{HTTPStatus: 429}, true, false, false, true},
		{"access_token_invalid", &APIError{HTTPStatus: 401, Code: CodeAccessTokenInvalid}, false, true, false, false},
		{"bare 401", &APIError{HTTPStatus: 401}, false, true, false, false},
		{"scope_not_authorized is 401 but needs reconnect", &APIError{HTTPStatus: 401, Code: CodeScopeNotAuthorized}, false, false, true, false},
		{"invalid_client is 401 but not the token", &APIError{HTTPStatus: 401, Code: CodeInvalidClient}, false, false, false, false},
		{"invalid_grant", &APIError{HTTPStatus: 400, Code: CodeInvalidGrant}, false, false, true, false},
		{"spam refusal", &APIError{HTTPStatus: 403, Code: CodeSpamRiskTooManyPending}, false, false, false, false},
		{"invalid_params", &APIError{HTTPStatus: 400, Code: CodeInvalidParams}, false, false, false, false},
		{"503", &APIError{HTTPStatus: 503}, false, false, false, true},
		{"408", &APIError{HTTPStatus: 408}, false, false, false, true},
		{"deadline", &networkError{endpoint: "upload", err: context.DeadlineExceeded}, false, false, false, true},
		{"internal_error", &APIError{HTTPStatus: 500, Code: CodeInternalError}, false, false, false, true},
		{"network", &networkError{endpoint: "init", err: errors.New("connection reset")}, false, false, false, true},
		{"canceled", fmt.Errorf("tiktok init: %w", context.Canceled), false, false, false, false},
		{"plan", fmt.Errorf("%w: bad", ErrInvalidPlan), false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, err := range []error{tt.err, wrap(tt.err)} {
				if tt.err == nil {
					err = nil
				}
				if _, ok := IsRateLimited(err); ok != tt.rateLimited {
					t.Errorf("IsRateLimited(%v) = %v", err, ok)
				}
				if got := IsTokenInvalid(err); got != tt.tokenInvalid {
					t.Errorf("IsTokenInvalid(%v) = %v", err, got)
				}
				if got := NeedsReconnect(err); got != tt.reconnect {
					t.Errorf("NeedsReconnect(%v) = %v", err, got)
				}
				if got := Retryable(err); got != tt.retryable {
					t.Errorf("Retryable(%v) = %v", err, got)
				}
			}
		})
	}
}

func TestRateLimitWait(t *testing.T) {
	if d, _ := IsRateLimited(&APIError{HTTPStatus: 429, RetryAfter: 3 * time.Second}); d != 3*time.Second {
		t.Errorf("Retry-After not honoured: %v", d)
	}
	if d, _ := IsRateLimited(&APIError{HTTPStatus: 429}); d != DefaultRateLimitWait {
		t.Errorf("default wait %v", d)
	}
}

func TestUserMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&APIError{HTTPStatus: 403, Code: CodeSpamRiskTooManyPending}, "Finish or delete your pending TikTok drafts first, then try again."},
		{&APIError{HTTPStatus: 429, Code: CodeRateLimitExceeded}, msgRateLimited},
		{&APIError{HTTPStatus: 401}, userMessages[CodeAccessTokenInvalid]},
		{&APIError{HTTPStatus: 502}, msgUnavailable},
		{&networkError{endpoint: "upload", err: errors.New("reset")}, msgUnavailable},
		{&APIError{HTTPStatus: 418, Code: "something_new"}, msgGeneric},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := UserMessage(tt.err); got != tt.want {
			t.Errorf("UserMessage(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	// Every refusal we know gets its own sentence, not the generic one.
	for code := range userMessages {
		if got := UserMessage(&APIError{HTTPStatus: 400, Code: code}); got == msgGeneric || got == "" {
			t.Errorf("code %s has no specific message", code)
		}
	}
}

func TestErrorsIs(t *testing.T) {
	err := fmt.Errorf("job: %w", &APIError{HTTPStatus: 403, Code: CodeSpamRiskTooManyPending, LogID: "x"})
	if !errors.Is(err, ErrPendingShares) {
		t.Error("errors.Is(err, ErrPendingShares) = false")
	}
	if errors.Is(err, ErrRateLimited) {
		t.Error("spam refusal matched ErrRateLimited")
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.HTTPStatus != http.StatusForbidden || ae.LogID != "x" {
		t.Errorf("errors.As = %+v", ae)
	}
}

func TestFailReasonMessage(t *testing.T) {
	if FailReasonMessage("duration_check_failed") == FailReasonMessage("never_heard_of_it") {
		t.Error("known fail_reason got the generic message")
	}
}

func TestNewValidates(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{ClientKey: "k"},
		{ClientKey: "k", ClientSecret: "s", APIBaseURL: "open.tiktokapis.com"},
		{ClientKey: "k", ClientSecret: "s", AuthBaseURL: "ftp://x"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	c, err := New(Config{ClientKey: "k", ClientSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.AuthorizeURL("st", "https://chorus.example/oauth/tiktok/callback", "ch"); got[:len(DefaultAuthBaseURL)] != DefaultAuthBaseURL {
		t.Errorf("default auth URL: %s", got)
	}
}
