package store_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// markWhenListening takes a mark once the listener (started by the first
// mark) is up.
func markWhenListening(t *testing.T, mark func() store.Mark) store.Mark {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m := mark(); m != (store.Mark{}) {
			return m
		}
	}
	t.Fatal("the listener never started")
	return store.Mark{}
}

// staleWithin waits for m to stop being current, as a cache on the other
// instance must once the change's notification arrives.
func staleWithin(t *testing.T, c *store.Changes, m store.Mark, what string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if !c.Current(m) {
			return
		}
	}
	t.Fatalf("%s on the other instance: a mark taken before is still current after 5s", what)
}

func TestChangesOnPostgreSQL(t *testing.T) {
	url := storetest.PostgresURL(t)
	a, b := storetest.Open(t, store.Options{DatabaseURL: url}), storetest.Open(t, store.Options{DatabaseURL: url})
	f := setup(t, a)
	pid := f.prog.ID
	members := addMembers(t, a, pid, "c", 2)
	ann, bob := members[0].ID, members[1].ID
	act := domain.Activity{ID: domain.NewID("act"), ProgramID: pid, Type: domain.TypeWeChatPhoto, Message: "news",
		GroupIDs: []string{}, ChannelIDs: []string{}, StartsAt: t0.Add(-time.Hour), Points: 5,
		CreatedBy: f.mgr.ID, CreatorTimezone: "UTC", CreatedAt: t0, UpdatedAt: t0}
	must(t, a.CreateActivity(ctx, act))
	ca, cb := a.Changes(), b.Changes()

	annMark := markWhenListening(t, func() store.Mark { return cb.Mark(ann) })
	bobMark := cb.Mark(bob)
	content := cb.MarkContent()
	if !cb.Current(annMark) || !cb.Current(bobMark) || !cb.Current(content) {
		t.Fatal("marks are not current before any change")
	}

	// A perform on instance a: a's own mark is stale when it returns, b's
	// once b hears of it; Bob's and the content's stay current.
	aMark := markWhenListening(t, func() store.Mark { return ca.Mark(ann) })
	_, err := a.PerformWithLinks(ctx, store.PerformRequest{PerformRecord: store.PerformRecord{ProgramID: pid, ActivityID: act.ID, UserID: ann,
		ClientActionID: "c1", Surface: domain.SurfaceMobile, Points: 5, At: t0, EntryID: domain.NewID("pte"),
		Periods: store.Periods{Month: t0, Week: t0}}})
	must(t, err)
	if ca.Current(aMark) {
		t.Fatal("the performing instance's own mark is current after the perform returned")
	}
	staleWithin(t, cb, annMark, "a perform")
	if !cb.Current(bobMark) || !cb.Current(content) {
		t.Fatal("a perform of Ann's made Bob's or the content's mark stale")
	}

	// A TikTok staging's progress (a job's write, outside any request),
	// marked once b heard of the perform that made the staging.
	bobMark = cb.Mark(bob)
	_, err = a.PerformWithLinks(ctx, store.PerformRequest{PerformRecord: store.PerformRecord{ProgramID: pid, ActivityID: act.ID, UserID: bob,
		ClientActionID: "c2", Surface: domain.SurfaceMobile, Points: 5, At: t0, EntryID: domain.NewID("pte"),
		Periods: store.Periods{Month: t0, Week: t0}, Stage: &store.NewJob{Kind: "test-stage", Payload: "{}", RunAt: t0}}})
	must(t, err)
	staleWithin(t, cb, bobMark, "a perform with a staging")
	bobMark = cb.Mark(bob)
	must(t, a.SaveStaging(ctx, store.Staging{ActivityID: act.ID, UserID: bob, ProgramID: pid, Status: "uploading", UpdatedAt: t0}))
	staleWithin(t, cb, bobMark, "a staging's progress")

	// Points a manager gives (point totals, no perform).
	bobMark = cb.Mark(bob)
	must(t, a.Adjust(ctx, store.Entry{ID: domain.NewID("pte"), ProgramID: pid, UserID: bob, Kind: store.EntryAdjustment,
		Points: 3, CreatedAt: t0}, store.Periods{Month: t0, Week: t0}))
	staleWithin(t, cb, bobMark, "an adjustment")

	// Content: a group's members set.
	g := domain.Group{ID: domain.NewID("grp"), ProgramID: pid, Name: "Sales"}
	must(t, a.CreateGroup(ctx, g, t0))
	content = cb.MarkContent()
	aContent := ca.MarkContent()
	must(t, a.SetGroupMembers(ctx, pid, g.ID, []string{bob}))
	if ca.Current(aContent) {
		t.Fatal("the changing instance's own content mark is current after the change returned")
	}
	staleWithin(t, cb, content, "a group's members set")

	// The listeners' connections ended by the server: no mark taken
	// before is current again (notifications may have been missed), and
	// marks are given again once listening anew.
	content = markWhenListening(t, cb.MarkContent)
	db, err := sql.Open("pgx", url)
	must(t, err)
	defer db.Close()
	res, err := db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = 'chorus: ' || left('chorus_changes_' || current_schema(), 63)`)
	must(t, err)
	if n, _ := res.RowsAffected(); n != 2 {
		t.Fatalf("found %d listening connections, want 2 (one per instance)", n)
	}
	staleWithin(t, cb, content, "the listener's connection ending")
	m := markWhenListening(t, cb.MarkContent)
	bobMark = cb.Mark(bob)
	if !cb.Current(m) || !cb.Current(bobMark) {
		t.Fatal("a mark taken after the listener came back is not current")
	}
	must(t, a.Adjust(ctx, store.Entry{ID: domain.NewID("pte"), ProgramID: pid, UserID: bob, Kind: store.EntryAdjustment,
		Points: 1, CreatedAt: t0}, store.Periods{Month: t0, Week: t0}))
	staleWithin(t, cb, bobMark, "an adjustment after the listener came back")
}

func TestChangesOnSQLiteGiveNoMarks(t *testing.T) {
	c := storetest.SQLite(t).Changes()
	if m := c.Mark("usr_1"); c.Current(m) {
		t.Fatal("a SQLite mark is current: SQLite has no NOTIFY, caches must ask the database")
	}
}
