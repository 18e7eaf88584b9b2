package links

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFindURLs(t *testing.T) {
	cases := map[string][]string{
		"Read https://example.com/a?b=1&c=2 now":               {"https://example.com/a?b=1&c=2"},
		"End of sentence https://example.com/x.":               {"https://example.com/x"},
		"(see https://en.wikipedia.org/wiki/Go_(language))":    {"https://en.wikipedia.org/wiki/Go_(language)"},
		"(see https://example.com/page)":                       {"https://example.com/page"},
		"新产品发布https://example.com/launch，欢迎转发！":                {"https://example.com/launch"},
		"两个链接：http://a.example/1 和 HTTPS://B.example/2。":       {"http://a.example/1", "HTTPS://B.example/2"},
		"no link here, just http:// and https:/broken":         nil,
		"quoted \"https://example.com/q\" and <https://e.x/y>": {"https://example.com/q", "https://e.x/y"},
	}
	for text, want := range cases {
		var got []string
		for _, s := range FindURLs(text) {
			got = append(got, s.URL)
			if text[s.Start:s.End] != s.URL {
				t.Errorf("span of %q is off", s.URL)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("FindURLs(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestRewrite(t *testing.T) {
	got := Rewrite("新品 https://example.com/a，再看 https://example.com/a 和 https://example.com/b.", func(u string) string {
		return "<" + u[len(u)-1:] + ">"
	})
	if want := "新品 <a>，再看 <a> 和 <b>."; got != want {
		t.Fatalf("Rewrite = %q, want %q", got, want)
	}
	if got := UniqueURLs("x https://a.b/1 y https://a.b/1 z https://a.b/2"); !reflect.DeepEqual(got, []string{"https://a.b/1", "https://a.b/2"}) {
		t.Fatalf("UniqueURLs = %q", got)
	}
}

func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 10000; i++ {
		c := NewCode()
		if len(c) != CodeLength || strings.Trim(c, base62) != "" || seen[c] {
			t.Fatalf("code %q (repeat %v)", c, seen[c])
		}
		seen[c] = true
	}
}

func TestIsBot(t *testing.T) {
	people := []string{
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.42(0x18002a2f) NetType/WIFI Language/zh_CN",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
	}
	bots := []string{"", "facebookexternalhit/1.1", "WhatsApp/2.23.18.78 i", "TelegramBot (like TwitterBot)", "Slackbot-LinkExpanding 1.0",
		"Mozilla/5.0 (compatible; Googlebot/2.1)", "curl/8.1", "Go-http-client/1.1", "Mozilla/5.0 ... WeChatShareExtension",
		"Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0"}
	for _, ua := range people {
		if IsBot(ua) {
			t.Errorf("person taken for a bot: %s", ua)
		}
	}
	for _, ua := range bots {
		if !IsBot(ua) {
			t.Errorf("bot taken for a person: %q", ua)
		}
	}
}

func TestVisitorHash(t *testing.T) {
	day1 := DailySalt([]byte("k"), time.Date(2026, 11, 21, 23, 0, 0, 0, time.UTC))
	day1b := DailySalt([]byte("k"), time.Date(2026, 11, 21, 1, 0, 0, 0, time.UTC))
	day2 := DailySalt([]byte("k"), time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC))
	a := VisitorHash(day1, "203.0.113.7")
	if a != VisitorHash(day1b, "203.0.113.7") {
		t.Fatal("same day, same visitor: different hashes")
	}
	if a == VisitorHash(day2, "203.0.113.7") || a == VisitorHash(day1, "203.0.113.8") {
		t.Fatal("hash does not change with the day or the address")
	}
	// One subscriber's IPv6 /64 is one visitor, however they vary the rest.
	if VisitorHash(day1, "2001:db8:1:2::1") != VisitorHash(day1, "2001:db8:1:2:ffff::9") || VisitorHash(day1, "2001:db8:1:2::1") == VisitorHash(day1, "2001:db8:1:3::1") {
		t.Fatal("IPv6 visitors are not counted by their /64")
	}
	if strings.Contains(a, "203") {
		t.Fatal("hash shows the address")
	}
	if ReferrerHost("https://Mp.Weixin.QQ.com/s/abc") != "mp.weixin.qq.com" || ReferrerHost("") != "" {
		t.Fatal("referrer host")
	}
}
