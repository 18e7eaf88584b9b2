package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// Many requests for a board nobody has asked for yet wait for one build,
// each board its own; once built, requests build nothing.
func TestLeaderboardColdBuildOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid := e.ProgramID
		sales := must[client.Group](t)(e.Manager.CreateGroup(ctx, pid, "Sales"))
		_, ann := e.AddMember("ann@acme.test", "UTC", sales.ID)
		_, bob := e.AddMember("bob@acme.test", "UTC")
		a := photo(t, e, "big", 50, client.ActivityInput{})
		for _, c := range []*client.Client{ann, bob} {
			must[client.PerformResult](t)(c.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "k"}))
		}
		var mu sync.Mutex
		builds := map[string]int{}
		e.API.OnBoardBuild(func(group string) {
			mu.Lock()
			builds[group]++
			mu.Unlock()
			// A slow build: every request below arrives while it runs.
			time.Sleep(100 * time.Millisecond)
		})
		const each = 16
		var wg sync.WaitGroup
		var failed atomic.Int32
		for i := 0; i < each; i++ {
			for _, group := range []string{"", sales.ID} {
				wg.Add(1)
				go func(c *client.Client, group string) {
					defer wg.Done()
					lb, err := c.Leaderboard(ctx, pid, "all", group, 0)
					if err != nil || len(lb.Entries) == 0 || lb.Me.Points != 50 {
						t.Errorf("group %q: %+v, %v", group, lb, err)
						failed.Add(1)
					}
				}([]*client.Client{ann, bob}[i%2], group)
			}
		}
		wg.Wait()
		if failed.Load() > 0 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if builds[""] != 1 || builds[sales.ID] != 1 || len(builds) != 2 {
			t.Fatalf("%d cold requests per board built %v, want each board once", each, builds)
		}
		if n := e.API.Boards(); n != 2 {
			t.Fatalf("boards in memory: %d, want 2", n)
		}
	})
}

// Boards nobody asks for leave memory on a sweep (a timer's, not a
// request's); a board in use stays.
func TestLeaderboardSweepIdle(t *testing.T) {
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	e := apitest.New(t, storetest.SQLite(t), func(o *httpapi.Options) { o.Now = clock })
	pid := e.ProgramID
	_, ann := e.AddMember("ann@acme.test", "UTC")
	for _, period := range []string{"all", "month", "week"} {
		must[client.Leaderboard](t)(ann.Leaderboard(ctx, pid, period, "", 0))
	}
	if n := e.API.Boards(); n != 3 {
		t.Fatalf("boards after three periods: %d", n)
	}
	e.API.SweepIdleBoards()
	if n := e.API.Boards(); n != 3 {
		t.Fatalf("a sweep dropped boards in use: %d left", n)
	}
	offset.Add(int64(httpapi.BoardIdle / 2))
	must[client.Leaderboard](t)(ann.Leaderboard(ctx, pid, "week", "", 0))
	offset.Add(int64(httpapi.BoardIdle/2 + time.Minute))
	e.API.SweepIdleBoards()
	if n := e.API.Boards(); n != 1 {
		t.Fatalf("after a sweep past idle: %d boards, want the week's only", n)
	}
	// The board is built again when asked for.
	if lb := must[client.Leaderboard](t)(ann.Leaderboard(ctx, pid, "all", "", 0)); lb.Me.Rank != 1 {
		t.Fatalf("rebuilt board: %+v", lb)
	}
}

// The sweep runs by itself on its timer while boards are in memory.
func TestLeaderboardSweepTimer(t *testing.T) {
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	e := apitest.New(t, storetest.SQLite(t), func(o *httpapi.Options) { o.Now = clock })
	e.API.SetBoardSweep(10 * time.Millisecond)
	_, ann := e.AddMember("ann@acme.test", "UTC")
	must[client.Leaderboard](t)(ann.Leaderboard(ctx, e.ProgramID, "all", "", 0))
	if n := e.API.Boards(); n != 1 {
		t.Fatalf("boards: %d", n)
	}
	offset.Add(int64(httpapi.BoardIdle + time.Minute))
	for deadline := time.Now().Add(10 * time.Second); e.API.Boards() != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the sweep timer never dropped the idle board")
		}
	}
	// A new board arms the sweep again.
	must[client.Leaderboard](t)(ann.Leaderboard(ctx, e.ProgramID, "week", "", 0))
	offset.Add(int64(httpapi.BoardIdle + time.Minute))
	for deadline := time.Now().Add(10 * time.Second); e.API.Boards() != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the sweep did not start again with a new board")
		}
	}
}

// GET /livez answers without the database: with the store closed it still
// says ok, while /healthz says the database is unreachable.
func TestLivez(t *testing.T) {
	st := storetest.SQLite(t)
	e := apitest.New(t, st)
	// /livez through the OpenAPI validator; /healthz's 503 is not in the
	// document, so plainly.
	get := func(path string) (int, map[string]any) {
		hc := e.HTTP()
		if path == "/healthz" {
			hc = http.DefaultClient
		}
		resp, err := hc.Get(e.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %q: %v", path, b, err)
		}
		return resp.StatusCode, m
	}
	if code, m := get("/livez"); code != http.StatusOK || len(m) != 1 || m["status"] != "ok" {
		t.Fatalf("/livez: %d %v", code, m)
	}
	st.Close()
	if code, _ := get("/healthz"); code != http.StatusServiceUnavailable {
		t.Fatalf("/healthz with the database closed: %d", code)
	}
	if code, m := get("/livez"); code != http.StatusOK || m["status"] != "ok" {
		t.Fatalf("/livez with the database closed: %d %v", code, m)
	}
}

// A group's board, made from the program's board in memory, holds the rows
// the store's group query reads: the group's members with points, pending
// ones left off, ties ranked alike, names on the top rows (by name within a
// tie), beyond boardNamed too.
func TestLeaderboardGroupFromProgramBoard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid := e.ProgramID
		g := must[client.Group](t)(e.Manager.CreateGroup(ctx, pid, "Big"))
		_, viewer := e.AddMember("viewer@acme.test", "UTC")
		const n = 1500
		now := time.Now().UnixMilli()
		var users, members, totals [][]any
		var inGroup []string
		for i := 0; i < n; i++ {
			id := domain.NewID("usr")
			users = append(users, []any{id, fmt.Sprintf("b%d@acme.test", i), fmt.Sprintf("B %d", i%400), "", "UTC", "en", false, now})
			members = append(members, []any{pid, id, "member", now, i%97 == 0}) // a few only invited
			if pts := i % 41; pts > 0 {
				totals = append(totals, []any{pid, "all", 0, id, pts * 10})
			}
			if i%3 != 0 {
				inGroup = append(inGroup, id)
			}
		}
		for _, b := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"users", []string{"id", "email", "name", "password_hash", "timezone", "locale", "tracking_opt_out", "created_at"}, users},
			{"memberships", []string{"program_id", "user_id", "role", "created_at", "pending"}, members},
			{"point_totals", []string{"program_id", "period", "period_start", "user_id", "points"}, totals},
		} {
			if err := st.BulkInsert(ctx, b.table, b.cols, b.rows); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.SetGroupMembers(ctx, pid, g.ID, inGroup); err != nil {
			t.Fatal(err)
		}
		want, err := st.Board(ctx, pid, "all", time.UnixMilli(0), g.ID, 500)
		if err != nil {
			t.Fatal(err)
		}
		lb := must[client.Leaderboard](t)(viewer.Leaderboard(ctx, pid, "all", g.ID, 500))
		if len(want) < 600 || len(lb.Entries) != 500 {
			t.Fatalf("group board: %d rows from the store, %d entries", len(want), len(lb.Entries))
		}
		for i, r := range lb.Entries {
			w := want[i]
			if r.MemberID != w.UserID || r.Name != w.Name || r.Points != w.Points || r.Rank != w.Rank || r.Name == "" {
				t.Fatalf("row %d: %+v, the store's %+v", i, r, w)
			}
		}
	})
}
