package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/chorus-advocacy/chorus/backend/internal/netguard"
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

// EndpointPolicy says which Web Push endpoints the server accepts and
// connects to. The zero policy is the production one: https on a public
// host only.
type EndpointPolicy struct {
	// AllowLoopback also accepts endpoints on this machine (localhost,
	// 127.0.0.0/8, ::1), over http or https: the fake push service of
	// `serve --demo` and tests. Never set it in production: an endpoint
	// is an address any member chooses and the server then posts to.
	AllowLoopback bool
}

// errEndpointNotPublic is what a member is told when an endpoint is not
// somewhere a browser's push service could be.
var errEndpointNotPublic = errors.New("endpoint: push endpoint must be https on a public host")

// Validate checks a subscription before it is stored, so a bad one is
// refused at registration instead of failing every later push. The
// endpoint must satisfy p (see CheckEndpoint).
func (s WebPushSubscription) Validate(p EndpointPolicy) error {
	if err := p.CheckEndpoint(s.Endpoint); err != nil {
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

// CheckEndpoint accepts absolute https URLs on a public host: a DNS name
// (not localhost or a name under .localhost, and not a number in disguise
// such as 2130706433) or a public IP address. With AllowLoopback, http and
// https URLs on loopback are accepted too.
//
// This is the early, explainable refusal at registration. It cannot know
// where a DNS name will lead when the push is sent; the sender's dialer
// (netguard) checks the address it actually connects to.
func (p EndpointPolicy) CheckEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return errors.New("endpoint: not an absolute URL")
	}
	host := strings.ToLower(u.Hostname())
	if p.AllowLoopback && netguard.IsLoopbackHost(host) && (u.Scheme == "http" || u.Scheme == "https") {
		return nil
	}
	if u.Scheme != "https" || u.User != nil || host == "" {
		return errEndpointNotPublic
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if !netguard.IsPublic(ip) {
			return errEndpointNotPublic
		}
		return nil
	}
	if netguard.IsLoopbackHost(host) || numericHost(host) {
		return errEndpointNotPublic
	}
	return nil
}

// numericHost reports whether a host that did not parse as an IP address
// still reads as one to some resolvers (2130706433, 0x7f.1, 127.1): no
// top-level domain is all digits or starts with 0x.
func numericHost(host string) bool {
	host = strings.TrimSuffix(host, ".")
	tld := host[strings.LastIndex(host, ".")+1:]
	if tld == "" || strings.HasPrefix(tld, "0x") {
		return true
	}
	return strings.Trim(tld, "0123456789") == ""
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
