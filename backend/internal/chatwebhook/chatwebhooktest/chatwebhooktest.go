// Package chatwebhooktest is a recording incoming-webhook receiver on
// loopback, standing in for Slack and Teams in tests and `serve --demo`. It
// answers as they do: 200 "ok" for a message it accepts, 400 for a payload
// that is not one, 404 for an unknown hook, 429 with Retry-After when told
// to throttle.
package chatwebhooktest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Post is one accepted message.
type Post struct {
	Hook string         // the hook's path name
	Kind string         // "slack" or "teams", by the payload's shape
	Body map[string]any // the decoded JSON
	Raw  []byte
	At   time.Time
}

// Server is the receiver.
type Server struct {
	srv *httptest.Server

	mu         sync.Mutex
	hooks      map[string]bool
	posts      []Post
	throttle   map[string]int // hook -> 429s still to answer
	retryAfter string
	slow       map[string]time.Duration
	calls      int
	max        int
	onPost     func(Post)
}

// Option adjusts the server.
type Option func(*Server)

// WithLog calls f for each accepted post.
func WithLog(f func(Post)) Option { return func(s *Server) { s.onPost = f } }

// WithMaxRecorded keeps only the last n posts (0: all).
func WithMaxRecorded(n int) Option { return func(s *Server) { s.max = n } }

// New starts the receiver.
func New(opts ...Option) *Server {
	s := &Server{hooks: map[string]bool{}, throttle: map[string]int{}, slow: map[string]time.Duration{}}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the receiver.
func (s *Server) Close() { s.srv.Close() }

// NewHook returns the URL of a new hook of the given kind ("slack" or
// "teams"; the path looks like theirs).
func (s *Server) NewHook(kind string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	name := kind + "-" + hex.EncodeToString(b)
	s.mu.Lock()
	s.hooks[name] = true
	s.mu.Unlock()
	return s.srv.URL + "/hooks/" + name
}

// Throttle answers 429 with Retry-After: after to the next n posts to the
// hook at url.
func (s *Server) Throttle(url string, n int, after string) {
	s.mu.Lock()
	s.throttle[hookName(url)] = n
	s.retryAfter = after
	s.mu.Unlock()
}

// Slow makes the hook at url answer after d.
func (s *Server) Slow(url string, d time.Duration) {
	s.mu.Lock()
	s.slow[hookName(url)] = d
	s.mu.Unlock()
}

// Remove makes a hook unknown (404), as a deleted webhook is.
func (s *Server) Remove(url string) {
	s.mu.Lock()
	delete(s.hooks, hookName(url))
	s.mu.Unlock()
}

// Posts returns the accepted posts, for the hook at url ("" = all).
func (s *Server) Posts(url string) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Post
	for _, p := range s.posts {
		if url == "" || p.Hook == hookName(url) {
			out = append(out, p)
		}
	}
	return out
}

// Calls counts requests, accepted or not.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func hookName(url string) string { return url[strings.LastIndex(url, "/")+1:] }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/hooks/")
	s.mu.Lock()
	s.calls++
	known, slow := s.hooks[name], s.slow[name]
	throttled := s.throttle[name] > 0
	if throttled {
		s.throttle[name]--
	}
	after := s.retryAfter
	s.mu.Unlock()
	if slow > 0 {
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/hooks/"):
		http.Error(w, "invalid_request", http.StatusBadRequest)
		return
	case !known:
		http.Error(w, "no_service", http.StatusNotFound)
		return
	case throttled:
		w.Header().Set("Retry-After", after)
		http.Error(w, "rate_limited", http.StatusTooManyRequests)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	var body map[string]any
	if err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal(raw, &body) != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	kind := ""
	switch {
	case body["blocks"] != nil || body["text"] != nil:
		kind = "slack"
	case body["type"] == "message" && body["attachments"] != nil:
		kind = "teams"
	default:
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	p := Post{Hook: name, Kind: kind, Body: body, Raw: raw, At: time.Now()}
	s.mu.Lock()
	s.posts = append(s.posts, p)
	if s.max > 0 && len(s.posts) > s.max {
		s.posts = s.posts[len(s.posts)-s.max:]
	}
	s.mu.Unlock()
	if s.onPost != nil {
		s.onPost(p)
	}
	if kind == "teams" {
		w.WriteHeader(http.StatusAccepted) // Workflows answer 202
		return
	}
	_, _ = io.WriteString(w, "ok")
}
