// Package apns sends notifications to iOS devices through Apple's HTTP/2
// provider API with token-based (.p8 key) authentication.
package apns

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chorus-advocacy/chorus/backend/internal/push"
)

const (
	// DefaultBaseURL is APNs production.
	DefaultBaseURL = "https://api.push.apple.com"
	// SandboxBaseURL is APNs development, for debug builds of the app.
	SandboxBaseURL = "https://api.sandbox.push.apple.com"

	// TokenLifetime is how long a provider token is reused. Apple rejects
	// tokens older than an hour and answers TooManyProviderTokenUpdates to
	// renewals more frequent than every 20 minutes.
	TokenLifetime = 50 * time.Minute

	// maxPayload is Apple's limit for an alert notification.
	maxPayload = 4096
	// defaultThrottle applies to a 429 without Retry-After (APNs sends
	// none): Apple throttles repeated pushes to one device, so back off
	// for minutes rather than seconds.
	defaultThrottle = time.Minute
)

// Config configures a Sender.
type Config struct {
	// KeyP8 is the AuthKey_<KeyID>.p8 file downloaded from the Apple
	// developer account (PEM, PKCS #8, P-256).
	KeyP8  []byte
	KeyID  string
	TeamID string
	// Topic is the app's bundle ID.
	Topic string
	// BaseURL defaults to DefaultBaseURL.
	BaseURL string
	// HTTPClient must speak HTTP/2, as APNs does nothing else. The default
	// forces HTTP/2 and pings idle connections, which Apple asks providers
	// to keep open.
	HTTPClient *http.Client
}

// Sender is safe for concurrent use; share one per process so provider
// tokens and connections are reused.
type Sender struct {
	key    *ecdsa.PrivateKey
	keyID  string
	teamID string
	topic  string
	base   string
	client *http.Client
	now    func() time.Time

	tok   atomic.Pointer[providerToken]
	tokMu sync.Mutex
}

type providerToken struct {
	bearer string // "bearer <jwt>"
	issued time.Time
}

var _ push.Sender = (*Sender)(nil)

// New validates cfg and returns a Sender.
func New(cfg Config) (*Sender, error) {
	key, err := ParseKeyP8(cfg.KeyP8)
	if err != nil {
		return nil, err
	}
	if cfg.KeyID == "" || cfg.TeamID == "" {
		return nil, errors.New("apns: key ID and team ID are required (Apple developer account → Keys)")
	}
	if cfg.Topic == "" {
		return nil, errors.New("apns: topic (the app's bundle ID) is required")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	if _, err := url.Parse(base); err != nil {
		return nil, fmt.Errorf("apns: base URL: %w", err)
	}
	client := cfg.HTTPClient
	if client == nil {
		client = DefaultHTTPClient()
	}
	return &Sender{key: key, keyID: cfg.KeyID, teamID: cfg.TeamID, topic: cfg.Topic, base: base, client: client, now: time.Now}, nil
}

// DefaultHTTPClient speaks HTTP/2 only, with health-check pings so a
// connection silently dropped by a middlebox is noticed before a send hangs.
func DefaultHTTPClient() *http.Client {
	var protos http.Protocols
	protos.SetHTTP2(true)
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
		Protocols:           &protos,
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Minute,
		HTTP2:               &http.HTTP2Config{SendPingTimeout: 30 * time.Second, PingTimeout: 15 * time.Second},
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// ParseKeyP8 reads an APNs auth key: PEM or bare DER, PKCS #8, P-256.
func ParseKeyP8(p8 []byte) (*ecdsa.PrivateKey, error) {
	der := p8
	if block, _ := pem.Decode(p8); block != nil {
		der = block.Bytes
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("apns: key is not a PKCS #8 .p8 file: %w", err)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("apns: key is not a P-256 (ES256) key")
	}
	return ec, nil
}

// bearer returns the cached provider token, making one when there is none
// or it has reached TokenLifetime.
func (s *Sender) bearer() (*providerToken, error) {
	now := s.now()
	if t := s.tok.Load(); t != nil && now.Sub(t.issued) < TokenLifetime {
		return t, nil
	}
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	if t := s.tok.Load(); t != nil && now.Sub(t.issued) < TokenLifetime {
		return t, nil
	}
	return s.issueLocked(now)
}

// renew replaces stale after APNs called it expired, unless a concurrent
// send already did: one renewal per rejection wave keeps us clear of
// TooManyProviderTokenUpdates.
func (s *Sender) renew(stale *providerToken) (*providerToken, error) {
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	if t := s.tok.Load(); t != stale && t != nil {
		return t, nil
	}
	return s.issueLocked(s.now())
}

func (s *Sender) issueLocked(now time.Time) (*providerToken, error) {
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"iss": s.teamID, "iat": now.Unix()})
	tok.Header["kid"] = s.keyID
	signed, err := tok.SignedString(s.key)
	if err != nil {
		return nil, fmt.Errorf("%w: apns: signing provider token: %v", push.ErrRejected, err)
	}
	t := &providerToken{bearer: "bearer " + signed, issued: now}
	s.tok.Store(t)
	return t, nil
}

// Topic is the bundle id pushes are addressed to: only an app with that id
// receives them.
func (s *Sender) Topic() string { return s.topic }

// Send delivers m to the device token d.Token.
func (s *Sender) Send(ctx context.Context, d push.Device, m push.Message) error {
	if d.Platform != "" && d.Platform != push.PlatformAPNs {
		return fmt.Errorf("%w: apns: device %s is a %s device", push.ErrRejected, d.ID, d.Platform)
	}
	if d.Token == "" || strings.ContainsAny(d.Token, "/?# ") {
		return fmt.Errorf("%w: apns: device %s has no usable token", push.ErrRejected, d.ID)
	}
	payload, err := BuildPayload(m)
	if err != nil {
		return err
	}
	headers := BuildHeaders(m, s.topic, s.now())
	endpoint := s.base + "/3/device/" + d.Token

	tok, err := s.bearer()
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(payload))
		if err != nil {
			return fmt.Errorf("%w: apns: %v", push.ErrRejected, err)
		}
		for k, v := range headers {
			req.Header[k] = v
		}
		req.Header["Authorization"] = []string{tok.bearer}
		resp, err := s.client.Do(req)
		if err != nil {
			return fmt.Errorf("apns: send: %w", err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		apiErr := classify(resp.StatusCode, resp.Header, body, s.now())
		var se *push.StatusError
		if attempt == 0 && errors.As(apiErr, &se) && se.Reason == "ExpiredProviderToken" {
			if tok, err = s.renew(tok); err != nil {
				return err
			}
			continue
		}
		return apiErr
	}
}

type errorBody struct {
	Reason    string `json:"reason"`
	Timestamp int64  `json:"timestamp"` // milliseconds since the epoch
}

// classify maps an APNs error answer onto the push error contract.
func classify(status int, h http.Header, body []byte, now time.Time) error {
	var eb errorBody
	json.Unmarshal(body, &eb)
	se := &push.StatusError{Platform: push.PlatformAPNs, StatusCode: status, Reason: eb.Reason}
	if eb.Timestamp > 0 {
		se.Timestamp = time.UnixMilli(eb.Timestamp).UTC()
	}
	after, hasAfter := push.ParseRetryAfter(h.Get("Retry-After"), now)
	switch {
	case status == http.StatusGone,
		// BadDeviceToken: the token is malformed or from the other
		// environment (sandbox vs production); it will never work here.
		status == http.StatusBadRequest && eb.Reason == "BadDeviceToken":
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
		se.Err = push.ErrRejected
	}
	return se
}

type aps struct {
	Alert    alert  `json:"alert"`
	Sound    string `json:"sound,omitempty"`
	ThreadID string `json:"thread-id,omitempty"`
}

type alert struct {
	Title string `json:"title,omitempty"`
	Body  string `json:"body,omitempty"`
}

// BuildPayload returns the notification body: aps.alert with title and
// body, the default sound, a thread-id grouping one program's notifications,
// and the deep link, kind and data as custom keys. Custom keys sit next to
// "aps", as Apple requires, and are the FCM data keys so the app reads one
// shape on both platforms.
func BuildPayload(m push.Message) ([]byte, error) {
	data := m.FlatData()
	doc := make(map[string]any, len(data)+1)
	for k, v := range data {
		if k == "aps" {
			return nil, fmt.Errorf("%w: apns: data key \"aps\" is reserved", push.ErrRejected)
		}
		doc[k] = v
	}
	threadID := m.Kind
	if p := m.Data[push.DataProgramID]; p != "" {
		threadID = "program-" + p
	}
	doc["aps"] = aps{Alert: alert{Title: m.Title, Body: m.Body}, Sound: "default", ThreadID: threadID}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: apns: %v", push.ErrRejected, err)
	}
	if len(b) > maxPayload {
		return nil, fmt.Errorf("%w: apns: payload is %d bytes, APNs allows %d", push.ErrRejected, len(b), maxPayload)
	}
	return b, nil
}

// BuildHeaders returns the APNs request headers except authorization.
func BuildHeaders(m push.Message, topic string, now time.Time) http.Header {
	h := http.Header{
		"Content-Type":    {"application/json"},
		"Apns-Topic":      {topic},
		"Apns-Push-Type":  {"alert"},
		"Apns-Priority":   {"10"},
		"Apns-Expiration": {strconv.FormatInt(now.Add(m.EffectiveTTL()).Unix(), 10)},
	}
	if m.CollapseKey != "" {
		h["Apns-Collapse-Id"] = []string{push.APNsCollapseID(m.CollapseKey)}
	}
	return h
}
