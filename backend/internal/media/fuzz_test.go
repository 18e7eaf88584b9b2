package media

import (
	"strings"
	"testing"
)

// FuzzPageParsing feeds hostile pages and messages to the link-preview
// parsers: never a panic, and a found link is always an http(s) prefix of
// the message's text.
func FuzzPageParsing(f *testing.F) {
	for _, s := range []string{
		`<head><meta property="og:image" content="/a.jpg"></head>`,
		`<head><base href="//x/"><meta name="twitter:image" content="b.png">`,
		"see https://example.com/x.", "链接：https://例子.cn/新闻，", "<<<meta content=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = ogImage(strings.NewReader(s))
		if l := FirstLink(s); l != "" {
			if !strings.Contains(s, l) || !strings.HasPrefix(strings.ToLower(l), "http") {
				t.Fatalf("FirstLink(%q) = %q", s, l)
			}
		}
	})
}
