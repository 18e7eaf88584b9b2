package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// WebPushSubscription is the browser's PushSubscription.toJSON() shape, so
// the client can post it unchanged.
type WebPushSubscription struct {
	Endpoint string      `json:"endpoint"`
	Keys     WebPushKeys `json:"keys"`
}

// WebPushKeys are base64url encoded, as browsers produce them.
type WebPushKeys struct {
	// P256dh is the user agent's uncompressed P-256 public key (65 bytes).
	P256dh string `json:"p256dh"`
	// Auth is the 16-byte authentication secret.
	Auth string `json:"auth"`
}

// Validate checks a subscription before it is stored, so a bad one is
// refused at registration instead of failing every later push. Endpoints
// must be https; plain http is allowed on loopback only, for the fake push
// service of the demo mode.
func (s WebPushSubscription) Validate() error {
	if err := ValidateWebPushEndpoint(s.Endpoint); err != nil {
		return err
	}
	pub, err := DecodeBase64(s.Keys.P256dh)
	if err != nil {
		return fmt.Errorf("keys.p256dh: %w", err)
	}
	if _, err := ecdh.P256().NewPublicKey(pub); err != nil || len(pub) != 65 {
		return errors.New("keys.p256dh: not an uncompressed P-256 public key")
	}
	auth, err := DecodeBase64(s.Keys.Auth)
	if err != nil {
		return fmt.Errorf("keys.auth: %w", err)
	}
	if len(auth) != 16 {
		return fmt.Errorf("keys.auth: want 16 bytes, got %d", len(auth))
	}
	return nil
}

// ValidateWebPushEndpoint accepts absolute https URLs, and http URLs whose
// host is a loopback address.
func ValidateWebPushEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return errors.New("endpoint: not an absolute URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	return errors.New("endpoint: must be an https URL")
}

// DecodeBase64 accepts the base64 variants found in the wild for
// subscription keys: url-safe or standard, padded or not.
func DecodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("empty")
	}
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}
