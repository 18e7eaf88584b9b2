package httpapi

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// DefaultBodyIdle is how long a request body may stall between reads.
const DefaultBodyIdle = time.Minute

// withBodyDeadlines gives every request body a read deadline that moves on
// while bytes arrive: a connection that sends headers and then nothing is
// closed after idle, while a slow phone uploading a large chunk steadily
// is never cut. (http.Server's ReadTimeout would cap the whole transfer.)
// Once the body is read the deadline is lifted, so long responses such as
// event streams are not ended by it.
func withBodyDeadlines(h http.Handler, idle time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			rc := http.NewResponseController(w)
			now := time.Now()
			_ = rc.SetReadDeadline(now.Add(idle))
			r.Body = &idleBody{ReadCloser: r.Body, rc: rc, idle: idle, extended: now}
		}
		h.ServeHTTP(w, r)
	})
}

type idleBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	idle     time.Duration
	extended time.Time
	done     bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	// Moving the deadline is a syscall: once a second is enough when
	// the idle time is minutes.
	if now := time.Now(); now.Sub(b.extended) > min(b.idle/4, time.Second) {
		_ = b.rc.SetReadDeadline(now.Add(b.idle))
		b.extended = now
	}
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
