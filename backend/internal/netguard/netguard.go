// Package netguard keeps the server's outgoing requests to addresses the
// user asked for (link previews, Web Push endpoints) off its own network:
// loopback, private, link-local, unique-local, carrier-grade NAT and the
// other ranges that are not the public internet.
//
// The check runs when the connection is made, on the address DNS resolved
// to (net.Dialer.Control), so a host name that resolves to 127.0.0.1 or
// 169.254.169.254, a redirect, or a name whose records change between a
// check and the request (DNS rebinding) cannot get past it. Checking a URL
// before the request is at most an early, friendlier refusal.
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// ErrBlocked is wrapped by the errors of connections the guard refused.
var ErrBlocked = errors.New("address not allowed")

// Loopback lists the loopback ranges, for a guard that must reach a fake
// service on this machine (demo mode, tests) and nothing else private.
var Loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// Guard refuses connections to non-public addresses, except those in
// Allow. The zero Guard allows public addresses only.
type Guard struct {
	// Allow lists addresses that may be reached although they are not
	// public (tests, an intranet, the demo's fakes). Empty: none.
	Allow []netip.Prefix
}

// Allowed reports whether the guard lets a connection to ip through: a
// public unicast address, or one on the allow-list.
func (g Guard) Allowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, a := range g.Allow {
		if a.Contains(ip) {
			return true
		}
	}
	return IsPublic(ip)
}

// Control is a net.Dialer Control function: it runs for every connection
// with the resolved address and refuses those Allowed does not allow.
func (g Guard) Control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrBlocked, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrBlocked, address)
	}
	if !g.Allowed(ip) {
		return fmt.Errorf("%w: %s is not a public address", ErrBlocked, ip)
	}
	return nil
}

// Dialer returns a dialer that applies the guard to every connection.
// Use it with an http.Transport whose Proxy is nil: through a proxy the
// guard would only see the proxy's address.
func (g Guard) Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.Control}
}

// nonPublic are ranges IsPrivate, IsLoopback and friends do not cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fec0::/10"),       // old site-local
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
}

var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// IsPublic reports whether ip is a public unicast address: not loopback,
// private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16,
// fe80::/10), carrier-grade NAT (100.64/10), multicast, unspecified,
// reserved or documentation. IPv4-mapped and NAT64 addresses are judged by
// the IPv4 address inside.
func IsPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() {
		return false // loopback, link-local, multicast, unspecified, private
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	if nat64.Contains(ip) { // judge the IPv4 address inside
		b := ip.As16()
		return IsPublic(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	return true
}

// IsLoopbackHost reports whether a URL's host (without port or brackets)
// names this machine: "localhost", a name under .localhost (RFC 6761), or
// a loopback address.
func IsLoopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Unmap().IsLoopback()
}

// ParseAllow reads a comma-separated list of addresses and CIDR prefixes.
func ParseAllow(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.Contains(part, "/") {
			p, err := netip.ParsePrefix(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR prefix", part)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR prefix", part)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
