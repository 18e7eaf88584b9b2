package notify_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// ended waits for a stream to be ended by the server.
func (s *stream) ended(t *testing.T, what string) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: the stream is still open", what)
	}
}

// open tells whether the stream is still open (waiting a moment).
func (s *stream) open() bool {
	select {
	case <-s.done:
		return false
	case <-time.After(200 * time.Millisecond):
		return true
	}
}

// hears waits for the next event of kind, skipping others.
func (s *stream) hears(t *testing.T, kind string) client.Event {
	t.Helper()
	for {
		if ev := s.next(t); ev.Kind == kind {
			return ev
		}
	}
}

// quietAbout fails when kind arrives within d.
func (s *stream) quietAbout(t *testing.T, kind string, d time.Duration) {
	t.Helper()
	end := time.After(d)
	for {
		select {
		case ev := <-s.events:
			if ev.Kind == kind {
				t.Fatalf("heard %s %s", ev.Kind, ev.Data)
			}
		case <-end:
			return
		}
	}
}

func streamStatus(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestStreamEndsWithItsSession: logging out ends that session's streams
// and only those; ending all of a person's sessions ends all of theirs.
func TestStreamEndsWithItsSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		annID, _ := e.AddMember("ann@acme.test", "UTC")
		phone, phoneClient := signIn(t, e, "ann@acme.test")
		desk, _ := signIn(t, e, "ann@acme.test")
		onPhone := openStream(t, e.URL, phone, "")
		onDesk := openStream(t, e.URL, desk, "")

		if err := phoneClient.Logout(ctx); err != nil {
			t.Fatal(err)
		}
		onPhone.ended(t, "after logout")
		if code := streamStatus(t, e.URL, phone); code != 401 {
			t.Fatalf("a stream on the ended session: %d", code)
		}
		if !onDesk.open() {
			t.Fatal("logging out on the phone ended the desktop's stream")
		}
		photo(t, e, "Still here", client.ActivityInput{})
		onDesk.hears(t, "feed_changed")

		// Every session revoked (a password set): every stream ends.
		if err := e.inst.n.EndUser(ctx, annID); err != nil {
			t.Fatal(err)
		}
		onDesk.ended(t, "after all sessions ended")
	})
}

// TestStreamFollowsMembership: a member taken out of a program stops
// hearing its events, told by a control row or found by the recheck.
func TestStreamFollowsMembership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		pid := e.ProgramID
		annID, _ := e.AddMember("ann@acme.test", "UTC")
		boID, _ := e.AddMember("bo@acme.test", "UTC")
		e.AddMember("cy@acme.test", "UTC")
		annToken, _ := signIn(t, e, "ann@acme.test")
		boToken, _ := signIn(t, e, "bo@acme.test")
		cyToken, _ := signIn(t, e, "cy@acme.test")
		ann := openStream(t, e.URL, annToken, "")
		bo := openStream(t, e.URL, boToken, "")
		cy := openStream(t, e.URL, cyToken, "")

		// Told: the API's removal announces the change.
		if err := e.Manager.RemoveMember(ctx, pid, annID); err != nil {
			t.Fatal(err)
		}
		photo(t, e, "Members only", client.ActivityInput{})
		cy.hears(t, "feed_changed")
		bo.hears(t, "feed_changed")
		ann.quietAbout(t, "feed_changed", 300*time.Millisecond)

		// Not told (a change straight in the database): the recheck finds it.
		e.inst.n.Bus().SetRecheck(50 * time.Millisecond)
		if err := st.RemoveMember(ctx, pid, boID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		photo(t, e, "Members only, again", client.ActivityInput{})
		cy.hears(t, "feed_changed")
		bo.quietAbout(t, "feed_changed", 300*time.Millisecond)
	})
}

// TestStreamEndsWhenSessionExpires: the recheck ends a stream whose session
// expired (or was deleted without a word to the bus).
func TestStreamEndsWhenSessionExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		e.AddMember("ann@acme.test", "UTC")
		token, _ := signIn(t, e, "ann@acme.test")
		s := openStream(t, e.URL, token, "")
		e.inst.n.Bus().SetRecheck(50 * time.Millisecond)
		if !s.open() {
			t.Fatal("a live session's stream ended")
		}
		e.clk.Advance(400 * 24 * time.Hour)
		s.ended(t, "after the session expired")
	})
}

// TestStreamEndsAcrossInstances: on PostgreSQL, a logout on one instance
// ends the session's streams on another, and a membership change told on
// one applies on the other.
func TestStreamEndsAcrossInstances(t *testing.T) {
	url := storetest.PostgresURL(t)
	st1 := must(store.Open(ctx, store.Options{DatabaseURL: url}))
	t.Cleanup(func() { st1.Close() })
	st2 := must(store.Open(ctx, store.Options{DatabaseURL: url}))
	t.Cleanup(func() { st2.Close() })
	e := newEnv(t, st1, nil)
	other := newInstance(st2, e.clk, e.fk.Senders(), nil)
	other.start(t)
	annID, _ := e.AddMember("ann@acme.test", "UTC")
	boID, _ := e.AddMember("bo@acme.test", "UTC")
	token, annClient := signIn(t, e, "ann@acme.test")
	boToken, _ := signIn(t, e, "bo@acme.test")

	subscribe := func(user, token string) (<-chan client.Event, func()) {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ch, stop, err := other.n.SubscribeSession(c, user, auth.HashToken(token), "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
		return ch, stop
	}
	closed := func(ch <-chan client.Event, what string) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return
				}
			case <-deadline:
				t.Fatalf("%s: the other instance's stream is still open", what)
			}
		}
	}
	annCh, _ := subscribe(annID, token)
	boCh, _ := subscribe(boID, boToken)

	if err := e.Manager.RemoveMember(ctx, e.ProgramID, boID); err != nil {
		t.Fatal(err)
	}
	if err := e.inst.n.MembershipChanged(ctx, e.ProgramID, boID); err != nil {
		t.Fatal(err)
	}
	photo(t, e, "Members only", client.ActivityInput{})
	select {
	case ev := <-annCh:
		if ev.Kind != "feed_changed" {
			t.Fatalf("ann heard %s", ev.Kind)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ann did not hear the feed change on the other instance")
	}
	select {
	case ev := <-boCh:
		t.Fatalf("a removed member heard %s %s on the other instance", ev.Kind, ev.Data)
	case <-time.After(300 * time.Millisecond):
	}

	if err := annClient.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	closed(annCh, "after logout on the first instance")
	if _, _, err := other.n.SubscribeSession(ctx, annID, auth.HashToken(token), ""); !errors.Is(err, notify.ErrSessionEnded) {
		t.Fatalf("subscribing with the ended session: %v", err)
	}
}
