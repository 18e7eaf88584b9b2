package main

import (
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// webApp serves the member app's web build (make web) at /app/ and passes
// every other request to api.
//
// The build (scripts/build-web.sh) names the wasm and the JavaScript after
// their content (chorus.3f9a…e1.wasm), so they are sent with a year-long
// immutable Cache-Control: a phone downloads a build once. index.html, which
// names them, is sent no-cache (revalidated each load, a 304 when
// unchanged), so a new build is picked up at once.
//
// Beside each large file the build leaves precompressed NAME.br (brotli) and
// NAME.gz: the best one the browser accepts is sent, with Content-Encoding and
// Vary: Accept-Encoding, and never compressed on the fly.
func webApp(dir string, api http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", api)
	mux.Handle("GET /app", http.RedirectHandler("/app/", http.StatusMovedPermanently))
	mux.Handle("GET /app/", http.StripPrefix("/app", webFiles{root: http.Dir(dir)}))
	return mux
}

type webFiles struct{ root http.Dir }

// hashedName matches the content-hashed names the build writes:
// NAME.<16 or more hex digits>.EXT.
var hashedName = regexp.MustCompile(`\.[0-9a-f]{16,64}\.[a-z0-9]+$`)

// encodings are the precompressed forms the build writes, best first.
var encodings = []struct{ token, suffix string }{{"br", ".br"}, {"gzip", ".gz"}}

func (w webFiles) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	name := path.Clean("/" + r.URL.Path)
	if name == "/" {
		name = "/index.html"
	}
	if strings.HasSuffix(name, ".gz") || strings.HasSuffix(name, ".br") {
		http.NotFound(rw, r)
		return
	}
	h := rw.Header()
	ctype := mime.TypeByExtension(filepath.Ext(name))
	if strings.HasSuffix(name, ".otf") {
		// The CJK fonts the page fetches; Go's table lacks the type and the
		// system's may too.
		ctype = "font/otf"
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	if hashedName.MatchString(name) {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	accepted := acceptedEncodings(r.Header.Get("Accept-Encoding"))
	for _, e := range encodings {
		if !accepted[e.token] {
			continue
		}
		if f, st, ok := w.open(name + e.suffix); ok {
			defer f.Close()
			h.Set("Content-Encoding", e.token)
			http.ServeContent(rw, r, name, st.ModTime(), f)
			return
		}
	}
	f, st, ok := w.open(name)
	if !ok {
		http.NotFound(rw, r)
		return
	}
	defer f.Close()
	http.ServeContent(rw, r, name, st.ModTime(), f)
}

// open opens a regular file of the build.
func (w webFiles) open(name string) (http.File, os.FileInfo, bool) {
	f, err := w.root.Open(name)
	if err != nil {
		return nil, nil, false
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, false
	}
	return f, st, true
}

// acceptedEncodings reads an Accept-Encoding header ("gzip, br;q=0.8",
// "*;q=0.5"): the codings it accepts, q=0 meaning refused.
func acceptedEncodings(header string) map[string]bool {
	out := map[string]bool{}
	star := false
	seen := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		token, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		token = strings.ToLower(strings.TrimSpace(token))
		if token == "" {
			continue
		}
		ok := true
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q <= 0 {
					ok = false
				}
			}
		}
		if token == "*" {
			star = ok
			continue
		}
		seen[token] = true
		out[token] = ok
	}
	if star {
		for _, e := range encodings {
			if !seen[e.token] {
				out[e.token] = true
			}
		}
	}
	return out
}
