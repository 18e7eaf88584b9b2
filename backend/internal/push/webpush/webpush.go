// Package webpush sends notifications to browsers: RFC 8030 push service
// requests, RFC 8291 message encryption and RFC 8292 VAPID, using
// github.com/SherClockHolmes/webpush-go for the encryption and signing.
package webpush

import (
	"context"
	"crypto/ecdh"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	webpushgo "github.com/SherClockHolmes/webpush-go"

	"github.com/chorus-advocacy/chorus/backend/internal/netguard"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
)

// defaultThrottle applies to a 429 without Retry-After.
const defaultThrottle = time.Minute

// Config configures a Sender.
type Config struct {
	// VAPIDPublicKey and VAPIDPrivateKey are base64url, as made by
	// GenerateVAPIDKeys. The public key is also the applicationServerKey
	// the web client subscribes with.
	VAPIDPublicKey  string
	VAPIDPrivateKey string
	// Subscriber is the contact push services may use: "mailto:ops@…" or
	// an https URL. A bare e-mail address gets "mailto:".
	Subscriber string
	// AllowLoopback lets the sender deliver to push services on this
	// machine (over http too): the fake of `serve --demo` and tests. Off,
	// it connects to public addresses only. Never set it in production.
	AllowLoopback bool
	// Timeout caps one push request (default 30 s).
	Timeout time.Duration
}

// Sender is safe for concurrent use.
//
// Endpoints are addresses members choose, so the sender treats them as
// untrusted: it connects only to public addresses, checked on the address
// each connection is actually made to (netguard: after DNS, so a name
// that resolves, or later re-resolves, to 127.0.0.1, 10.x or
// 169.254.169.254 is refused); it uses no proxy and follows no redirects
// (a push service answers 201; a 3xx is a refusal).
type Sender struct {
	publicKey  string
	privateKey string
	subscriber string
	policy     push.EndpointPolicy
	client     *http.Client
}

var _ push.Sender = (*Sender)(nil)

// GenerateVAPIDKeys returns a new VAPID key pair, base64url encoded: the
// 65-byte uncompressed public point and the 32-byte private scalar.
// (webpush-go returns them the other way round; the names here follow
// Config's field order.)
func GenerateVAPIDKeys() (publicKey, privateKey string, err error) {
	privateKey, publicKey, err = webpushgo.GenerateVAPIDKeys()
	return publicKey, privateKey, err
}

// New validates cfg and returns a Sender.
func New(cfg Config) (*Sender, error) {
	pub, err := push.DecodeBase64(cfg.VAPIDPublicKey)
	if err != nil || len(pub) != 65 {
		return nil, errors.New("webpush: VAPID public key must be a base64url 65-byte P-256 point (are public and private swapped?)")
	}
	priv, err := push.DecodeBase64(cfg.VAPIDPrivateKey)
	if err != nil || len(priv) != 32 {
		return nil, errors.New("webpush: VAPID private key must be a base64url 32-byte scalar (are public and private swapped?)")
	}
	k, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID private key: %w", err)
	}
	if string(k.PublicKey().Bytes()) != string(pub) {
		return nil, errors.New("webpush: VAPID public key does not belong to the private key")
	}
	sub := strings.TrimSpace(cfg.Subscriber)
	switch {
	case strings.HasPrefix(sub, "https:"):
	case strings.HasPrefix(sub, "mailto:") && strings.Contains(sub, "@"):
		// webpush-go prefixes "mailto:" to anything not https.
		sub = strings.TrimPrefix(sub, "mailto:")
	case strings.Contains(sub, "@"):
	default:
		return nil, errors.New("webpush: subscriber must be a mailto: address or an https URL (push services contact it about abuse)")
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	guard := netguard.Guard{}
	if cfg.AllowLoopback {
		guard.Allow = netguard.Loopback
	}
	client := &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                  nil, // through a proxy the dial-time check would see only the proxy
			DialContext:            guard.Dialer(10 * time.Second).DialContext,
			ForceAttemptHTTP2:      true,
			TLSHandshakeTimeout:    10 * time.Second,
			ResponseHeaderTimeout:  20 * time.Second,
			MaxResponseHeaderBytes: 64 << 10,
			MaxIdleConns:           100,
			MaxIdleConnsPerHost:    16,
			IdleConnTimeout:        90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Sender{
		// webpush-go decodes keys as padded base64url first; normalise to
		// raw base64url so either form from config works.
		publicKey:  base64.RawURLEncoding.EncodeToString(pub),
		privateKey: base64.RawURLEncoding.EncodeToString(priv),
		subscriber: sub,
		policy:     push.EndpointPolicy{AllowLoopback: cfg.AllowLoopback},
		client:     client,
	}, nil
}

// PublicKey is the VAPID public key (raw base64url): the applicationServerKey
// browsers must subscribe with for this sender's pushes to be accepted.
func (s *Sender) PublicKey() string { return s.publicKey }

// Send encrypts m for d.Subscription and posts it to the push service.
func (s *Sender) Send(ctx context.Context, d push.Device, m push.Message) error {
	if d.Platform != "" && d.Platform != push.PlatformWebPush {
		return fmt.Errorf("%w: webpush: device %s is a %s device", push.ErrRejected, d.ID, d.Platform)
	}
	if d.Subscription == nil {
		return fmt.Errorf("%w: webpush: device %s has no subscription", push.ErrRejected, d.ID)
	}
	if err := d.Subscription.Validate(s.policy); err != nil {
		return fmt.Errorf("%w: webpush: device %s: %v", push.ErrRejected, d.ID, err)
	}
	payload, err := BuildPayload(m)
	if err != nil {
		return err
	}
	sub := &webpushgo.Subscription{
		Endpoint: d.Subscription.Endpoint,
		Keys:     webpushgo.Keys{P256dh: d.Subscription.Keys.P256dh, Auth: d.Subscription.Keys.Auth},
	}
	resp, err := webpushgo.SendNotificationWithContext(ctx, payload, sub, &webpushgo.Options{
		HTTPClient:      s.client,
		Subscriber:      s.subscriber,
		Topic:           Topic(m.CollapseKey),
		TTL:             int(m.EffectiveTTL() / time.Second),
		Urgency:         urgency(m.Kind),
		VAPIDPublicKey:  s.publicKey,
		VAPIDPrivateKey: s.privateKey,
	})
	if err != nil {
		if errors.Is(err, webpushgo.ErrMaxPadExceeded) {
			return fmt.Errorf("%w: webpush: payload too large: %v", push.ErrRejected, err)
		}
		if errors.Is(err, netguard.ErrBlocked) {
			// The endpoint's name leads to a non-public address.
			return fmt.Errorf("%w: webpush: device %s: %w", push.ErrRejected, d.ID, err)
		}
		var ue *url.Error
		if !errors.As(err, &ue) {
			// Not from the round trip: keys or encryption, which a retry
			// will not change.
			return fmt.Errorf("%w: webpush: %v", push.ErrRejected, err)
		}
		return fmt.Errorf("webpush: send: %w", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return classify(resp.StatusCode, resp.Header, body, time.Now())
}

func classify(status int, h http.Header, body []byte, now time.Time) error {
	se := &push.StatusError{
		Platform:   push.PlatformWebPush,
		StatusCode: status,
		Reason:     http.StatusText(status),
		Message:    strings.TrimSpace(string(body)),
	}
	after, hasAfter := push.ParseRetryAfter(h.Get("Retry-After"), now)
	switch {
	case status == http.StatusNotFound || status == http.StatusGone:
		// RFC 8030 §7.3 / §8: the subscription expired or was removed.
		se.Err = push.ErrUnregistered
	case status == http.StatusTooManyRequests:
		if !hasAfter {
			after = defaultThrottle
		}
		return &push.RetryAfterError{After: after, Err: se}
	case status >= 500:
		if hasAfter {
			return &push.RetryAfterError{After: after, Err: se}
		}
	default:
		// 400 bad headers, 401/403 VAPID refused, 413 too large; a 3xx
		// (redirects are not followed: an endpoint is where the push
		// service said, not somewhere it sends us on to).
		se.Err = push.ErrRejected
	}
	return se
}

// payload is what the web client's service worker receives.
type payload struct {
	Kind     string            `json:"kind,omitempty"`
	Title    string            `json:"title,omitempty"`
	Body     string            `json:"body,omitempty"`
	DeepLink string            `json:"deep_link,omitempty"`
	Tag      string            `json:"tag,omitempty"`
	Data     map[string]string `json:"data,omitempty"`
}

// BuildPayload returns the JSON the service worker decrypts: title and body
// for showNotification, tag (the collapse key) so a newer notification
// replaces an older one, and kind, deep link and data like the other
// platforms.
func BuildPayload(m push.Message) ([]byte, error) {
	b, err := json.Marshal(payload{
		Kind: m.Kind, Title: m.Title, Body: m.Body, DeepLink: m.DeepLink, Tag: m.CollapseKey, Data: m.Data,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: webpush: %v", push.ErrRejected, err)
	}
	return b, nil
}

var topicRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Topic turns a collapse key into an RFC 8030 Topic header value, which is
// limited to 32 characters of the URL-safe base64 alphabet; other keys are
// hashed so distinct keys stay distinct.
func Topic(collapseKey string) string {
	if collapseKey == "" || topicRe.MatchString(collapseKey) {
		return collapseKey
	}
	sum := sha256.Sum256([]byte(collapseKey))
	return base64.RawURLEncoding.EncodeToString(sum[:24]) // 32 characters
}

// urgency tells the browser's push service how eagerly to wake the device:
// a handoff is awaited by a member holding the phone.
func urgency(kind string) webpushgo.Urgency {
	if kind == push.KindHandoff {
		return webpushgo.UrgencyHigh
	}
	return webpushgo.UrgencyNormal
}
