package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// addMembers adds n members to program pid, prefix0@x.test and on.
func addMembers(t *testing.T, st *store.Store, pid, prefix string, n int) []domain.User {
	t.Helper()
	var members []domain.User
	for i := range n {
		u := user(fmt.Sprintf("%s%d@x.test", prefix, i))
		must(t, st.AddMember(ctx, pid, store.NewMember{User: u, CreateUser: true, Role: domain.RoleMember}, t0))
		members = append(members, u)
	}
	return members
}

// TestPerformWithLinksGroupCommit sends many concurrent performs (so they
// share batches), with repeats and with performs that must fail, and checks
// that each perform is recorded once with its entry, balance, totals and
// links, that a failing perform fails alone, and that a repeat is answered
// "already performed" with the same codes.
func TestPerformWithLinksGroupCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		pid := f.prog.ID
		members := addMembers(t, st, pid, "p", 8)
		var acts []domain.Activity
		for i := 0; i < 6; i++ {
			a := domain.Activity{ID: domain.NewID("act"), ProgramID: pid, Type: domain.TypeWeChatPhoto,
				Message:  fmt.Sprintf("news https://example.com/%d and https://example.org/x", i),
				GroupIDs: []string{}, ChannelIDs: []string{}, StartsAt: t0.Add(-time.Hour), Points: i + 1,
				CreatedBy: f.mgr.ID, CreatorTimezone: "UTC", CreatedAt: t0, UpdatedAt: t0}
			must(t, st.CreateActivity(ctx, a))
			acts = append(acts, a)
		}
		urls := func(i int) []string {
			return []string{fmt.Sprintf("https://example.com/%d", i), "https://example.org/x"}
		}
		var codeSeq atomic.Int64
		newCode := func() string { return fmt.Sprintf("c%09d", codeSeq.Add(1)) }
		month, week := t0.AddDate(0, 0, -20), t0.AddDate(0, 0, -5)
		req := func(m, a int) store.PerformRequest {
			return store.PerformRequest{PerformRecord: store.PerformRecord{ProgramID: pid, ActivityID: acts[a].ID, UserID: members[m].ID,
				ClientActionID: fmt.Sprint(m, a), Surface: domain.SurfaceMobile, Points: acts[a].Points, At: t0,
				EntryID: domain.NewID("pte"), Periods: store.Periods{Month: month, Week: week}}, URLs: urls(a), NewCode: newCode}
		}
		type key struct{ m, a int }
		var mu sync.Mutex
		awarded := map[key]int{}
		codes := map[key][]map[string]string{}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for m := range members {
			for a := range acts {
				for rep := 0; rep < 2; rep++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						out, err := st.PerformWithLinks(ctx, req(m, a))
						if err != nil {
							t.Errorf("perform %d/%d: %v", m, a, err)
							return
						}
						mu.Lock()
						awarded[key{m, a}] += out.Awarded
						codes[key{m, a}] = append(codes[key{m, a}], out.Codes)
						mu.Unlock()
					}()
				}
				// A perform of an activity that does not exist fails on its
				// foreign key, inside the same batches: alone.
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					bad := req(m, a)
					bad.ActivityID = "act_missing"
					if _, err := st.PerformWithLinks(ctx, bad); err == nil {
						t.Errorf("a perform of a missing activity succeeded")
					}
				}()
			}
		}
		close(start)
		wg.Wait()
		for m, u := range members {
			want := 0
			for a, act := range acts {
				k := key{m, a}
				if awarded[k] != act.Points {
					t.Errorf("member %d activity %d: awarded %d in all, want %d once", m, a, awarded[k], act.Points)
				}
				want += act.Points
				cs := codes[k]
				if len(cs) != 2 || len(cs[0]) != 2 || fmt.Sprint(cs[0]) != fmt.Sprint(cs[1]) {
					t.Errorf("member %d activity %d: codes differ between the perform and its repeat: %v", m, a, cs)
				}
				ok, err := st.Performed(ctx, act.ID, u.ID)
				must(t, err)
				if !ok {
					t.Errorf("member %d activity %d: not performed", m, a)
				}
			}
			es, err := st.Entries(ctx, pid, u.ID, 100)
			must(t, err)
			if len(es) != len(acts) {
				t.Errorf("member %d: %d ledger entries, want %d", m, len(es), len(acts))
			}
			bal, err := st.Balance(ctx, pid, u.ID)
			must(t, err)
			if bal != want {
				t.Errorf("member %d: balance %d, want %d", m, bal, want)
			}
			for _, per := range []struct {
				name  string
				start time.Time
			}{{domain.PeriodAll, time.Unix(0, 0)}, {domain.PeriodMonth, month}, {domain.PeriodWeek, week}} {
				got, err := st.BoardPoints(ctx, pid, per.name, per.start, u.ID, "")
				must(t, err)
				if got != want {
					t.Errorf("member %d: %s total %d, want %d", m, per.name, got, want)
				}
			}
		}
		// The codes are the links the redirect follows, and a later
		// EnsureLinks (the share page) answers the same ones.
		c := codes[key{0, 0}][0]
		for u, code := range c {
			l, err := st.LinkByCode(ctx, code)
			must(t, err)
			if l.URL != u || l.UserID != members[0].ID || l.ActivityID != acts[0].ID || l.ProgramID != pid {
				t.Errorf("link %s: %+v", code, l)
			}
		}
		again, err := st.EnsureLinks(ctx, pid, acts[0].ID, members[0].ID, urls(0), newCode, t0)
		must(t, err)
		if fmt.Sprint(again) != fmt.Sprint(c) {
			t.Errorf("EnsureLinks after the perform: %v, want %v", again, c)
		}
		// A caller that gave up before its batch began is not written.
		gone, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := st.PerformWithLinks(gone, req(1, 0)); err == nil {
			t.Errorf("a perform whose caller had gone was answered")
		}
	})
}

// TestPerformLinkCodeCollision: a new link whose code is already another
// link's is given a fresh code in the same perform, and the perform is
// still recorded once.
func TestPerformLinkCodeCollision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		pid := f.prog.ID
		members := addMembers(t, st, pid, "c", 2)
		a := domain.Activity{ID: domain.NewID("act"), ProgramID: pid, Type: domain.TypeWeChatPhoto, Message: "news https://example.com/c",
			GroupIDs: []string{}, ChannelIDs: []string{}, StartsAt: t0.Add(-time.Hour), Points: 3,
			CreatedBy: f.mgr.ID, CreatorTimezone: "UTC", CreatedAt: t0, UpdatedAt: t0}
		must(t, st.CreateActivity(ctx, a))
		codes := func(cs ...string) func() string {
			return func() string {
				c := cs[0]
				if len(cs) > 1 {
					cs = cs[1:]
				}
				return c
			}
		}
		req := func(m int, newCode func() string) store.PerformRequest {
			return store.PerformRequest{PerformRecord: store.PerformRecord{ProgramID: pid, ActivityID: a.ID, UserID: members[m].ID,
				ClientActionID: fmt.Sprint(m), Surface: domain.SurfaceMobile, Points: a.Points, At: t0,
				EntryID: domain.NewID("pte"), Periods: store.Periods{Month: t0, Week: t0}}, URLs: []string{"https://example.com/c"}, NewCode: newCode}
		}
		first, err := st.PerformWithLinks(ctx, req(0, codes("same")))
		must(t, err)
		second, err := st.PerformWithLinks(ctx, req(1, codes("same", "fresh")))
		must(t, err)
		if got := first.Codes["https://example.com/c"]; got != "same" {
			t.Errorf("first member's code %q, want same", got)
		}
		if got := second.Codes["https://example.com/c"]; got != "fresh" {
			t.Errorf("second member's code %q, want fresh (a new code after the collision)", got)
		}
		if second.Awarded != a.Points || second.Balance != a.Points {
			t.Errorf("second perform: %+v", second.PerformOutcome)
		}
		again, err := st.PerformWithLinks(ctx, req(1, codes("other")))
		must(t, err)
		if !again.AlreadyPerformed || again.Awarded != 0 || again.Balance != a.Points || again.Codes["https://example.com/c"] != "fresh" {
			t.Errorf("repeat: %+v %v", again.PerformOutcome, again.Codes)
		}
	})
}
