package platform

import (
	"reflect"
	"strings"
	"testing"
)

// The URL that launches the app arrives before the app listens: kept (a
// few at most) and handed over once it does; only chorus: URLs of a
// bounded length are passed on at all.
func TestOpenAppURL(t *testing.T) {
	defer OnAppURL(nil)
	OnAppURL(nil)
	for _, raw := range []string{"https://evil.test/?sso_code=x", "javascript:alert(1)", "", "chorus://sso?" + strings.Repeat("a", appURLMax)} {
		if OpenAppURL(raw) {
			t.Fatalf("%.40q passed on", raw)
		}
	}
	for i := 0; i < 6; i++ {
		if !OpenAppURL(" chorus://sso?sso_code=" + string(rune('a'+i)) + " ") {
			t.Fatal("a chorus: URL refused")
		}
	}
	var got []string
	OnAppURL(func(raw string) { got = append(got, raw) })
	want := []string{"chorus://sso?sso_code=a", "chorus://sso?sso_code=b", "chorus://sso?sso_code=c", "chorus://sso?sso_code=d"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pending URLs: %q, want %q", got, want)
	}
	OpenAppURL("CHORUS://sso?sso_code=z")
	if len(got) != 5 || got[4] != "CHORUS://sso?sso_code=z" {
		t.Fatalf("after listening: %q", got)
	}
	if ReceivesAppURLs() {
		t.Fatal("the desktop build says it receives chorus: URLs")
	}
}
