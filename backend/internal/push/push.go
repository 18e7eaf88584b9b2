// Package push holds what every push platform shares: the device and message
// types, the error contract the fan-out job relies on, localized message
// builders and the quiet-hours rule. The platform clients live in the
// subpackages fcm, apns and webpush; fcmtest, apnstest and webpushtest are
// fake services that speak the same protocols on loopback.
package push

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Platform names a push service. The values are stored with device
// registrations and appear in the HTTP API, so they must not change.
type Platform string

const (
	PlatformFCM     Platform = "fcm"
	PlatformAPNs    Platform = "apns"
	PlatformWebPush Platform = "webpush"
)

// Valid reports whether p is one of the platforms Chorus can deliver to.
func (p Platform) Valid() bool {
	switch p {
	case PlatformFCM, PlatformAPNs, PlatformWebPush:
		return true
	}
	return false
}

// Device is one push registration of a member.
type Device struct {
	ID       string
	Platform Platform
	// Token is the FCM registration token or the APNs device token (hex).
	Token string
	// Subscription is set for Web Push only.
	Subscription *WebPushSubscription
	// Locale is the member's interface language (BCP 47, e.g. "zh-Hans").
	Locale string
}

// Message kinds. The app switches on these, so they are part of the wire
// contract with the client.
const (
	KindNewActivity  = wire.PushNewActivity
	KindHandoff      = wire.PushHandoff
	KindTikTokStatus = wire.PushTikTokStatus
)

// Keys of the data every sender delivers next to the visible notification.
// They are the same on every platform so the app reads one shape.
const (
	DataKind       = "kind"
	DataDeepLink   = "deep_link"
	DataProgramID  = "program_id"
	DataActivityID = "activity_id"
	DataStatus     = "status"
	DataReason     = "reason"
)

// DefaultTTL applies when Message.TTL is zero. Platforms disagree on what an
// absent TTL means (FCM keeps 4 weeks, APNs tries once, Web Push requires the
// header), so senders never leave it to them.
const DefaultTTL = 24 * time.Hour

// Message is a platform-neutral notification.
type Message struct {
	Kind  string
	Title string
	Body  string
	// DeepLink opens the app at the activity: chorus://programs/{pid}/activities/{aid}.
	DeepLink string
	Data     map[string]string
	// CollapseKey lets a newer message replace an undelivered older one.
	CollapseKey string
	TTL         time.Duration
}

// EffectiveTTL is the TTL senders must use.
func (m Message) EffectiveTTL() time.Duration {
	if m.TTL <= 0 {
		return DefaultTTL
	}
	return m.TTL
}

// FlatData returns Data with the kind and deep link merged in, as delivered
// to the app. The caller's map is not modified.
func (m Message) FlatData() map[string]string {
	out := make(map[string]string, len(m.Data)+2)
	for k, v := range m.Data {
		out[k] = v
	}
	if m.Kind != "" {
		out[DataKind] = m.Kind
	}
	if m.DeepLink != "" {
		out[DataDeepLink] = m.DeepLink
	}
	return out
}

// Sender delivers one message to one device. Implementations are safe for
// concurrent use. Errors follow the contract of ErrUnregistered,
// RetryAfterError and Retryable.
type Sender interface {
	Send(ctx context.Context, d Device, m Message) error
}

var (
	// ErrUnregistered means the token or subscription is dead: the caller
	// deletes the device and does not retry.
	ErrUnregistered = errors.New("push: device is no longer registered")
	// ErrRejected means the service (or the sender, before sending) refused
	// the request for a reason a retry cannot fix: malformed message,
	// payload too large, bad credentials. The device is kept.
	ErrRejected = errors.New("push: request rejected")
)

// RetryAfterError is returned when the service asks us to slow down (HTTP
// 429, FCM QUOTA_EXCEEDED, or a 503 with Retry-After). The job should be
// rescheduled no sooner than After.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// StatusError describes a non-success answer of a push service.
type StatusError struct {
	Platform   Platform
	StatusCode int
	// Reason is the service's machine-readable code: FCM errorCode or
	// google.rpc status, APNs reason.
	Reason  string
	Message string
	// Timestamp is when APNs last saw the token valid (410 Unregistered).
	Timestamp time.Time
	// Err classifies the error: ErrUnregistered, ErrRejected, or nil for
	// errors worth retrying.
	Err error
}

func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: HTTP %d", e.Platform, e.StatusCode)
	if e.Reason != "" {
		b.WriteString(" ")
		b.WriteString(e.Reason)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

func (e *StatusError) Unwrap() error { return e.Err }

// Retryable reports whether sending the same message again later may
// succeed: server errors, rate limits, timeouts and network failures. A
// cancelled or timed-out context counts as retryable because the push may
// not have left. Dead tokens and rejected requests are not retryable.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnregistered) || errors.Is(err, ErrRejected) {
		return false
	}
	var ra *RetryAfterError
	if errors.As(err, &ra) {
		return true
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.StatusCode >= 500 || se.StatusCode == http.StatusTooManyRequests ||
			se.StatusCode == http.StatusRequestTimeout
	}
	return true
}

// MaxRetryAfter caps the delay a push service (or whoever answers at a Web
// Push endpoint, which a member chose) can impose: longer Retry-After
// values are honoured as this.
const MaxRetryAfter = time.Hour

// RetryAfter returns the delay the service asked for, if any, at most
// MaxRetryAfter.
func RetryAfter(err error) (time.Duration, bool) {
	var ra *RetryAfterError
	if errors.As(err, &ra) {
		return min(max(ra.After, 0), MaxRetryAfter), true
	}
	return 0, false
}

// UnregisteredSince returns the time APNs says the token stopped being
// valid. A device re-registered after that time must be kept, so the caller
// should only delete registrations older than it.
func UnregisteredSince(err error) (time.Time, bool) {
	var se *StatusError
	if errors.As(err, &se) && errors.Is(err, ErrUnregistered) && !se.Timestamp.IsZero() {
		return se.Timestamp, true
	}
	return time.Time{}, false
}

// ParseRetryAfter reads an HTTP Retry-After value: delay-seconds or an
// HTTP-date (RFC 9110 §10.2.3). A date in the past yields 0; a delay
// beyond MaxRetryAfter yields MaxRetryAfter.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil {
		return time.Duration(min(secs, uint64(MaxRetryAfter/time.Second))) * time.Second, true
	} else if errors.Is(err, strconv.ErrRange) {
		return MaxRetryAfter, true // more digits than fit: a long wait
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return min(d.Round(time.Second), MaxRetryAfter), true
	}
	return 0, true
}

// Mux routes each device to the sender of its platform.
type Mux map[Platform]Sender

var _ Sender = Mux(nil)

// Send delivers m through the sender registered for d.Platform. A platform
// without a sender is rejected rather than retried: configuration does not
// change between retries.
func (mx Mux) Send(ctx context.Context, d Device, m Message) error {
	s, ok := mx[d.Platform]
	if !ok || s == nil {
		return fmt.Errorf("%w: no sender configured for platform %q", ErrRejected, d.Platform)
	}
	return s.Send(ctx, d, m)
}

// APNsCollapseID fits a collapse key into APNs' 64-byte apns-collapse-id.
// Longer keys are replaced by a digest so distinct keys stay distinct.
func APNsCollapseID(key string) string {
	if len(key) <= 64 {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "h-" + base64.RawURLEncoding.EncodeToString(sum[:])
}
