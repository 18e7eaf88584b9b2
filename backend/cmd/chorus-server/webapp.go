package main

import (
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// webApp serves the member app's web build (make web) at /app/ and passes
// every other request to api. The wasm file is large (tens of MB), so a
// precompressed NAME.gz beside a file is sent instead when the browser takes
// gzip. Everything is revalidated on each load (ETag-less Last-Modified), so
// a new build is picked up at once and an unchanged one costs a 304.
func webApp(dir string, api http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", api)
	mux.Handle("GET /app", http.RedirectHandler("/app/", http.StatusMovedPermanently))
	mux.Handle("GET /app/", http.StripPrefix("/app", webFiles{root: http.Dir(dir)}))
	return mux
}

type webFiles struct{ root http.Dir }

func (w webFiles) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	name := path.Clean("/" + r.URL.Path)
	if name == "/" {
		name = "/index.html"
	}
	if strings.HasSuffix(name, ".gz") {
		http.NotFound(rw, r)
		return
	}
	h := rw.Header()
	ctype := mime.TypeByExtension(filepath.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		if f, err := w.root.Open(name + ".gz"); err == nil {
			defer f.Close()
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				h.Set("Content-Encoding", "gzip")
				http.ServeContent(rw, r, name, st.ModTime(), f)
				return
			}
		}
	}
	f, err := w.root.Open(name)
	if err != nil {
		if os.IsNotExist(err) {
			http.NotFound(rw, r)
			return
		}
		http.Error(rw, "cannot read the web app", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.NotFound(rw, r)
		return
	}
	http.ServeContent(rw, r, name, st.ModTime(), f)
}
