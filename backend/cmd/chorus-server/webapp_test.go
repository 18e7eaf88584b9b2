package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestWebAppServesTheBuildAtApp(t *testing.T) {
	dir := t.TempDir()
	const wasm = "chorus.0123456789abcdef0123.wasm"
	const font = "ChorusSC-Regular.0123456789abcdef0123.otf"
	for name, body := range map[string]string{
		"index.html": "<html>", "index.html.br": "html-br",
		wasm: "raw", wasm + ".gz": "gzipped", wasm + ".br": "brotli",
		"plain.js": "js",
		font:       "otf", font + ".br": "otf-br",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api "+r.URL.Path) })
	srv := httptest.NewServer(webApp(dir, api))
	defer srv.Close()
	get := func(path, enc string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		// Set explicitly: the transport would otherwise add gzip and undo it.
		req.Header.Set("Accept-Encoding", enc)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	const immutable = "public, max-age=31536000, immutable"
	for _, c := range []struct {
		path, enc, body, ctype, cenc, cache string
		status                              int
	}{
		{"/app/", "", "<html>", "text/html; charset=utf-8", "", "no-cache", 200},
		{"/app/", "gzip, deflate, br, zstd", "html-br", "text/html; charset=utf-8", "br", "no-cache", 200},
		{"/app/index.html", "gzip", "<html>", "text/html; charset=utf-8", "", "no-cache", 200},
		{"/app/" + wasm, "identity", "raw", "application/wasm", "", immutable, 200},
		{"/app/" + wasm, "gzip, deflate", "gzipped", "application/wasm", "gzip", immutable, 200},
		{"/app/" + wasm, "gzip, deflate, br", "brotli", "application/wasm", "br", immutable, 200},
		{"/app/" + wasm, "br;q=0, gzip", "gzipped", "application/wasm", "gzip", immutable, 200},
		{"/app/" + wasm, "BR;q=0.5", "brotli", "application/wasm", "br", immutable, 200},
		{"/app/" + wasm, "*", "brotli", "application/wasm", "br", immutable, 200},
		{"/app/" + wasm, "br;q=0, *", "gzipped", "application/wasm", "gzip", immutable, 200},
		{"/app/" + font, "gzip, br", "otf-br", "font/otf", "br", immutable, 200},
		{"/app/" + font, "gzip", "otf", "font/otf", "", immutable, 200},
		{"/app/plain.js", "gzip, br", "js", "text/javascript; charset=utf-8", "", "no-cache", 200},
		{"/app/" + wasm + ".gz", "gzip", "", "", "", "", 404},
		{"/app/" + wasm + ".br", "br", "", "", "", "", 404},
		{"/app/missing.js", "", "", "", "", "", 404},
		{"/api/v1/me", "", "api /api/v1/me", "", "", "", 200},
		{"/healthz", "", "api /healthz", "", "", "", 200},
	} {
		resp, body := get(c.path, c.enc)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.path, resp.StatusCode, c.status)
			continue
		}
		if c.status != 200 {
			continue
		}
		if body != c.body {
			t.Errorf("%s (%s): body %q, want %q", c.path, c.enc, body, c.body)
		}
		if c.ctype != "" && resp.Header.Get("Content-Type") != c.ctype {
			t.Errorf("%s: Content-Type %q, want %q", c.path, resp.Header.Get("Content-Type"), c.ctype)
		}
		if resp.Header.Get("Content-Encoding") != c.cenc {
			t.Errorf("%s (%s): Content-Encoding %q, want %q", c.path, c.enc, resp.Header.Get("Content-Encoding"), c.cenc)
		}
		if c.cache != "" {
			if got := resp.Header.Get("Cache-Control"); got != c.cache {
				t.Errorf("%s: Cache-Control %q, want %q", c.path, got, c.cache)
			}
			if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("%s: Vary %q, want Accept-Encoding", c.path, got)
			}
		}
	}
	resp, _ := get("/app", "")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/app/" {
		t.Errorf("/app: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
