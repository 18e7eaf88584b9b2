package tiktok

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error codes TikTok returns. v2 API codes and their HTTP statuses come from
// [api-errors]; the spam_risk_* and publish codes from [upload] and [status];
// the OAuth codes from [oauth-errors] (RFC 6749 §4.1.2.1 and §5.2).
const (
	CodeOK                     = "ok"
	CodeAccessTokenInvalid     = "access_token_invalid"    // 401
	CodeScopeNotAuthorized     = "scope_not_authorized"    // 401
	CodeScopePermissionMissed  = "scope_permission_missed" // 400
	CodeRateLimitExceeded      = "rate_limit_exceeded"     // 429
	CodeInvalidParams          = "invalid_params"          // 400
	CodeInvalidFileUpload      = "invalid_file_upload"     // 400
	CodeInternalError          = "internal_error"          // 500
	CodeSpamRiskTooManyPending = "spam_risk_too_many_pending_share"
	CodeSpamRiskUserBanned     = "spam_risk_user_banned_from_posting"
	CodeSpamRiskTooManyPosts   = "spam_risk_too_many_posts"
	CodeSpamRisk               = "spam_risk"
	CodeSpamRiskText           = "spam_risk_text"
	CodeReachedActiveUserCap   = "reached_active_user_cap"

	CodeAccessDenied            = "access_denied"
	CodeInvalidClient           = "invalid_client"
	CodeInvalidGrant            = "invalid_grant"
	CodeInvalidRequest          = "invalid_request"
	CodeInvalidScope            = "invalid_scope"
	CodeUnauthorizedClient      = "unauthorized_client"
	CodeUnsupportedGrantType    = "unsupported_grant_type"
	CodeUnsupportedResponseType = "unsupported_response_type"
)

// DefaultRateLimitWait is used when a 429 carries no Retry-After. TikTok's
// posting limits are per-minute windows ([upload]: 6/min, [status]: 30/min),
// and waiting one whole window is the only wait sure to succeed without
// knowing where in the window the earlier calls fell.
const DefaultRateLimitWait = time.Minute

// APIError is a refusal from TikTok: an HTTP status plus TikTok's error code,
// message and log_id (which TikTok support asks for, so log it).
type APIError struct {
	HTTPStatus int
	Code       string
	Message    string
	LogID      string
	// RetryAfter is the parsed Retry-After header, zero when absent.
	RetryAfter time.Duration
	// Endpoint names the call that failed ("init", "token", …) for logs.
	Endpoint string
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("tiktok")
	if e.Endpoint != "" {
		b.WriteString(" " + e.Endpoint)
	}
	fmt.Fprintf(&b, ": HTTP %d", e.HTTPStatus)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.LogID != "" {
		b.WriteString(" (log_id " + e.LogID + ")")
	}
	return b.String()
}

// Is lets errors.Is match by code against the sentinels below, so callers
// can write errors.Is(err, tiktok.ErrPendingShares).
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	return ok && t.Code != "" && t.Code == e.Code && (t.HTTPStatus == 0 || t.HTTPStatus == e.HTTPStatus)
}

// Sentinels for errors.Is; they match any *APIError with the same code.
var (
	ErrTokenInvalid  = &APIError{Code: CodeAccessTokenInvalid}
	ErrRateLimited   = &APIError{Code: CodeRateLimitExceeded}
	ErrPendingShares = &APIError{Code: CodeSpamRiskTooManyPending}
	ErrInvalidGrant  = &APIError{Code: CodeInvalidGrant}
	ErrAccessDenied  = &APIError{Code: CodeAccessDenied}
)

// networkError marks failures where TikTok's answer never arrived complete
// (dial, TLS, reset, timeout, truncated body), so Retryable can tell them
// from a refusal.
type networkError struct {
	endpoint string
	err      error
}

func (e *networkError) Error() string { return "tiktok " + e.endpoint + ": " + e.err.Error() }
func (e *networkError) Unwrap() error { return e.err }

// IsRateLimited reports whether TikTok refused for rate limiting, and how long
// to wait: Retry-After when TikTok sent it, else DefaultRateLimitWait.
func IsRateLimited(err error) (retryAfter time.Duration, ok bool) {
	var ae *APIError
	if !errors.As(err, &ae) {
		return 0, false
	}
	if ae.HTTPStatus != http.StatusTooManyRequests && ae.Code != CodeRateLimitExceeded {
		return 0, false
	}
	if ae.RetryAfter > 0 {
		return ae.RetryAfter, true
	}
	return DefaultRateLimitWait, true
}

// IsTokenInvalid reports whether the access token was refused: the caller
// should refresh it and try once more. A missing scope also answers 401
// ([api-errors]) but refreshing cannot add a scope, so that is NeedsReconnect.
func IsTokenInvalid(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	if ae.Code == CodeAccessTokenInvalid {
		return true
	}
	return ae.HTTPStatus == http.StatusUnauthorized && !isScopeCode(ae.Code) && !isOAuthCode(ae.Code)
}

// NeedsReconnect reports whether only the member can fix this by connecting
// TikTok again: the refresh token is dead (invalid_grant), consent was
// refused, or a scope we need was not granted.
func NeedsReconnect(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	return ae.Code == CodeInvalidGrant || ae.Code == CodeAccessDenied || isScopeCode(ae.Code)
}

// Retryable reports whether the same request may succeed later unchanged:
// rate limits, TikTok 5xx and network failures. Everything else is final
// until something changes (a refreshed token, a reconnect, another file).
//
// A network error on InitInboxUpload may still have created the upload on
// TikTok's side; retrying then leaves one orphaned pending share, which
// TikTok expires on its own.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if _, ok := IsRateLimited(err); ok {
		return true
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatus >= 500 || ae.HTTPStatus == http.StatusRequestTimeout || ae.Code == CodeInternalError
	}
	var ne *networkError
	return errors.As(err, &ne)
}

func isScopeCode(code string) bool {
	return code == CodeScopeNotAuthorized || code == CodeScopePermissionMissed || code == CodeInvalidScope
}

func isOAuthCode(code string) bool {
	switch code {
	case CodeInvalidClient, CodeInvalidGrant, CodeInvalidRequest, CodeUnauthorizedClient, CodeUnsupportedGrantType:
		return true
	}
	return false
}

// userMessages are shown to members. They say what happened in the member's
// terms and what to do next; retries the system does on its own say so.
var userMessages = map[string]string{
	CodeSpamRiskTooManyPending: "Finish or delete your pending TikTok drafts first, then try again.",
	CodeSpamRiskUserBanned:     "TikTok is not letting your account post right now. Check your account status in the TikTok app.",
	CodeSpamRiskTooManyPosts:   "You have reached TikTok's daily posting limit. Try again tomorrow.",
	CodeSpamRisk:               "TikTok flagged this post as possible spam. Try again later.",
	CodeSpamRiskText:           "TikTok flagged this post as possible spam. Try again later.",
	CodeReachedActiveUserCap:   "TikTok's daily limit for Chorus has been reached. Try again tomorrow.",
	CodeAccessTokenInvalid:     "Your TikTok connection has expired. Reconnect TikTok in Chorus, then try again.",
	CodeInvalidGrant:           "Your TikTok connection is no longer valid. Reconnect TikTok in Chorus, then try again.",
	CodeScopeNotAuthorized:     "Chorus is not allowed to send videos to your TikTok. Reconnect TikTok and allow video uploads.",
	CodeScopePermissionMissed:  "Chorus is not allowed to send videos to your TikTok. Reconnect TikTok and allow video uploads.",
	CodeInvalidScope:           "Chorus is not allowed to send videos to your TikTok. Reconnect TikTok and allow video uploads.",
	CodeAccessDenied:           "TikTok was not connected because access was not allowed. Connect again and tap Authorize to send videos.",
	CodeInvalidFileUpload:      "TikTok could not accept this video file. Ask your program manager to check the video.",
	CodeInvalidParams:          "TikTok rejected the upload request. Please try again later; if it keeps failing, tell your program manager.",
	CodeInvalidClient:          "Chorus's TikTok connection is misconfigured. Please tell your program manager.",
	CodeUnauthorizedClient:     "Chorus's TikTok connection is misconfigured. Please tell your program manager.",
}

const (
	msgRateLimited = "TikTok asked us to slow down. We will try again automatically in a minute."
	msgUnavailable = "TikTok is not responding right now. We will keep trying."
	msgGeneric     = "Sending to TikTok failed. Please try again later."
)

// UserMessage turns any error from this package into one sentence a member
// can act on. APIError.Code is the stable key for translations.
func UserMessage(err error) string {
	if err == nil {
		return ""
	}
	if _, ok := IsRateLimited(err); ok {
		return msgRateLimited
	}
	var ae *APIError
	if errors.As(err, &ae) {
		if m, ok := userMessages[ae.Code]; ok {
			return m
		}
		if IsTokenInvalid(err) {
			return userMessages[CodeAccessTokenInvalid]
		}
	}
	if Retryable(err) {
		return msgUnavailable
	}
	return msgGeneric
}

// failReasonMessages cover the fail_reason values of a FAILED status
// ([status], "fail_reason" table), for the staging result shown to members.
var failReasonMessages = map[string]string{
	"file_format_check_failed":  "TikTok could not read this video's format.",
	"duration_check_failed":     "This video is too long or too short for TikTok.",
	"frame_rate_check_failed":   "This video's frame rate is not supported by TikTok.",
	"picture_size_check_failed": "This video's resolution is not supported by TikTok.",
	"internal":                  "TikTok had a problem processing this video. Try again later.",
	"video_pull_failed":         "TikTok could not fetch this video. Try again later.",
	"publish_cancelled":         "The TikTok draft was cancelled.",
	"auth_removed":              "Chorus's access to your TikTok was removed. Reconnect TikTok, then try again.",
	CodeSpamRiskTooManyPosts:    userMessages[CodeSpamRiskTooManyPosts],
	CodeSpamRiskUserBanned:      userMessages[CodeSpamRiskUserBanned],
	CodeSpamRiskTooManyPending:  userMessages[CodeSpamRiskTooManyPending],
	CodeSpamRisk:                userMessages[CodeSpamRisk],
	CodeSpamRiskText:            userMessages[CodeSpamRiskText],
	CodeReachedActiveUserCap:    userMessages[CodeReachedActiveUserCap],
	"unaudited_client_can_only_post_to_private_accounts": "Chorus's TikTok app is not yet approved by TikTok. Please tell your program manager.",
}

// FailReasonMessage explains a FAILED status's fail_reason to a member.
func FailReasonMessage(reason string) string {
	if m, ok := failReasonMessages[reason]; ok {
		return m
	}
	return "TikTok could not stage this video. Try again later."
}

// parseRetryAfter reads delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
