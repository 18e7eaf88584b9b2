package notify_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// stream is an open GET /api/v1/events read by the test.
type stream struct {
	events chan client.Event
	lines  chan string // comment lines (heartbeats)
	done   chan error
	cancel func()
}

// openStream connects and returns once the server has subscribed (it
// writes ": connected" after that), so nothing published later is missed.
func openStream(t *testing.T, base, token, lastID string) *stream {
	t.Helper()
	c, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(c, "GET", base+"/api/v1/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			cancel()
			t.Fatalf("stream preamble: %v", err)
		}
		if line == "\n" {
			break
		}
	}
	s := &stream{events: make(chan client.Event, 100), lines: make(chan string, 100), done: make(chan error, 1), cancel: cancel}
	pr, pw := io.Pipe()
	go func() {
		// Tee comment lines off to s.lines; the client's parser reads the rest.
		defer pw.Close()
		for {
			line, err := br.ReadString('\n')
			if strings.HasPrefix(line, ":") {
				select {
				case s.lines <- strings.TrimSpace(line):
				default:
				}
			}
			if _, werr := io.WriteString(pw, line); werr != nil || err != nil {
				return
			}
		}
	}()
	go func() {
		_, err := client.ReadEventStream(pr, lastID, func(ev client.Event) error { s.events <- ev; return nil })
		resp.Body.Close()
		s.done <- err
	}()
	t.Cleanup(cancel)
	return s
}

func (s *stream) next(t *testing.T) client.Event {
	t.Helper()
	select {
	case ev := <-s.events:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return client.Event{}
}

func data(t *testing.T, ev client.Event) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ev.Data, &m); err != nil {
		t.Fatalf("event %s data %s: %v", ev.Kind, ev.Data, err)
	}
	return m
}

func signIn(t *testing.T, e *env, email string) (string, *client.Client) {
	t.Helper()
	s, err := e.Client().Login(ctx, email, apitest.Password)
	if err != nil {
		t.Fatal(err)
	}
	return s.Token, e.Client().SetToken(s.Token)
}

// TestEventStream: a member's open app hears about their points, their
// program's feed and their handoffs; a reconnect with Last-Event-ID gets
// what it missed; a poll gets the same; heartbeats keep the stream alive;
// shutdown ends it.
func TestEventStream(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		pid := e.ProgramID
		e.AddMember("ann@acme.test", "UTC")
		e.AddMember("bo@acme.test", "UTC")
		annToken, ann := signIn(t, e, "ann@acme.test")
		_, bo := signIn(t, e, "bo@acme.test")
		a := photo(t, e, "First", client.ActivityInput{Points: apitest.Ptr(10)})
		// Events are stored asynchronously: let this one land before the
		// stream opens, so the stream starts after it.
		waitFor(t, 5*time.Second, "the first feed event stored", func() bool {
			l, err := ann.PollEvents(ctx, "0")
			return err == nil && len(l.Items) == 1
		})

		s := openStream(t, e.URL, annToken, "")
		res, err := ann.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "p1"})
		if err != nil {
			t.Fatal(err)
		}
		ev := s.next(t)
		if ev.Kind != "points_changed" || ev.ID == "" || data(t, ev)["points_total"] != float64(res.PointsTotal) || data(t, ev)["activity_id"] != a.ID {
			t.Fatalf("first event: %s %s %s", ev.ID, ev.Kind, ev.Data)
		}
		first := ev.ID
		b := photo(t, e, "Second", client.ActivityInput{Points: apitest.Ptr(5)})
		ev = s.next(t)
		if ev.Kind != "feed_changed" || data(t, ev)["activity_id"] != b.ID || data(t, ev)["reason"] != "saved" {
			t.Fatalf("feed event: %s %s", ev.Kind, ev.Data)
		}
		select {
		case line := <-s.lines:
			if line != ": heartbeat" {
				t.Fatalf("comment line %q", line)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("no heartbeat")
		}
		s.cancel()

		// Offline: more happens.
		if _, err := ann.Perform(ctx, pid, b.ID, client.Perform{ClientActionID: "p2"}); err != nil {
			t.Fatal(err)
		}
		if _, err := ann.Handoff(ctx, pid, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := bo.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "p3"}); err != nil {
			t.Fatal(err) // bo's points are not ann's business
		}
		time.Sleep(200 * time.Millisecond) // let the bus store them

		// Reconnect after the first event: the feed change, ann's second
		// perform and her handoff, in order (the client's own reader).
		rc, stop := context.WithCancel(ctx)
		var kinds []string
		var lastID string
		go func() { time.Sleep(5 * time.Second); stop() }()
		lastID, err = ann.StreamEvents(rc, first, func(ev client.Event) error {
			kinds = append(kinds, ev.Kind)
			if len(kinds) == 3 {
				return errors.New("enough")
			}
			return nil
		})
		stop()
		if err == nil || err.Error() != "enough" || strings.Join(kinds, ",") != "feed_changed,points_changed,handoff" {
			t.Fatalf("resumed: %v (%v)", kinds, err)
		}

		// A poll from the same point says the same, validated against the
		// OpenAPI document.
		list, err := ann.PollEvents(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		var polled []string
		for _, ev := range list.Items {
			polled = append(polled, ev.Kind)
		}
		if strings.Join(polled, ",") != "feed_changed,points_changed,handoff" || list.Reset || list.Items[2].ID != lastID {
			t.Fatalf("poll: %+v", list)
		}
		// Event ids are decimal numbers: compared as numbers, not text.
		if list, err := ann.PollEvents(ctx, lastID); err != nil || len(list.Items) != 0 || eventNumber(t, list.LastEventID) < eventNumber(t, lastID) {
			t.Fatalf("poll at the end: %+v %v", list, err)
		}
		// An id we never gave out: reload everything.
		if list, err := ann.PollEvents(ctx, "999999999"); err != nil || !list.Reset {
			t.Fatalf("poll with a foreign id: %+v %v", list, err)
		}
		s2 := openStream(t, e.URL, annToken, "999999999")
		if ev := s2.next(t); ev.Kind != "reset" || ev.ID != "" {
			t.Fatalf("stream with a foreign id: %+v", ev)
		}
		// A manager withdraws an activity: open feeds hear of it.
		if _, err := e.Manager.RemoveActivity(ctx, pid, b.ID); err != nil {
			t.Fatal(err)
		}
		if ev := s2.next(t); ev.Kind != "feed_changed" || data(t, ev)["reason"] != "removed" || data(t, ev)["activity_id"] != b.ID {
			t.Fatalf("after a removal: %s %s", ev.Kind, ev.Data)
		}

		// Shutdown ends open streams.
		e.API.CloseStreams()
		select {
		case <-s2.done:
		case <-time.After(3 * time.Second):
			t.Fatal("stream still open after CloseStreams")
		}
	})
}

func eventNumber(t *testing.T, id string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatalf("event id %q is not a number", id)
	}
	return n
}
