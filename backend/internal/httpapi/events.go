package httpapi

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// Events is where a person's live events come from (package notify).
type Events interface {
	// SubscribeSession delivers the person's events: first those after
	// lastEventID (or a "reset" event when they are no longer kept), then
	// new ones, until stop is called or the channel is closed. The stream
	// belongs to the session (its token hash): it is closed when the
	// session ends (EndSession, EndUser, expiry), and it carries a program's
	// events only while the person is a member (MembershipChanged).
	SubscribeSession(ctx context.Context, userID, sessionHash, lastEventID string) (events <-chan client.Event, stop func(), err error)
	// Since answers a poll: the events after lastEventID.
	Since(ctx context.Context, userID, lastEventID string) (client.EventList, error)
	// EndSession closes the session's streams on every instance.
	EndSession(ctx context.Context, sessionHash string) error
	// EndUser closes all of the person's streams on every instance.
	EndUser(ctx context.Context, userID string) error
	// MembershipChanged makes the person's streams, on every instance,
	// hear the program or stop hearing it as their membership now says.
	MembershipChanged(ctx context.Context, programID, userID string) error
}

// endSessionStreams closes a session's event streams, on every instance.
// Call it after the session is deleted (logout): a stream that reconnects
// finds the session gone.
func (s *Server) endSessionStreams(ctx context.Context, sessionHash string) {
	if s.o.Events == nil {
		return
	}
	if err := s.o.Events.EndSession(context.WithoutCancel(ctx), sessionHash); err != nil {
		// The streams still end within the bus's recheck interval.
		s.log.Error("end the session's event streams", "err", err)
	}
}

// endUserStreams closes every event stream of a person, on every instance.
// Call it after all of their sessions were revoked (a password set or
// reset, an account disabled).
func (s *Server) endUserStreams(ctx context.Context, userID string) {
	if s.o.Events == nil {
		return
	}
	if err := s.o.Events.EndUser(context.WithoutCancel(ctx), userID); err != nil {
		s.log.Error("end the person's event streams", "user", userID, "err", err)
	}
}

// membershipChanged makes a person's open event streams follow their
// membership of a program, on every instance. Call it after a removal from
// a program commits (and after an addition or an accepted invite, so open
// streams start hearing the program).
func (s *Server) membershipChanged(ctx context.Context, programID, userID string) {
	if s.o.Events == nil {
		return
	}
	if err := s.o.Events.MembershipChanged(context.WithoutCancel(ctx), programID, userID); err != nil {
		s.log.Error("tell event streams about a membership", "program", programID, "user", userID, "err", err)
	}
}

// DefaultHeartbeat is how often an idle event stream gets a comment line,
// so proxies and the app see the connection alive.
const DefaultHeartbeat = 15 * time.Second

// streams lets shutdown end every open event stream: http.Server.Shutdown
// waits for handlers, and a stream handler never ends by itself.
type streams struct {
	once sync.Once
	done chan struct{}
	mu   sync.Mutex
}

func (st *streams) ch() chan struct{} {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.done == nil {
		st.done = make(chan struct{})
	}
	return st.done
}

// CloseStreams ends every open event stream, now and from now on. Register
// it with http.Server.RegisterOnShutdown.
func (s *Server) CloseStreams() {
	done := s.streams.ch()
	s.streams.once.Do(func() { close(done) })
}

// events serves GET /api/v1/events: a server-sent event stream when the
// caller accepts text/event-stream, else a poll answered in JSON.
func (s *Server) events(c *call, _ none) (client.EventList, error) {
	last := strings.TrimSpace(c.r.Header.Get("Last-Event-ID"))
	if last == "" {
		last = c.query("last_event_id")
	}
	if !acceptsEventStream(c.r) {
		if s.o.Events == nil {
			return client.EventList{Items: []client.Event{}}, nil
		}
		return s.o.Events.Since(c.ctx, c.user.ID, last)
	}
	return client.EventList{}, s.stream(c, last)
}

func acceptsEventStream(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/event-stream" {
			return true
		}
	}
	return false
}

func (s *Server) stream(c *call, last string) error {
	var events <-chan client.Event // nil without an event source: heartbeats only
	if s.o.Events != nil {
		ch, stop, err := s.o.Events.SubscribeSession(c.ctx, c.user.ID, c.session, last)
		if err != nil {
			return err
		}
		defer stop()
		events = ch
	}
	heartbeat := s.o.EventHeartbeat
	if heartbeat <= 0 {
		heartbeat = DefaultHeartbeat
	}
	w, rc := c.w, http.NewResponseController(c.w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	// A reconnecting EventSource waits retry ms; the comment opens the
	// stream at once so the app knows it is connected.
	io.WriteString(w, "retry: 3000\n: connected\n\n")
	if rc.Flush() != nil {
		return errHandled
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	done := s.streams.ch()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return errHandled // the source ended it (shutdown, reader too slow, session ended): the app reconnects
			}
			_ = rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
			writeEvent(w, ev)
		more:
			for i := 0; i < 100; i++ {
				select {
				case ev, ok := <-events:
					if !ok {
						break more
					}
					writeEvent(w, ev)
				default:
					break more
				}
			}
		case <-tick.C:
			_ = rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
			io.WriteString(w, ": heartbeat\n\n")
		case <-c.ctx.Done():
			return errHandled
		case <-done:
			return errHandled
		}
		if rc.Flush() != nil {
			return errHandled
		}
	}
}

// writeEvent writes one event in the text/event-stream format; an event
// without id (reset) leaves the app's last id as it was.
func writeEvent(w io.Writer, ev client.Event) {
	var b strings.Builder
	if ev.ID != "" {
		b.WriteString("id: " + ev.ID + "\n")
	}
	b.WriteString("event: " + ev.Kind + "\n")
	data := string(ev.Data)
	if data == "" {
		data = "{}"
	}
	for _, line := range strings.Split(data, "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}
