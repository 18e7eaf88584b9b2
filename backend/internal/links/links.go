// Package links holds the pure parts of tracked links: finding URLs in a
// message, rewriting them, making codes, telling bots from people, and the
// daily visitor hash used for unique counts.
package links

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// urlPattern finds http(s) URLs; what counts as their end is decided by
// trimURL, because messages mix URLs with English and Chinese punctuation.
var urlPattern = regexp.MustCompile(`(?i)https?://[^\s<>"'“”‘’（）【】《》「」，。；：！？、]+`)

// Span is a URL found in a message, at [Start, End) bytes.
type Span struct {
	Start, End int
	URL        string
}

// FindURLs returns the URLs in text, in order.
func FindURLs(text string) []Span {
	var out []Span
	for _, m := range urlPattern.FindAllStringIndex(text, -1) {
		u := trimURL(text[m[0]:m[1]])
		if parsed, err := url.Parse(u); err != nil || parsed.Host == "" {
			continue
		}
		out = append(out, Span{Start: m[0], End: m[0] + len(u), URL: u})
	}
	return out
}

// trimURL drops trailing punctuation that ends a sentence rather than the
// URL, keeping a closing bracket whose opening one is inside the URL.
func trimURL(u string) string {
	for len(u) > 0 {
		r, size := utf8.DecodeLastRuneInString(u)
		switch {
		case r == ')' && strings.Count(u, "(") >= strings.Count(u, ")"):
			return u
		case strings.ContainsRune(".,;:!?)]}'\"", r):
			u = u[:len(u)-size]
		default:
			return u
		}
	}
	return u
}

// Rewrite replaces each URL of text by replace(url).
func Rewrite(text string, replace func(string) string) string {
	spans := FindURLs(text)
	if len(spans) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, s := range spans {
		b.WriteString(text[last:s.Start])
		b.WriteString(replace(s.URL))
		last = s.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// UniqueURLs lists the distinct URLs of text, in order.
func UniqueURLs(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range FindURLs(text) {
		if !seen[s.URL] {
			seen[s.URL] = true
			out = append(out, s.URL)
		}
	}
	return out
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// CodeLength is the length of a link code: 62^8 ≈ 2×10^14, random, so codes
// are neither sequential nor guessable from one another.
const CodeLength = 8

// NewCode returns a random base62 code.
func NewCode() string {
	b := make([]byte, CodeLength)
	out := make([]byte, CodeLength)
	for i := 0; i < CodeLength; {
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		for _, c := range b {
			// 62*4 = 248: drop 248..255 so every symbol is equally likely.
			if c < 248 && i < CodeLength {
				out[i] = base62[c%62]
				i++
			}
		}
	}
	return string(out)
}

// botTokens mark crawlers and link-preview fetchers by their User-Agent.
// Messengers fetch a link's preview from their servers when it is shared,
// so without this every share would look like a click. The list needs care:
// new fetchers appear; WeChat's preview fetcher is matched by its share
// extension token and the generic words.
var botTokens = []string{
	"bot", "crawl", "spider", "slurp", "preview", "fetcher", "scanner",
	"facebookexternalhit", "meta-externalagent", "whatsapp", "telegram", "discord", "slack",
	"linkedin", "twitter", "embedly", "skypeuripreview", "vkshare", "pinterest", "redditbot",
	"wechatshareextension", "headlesschrome", "phantomjs", "lighthouse",
	"curl/", "wget", "python-", "python/", "go-http-client", "java/", "okhttp", "axios",
	"node-fetch", "libwww", "httpclient", "apache-httpclient",
}

// IsBot tells a crawler or preview fetcher from a person's browser.
func IsBot(userAgent string) bool {
	ua := strings.ToLower(strings.TrimSpace(userAgent))
	if ua == "" {
		return true
	}
	for _, t := range botTokens {
		if strings.Contains(ua, t) {
			return true
		}
	}
	return false
}

// DailySalt is the salt of a day's visitor hashes: derived from the server
// secret and the date, so it changes every day, is the same on every
// instance, and is never stored.
func DailySalt(secret []byte, t time.Time) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("chorus visitor salt " + t.UTC().Format("2006-01-02")))
	return m.Sum(nil)
}

// VisitorHash identifies a visitor for unique counts within a day without
// keeping their address: the raw address never reaches the database. It is
// the address alone (an IPv6 address by its /64, what one subscriber gets):
// a User-Agent is free to vary, so counting it would let one person make
// any number of "unique" clicks. People behind one shared address count
// once: unique counts err low, never high.
func VisitorHash(salt []byte, addr string) string {
	if ip, err := netip.ParseAddr(addr); err == nil && ip.Is6() && !ip.Is4In6() {
		if p, err := ip.Prefix(64); err == nil {
			addr = p.String()
		}
	}
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(addr))
	return hex.EncodeToString(m.Sum(nil)[:12])
}

// ReferrerHost is the host of a Referer header ("" if none or unreadable).
func ReferrerHost(referer string) string {
	u, err := url.Parse(referer)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}
