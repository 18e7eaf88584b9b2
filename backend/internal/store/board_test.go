package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// Program and group boards: best first, ties share a rank, names on the
// first named rows only (sorted by name within a tie), pending members and
// people without points left off; BoardPoints reads one member's points
// and checks the group in one go.
func TestBoard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		const n = 12
		ids := make([]string, n)
		var users, members, totals [][]any
		for i := range ids {
			ids[i] = domain.NewID("usr")
			users = append(users, []any{ids[i], fmt.Sprintf("m%d@x.test", i), fmt.Sprintf("M%02d", i), "", "UTC", "en", false, t0.UnixMilli()})
			// m11 is only invited: pending.
			members = append(members, []any{f.prog.ID, ids[i], "member", t0.UnixMilli(), i == 11})
			// points 100, 90, 90, 80, …; m10 has none at all.
			pts := []int{100, 90, 90, 80, 70, 60, 50, 40, 30, 20, 0, 500}[i]
			if pts > 0 {
				totals = append(totals, []any{f.prog.ID, "all", 0, ids[i], pts})
			}
		}
		must(t, st.BulkInsert(ctx, "users", []string{"id", "email", "name", "password_hash", "timezone", "locale", "tracking_opt_out", "created_at"}, users))
		must(t, st.BulkInsert(ctx, "memberships", []string{"program_id", "user_id", "role", "created_at", "pending"}, members))
		must(t, st.BulkInsert(ctx, "point_totals", []string{"program_id", "period", "period_start", "user_id", "points"}, totals))
		g := domain.Group{ID: domain.NewID("grp"), ProgramID: f.prog.ID, Name: "Odd"}
		must(t, st.CreateGroup(ctx, g, t0))
		odd := []string{}
		for i := 1; i < n; i += 2 {
			odd = append(odd, ids[i])
		}
		must(t, st.SetGroupMembers(ctx, f.prog.ID, g.ID, odd))

		show := func(rows []store.BoardRow) string {
			s := ""
			for _, r := range rows {
				s += fmt.Sprintf("%s:%d:%d ", r.Name, r.Points, r.Rank)
			}
			return s
		}
		rows, err := st.Board(ctx, f.prog.ID, "all", time.UnixMilli(0), "", 4)
		must(t, err)
		if got, want := show(rows), "M00:100:1 M01:90:2 M02:90:2 M03:80:4 :70:5 :60:6 :50:7 :40:8 :30:9 :20:10 "; got != want {
			t.Fatalf("program board\n got %s\nwant %s", got, want)
		}
		rows, err = st.Board(ctx, f.prog.ID, "all", time.UnixMilli(0), g.ID, 2)
		must(t, err)
		if got, want := show(rows), "M01:90:1 M03:80:2 :60:3 :40:4 :20:5 "; got != want {
			t.Fatalf("group board\n got %s\nwant %s", got, want)
		}
		if rows[2].UserID != ids[5] || rows[3].UserID != ids[7] {
			t.Fatalf("group board ids: %+v", rows)
		}
		for _, c := range []struct {
			user, group string
			want        int
		}{{ids[3], "", 80}, {ids[3], g.ID, 80}, {ids[10], g.ID, 0}, {ids[0], g.ID, 100}} {
			if got, err := st.BoardPoints(ctx, f.prog.ID, "all", time.UnixMilli(0), c.user, c.group); err != nil || got != c.want {
				t.Fatalf("BoardPoints(%s, %q) = %d, %v; want %d", c.user, c.group, got, err, c.want)
			}
		}
		for _, group := range []string{"grp_nope", f.otherGroup.ID} {
			if _, err := st.BoardPoints(ctx, f.prog.ID, "all", time.UnixMilli(0), ids[0], group); code(err) != domain.CodeNotFound {
				t.Fatalf("BoardPoints with group %s: %v, want not found", group, err)
			}
		}
	})
}
