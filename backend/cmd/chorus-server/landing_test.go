package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The front door: / answers a page in the visitor's language with the way
// to the member app, the desktop app and the API document; every other path
// goes on to the server.
func TestLanding(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "next", http.StatusTeapot) })
	h := landing(landingOptions{WebApp: true, Demo: true, ShareURL: "/s/abc"}, next)
	get := func(path, lang string) (int, string, http.Header) {
		req := httptest.NewRequest("GET", path, nil)
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, string(b), rec.Header()
	}
	code, body, hdr := get("/", "en-GB,en;q=0.9")
	if code != 200 || !strings.Contains(hdr.Get("Content-Type"), "text/html") || hdr.Get("Content-Language") != "en" {
		t.Fatalf("/: %d %v", code, hdr)
	}
	for _, want := range []string{`href="/app/"`, `href="/s/abc"`, "make desktop", `href="/api/v1/openapi.json"`, "member1@demo.test", "Open the member app"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if _, body, hdr := get("/", "zh-CN,zh;q=0.9,en;q=0.5"); hdr.Get("Content-Language") != "zh-Hans" || !strings.Contains(body, "打开成员应用") {
		t.Fatalf("Chinese: %v", hdr)
	}
	if _, body, _ := get("/?lang=en", "zh-CN"); !strings.Contains(body, "Open the member app") {
		t.Fatal("?lang=en does not win over the browser")
	}
	if code, _, _ := get("/anything", ""); code != http.StatusTeapot {
		t.Fatalf("/anything did not reach the server: %d", code)
	}
	// Without the web build the page says how to make it, and no demo
	// accounts are shown outside the demo.
	h = landing(landingOptions{}, next)
	if _, body, _ := get("/", ""); strings.Contains(body, `href="/app/"`) || !strings.Contains(body, "make web") || strings.Contains(body, "chorus-demo") {
		t.Fatalf("no web build, no demo: %s", body)
	}
}
