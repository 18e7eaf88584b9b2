package store_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// TestLargeMemberLists sets a group's and a private channel's members to
// more people than SQLite binds parameters in one statement (32,766).
func TestLargeMemberLists(t *testing.T) {
	const n = 40000
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		ids := make([]string, n)
		users := make([][]any, n)
		members := make([][]any, n)
		for i := range ids {
			ids[i] = domain.NewID("usr")
			users[i] = []any{ids[i], fmt.Sprintf("m%d@x.test", i), fmt.Sprintf("M %d", i), "", "UTC", "en", false, t0.UnixMilli()}
			members[i] = []any{f.prog.ID, ids[i], "member", t0.UnixMilli()}
		}
		must(t, st.BulkInsert(ctx, "users", []string{"id", "email", "name", "password_hash", "timezone", "locale", "tracking_opt_out", "created_at"}, users))
		must(t, st.BulkInsert(ctx, "memberships", []string{"program_id", "user_id", "role", "created_at"}, members))

		g := domain.Group{ID: domain.NewID("grp"), ProgramID: f.prog.ID, Name: "Everyone"}
		must(t, st.CreateGroup(ctx, g, t0))
		must(t, st.SetGroupMembers(ctx, f.prog.ID, g.ID, ids))
		if got, err := st.Group(ctx, f.prog.ID, g.ID); err != nil || got.MemberCount != n {
			t.Fatalf("group: %d members, %v; want %d", got.MemberCount, err, n)
		}
		ch := domain.Channel{ID: domain.NewID("chn"), ProgramID: f.prog.ID, Name: "All hands", Visibility: domain.VisibilityPrivate}
		must(t, st.CreateChannel(ctx, ch, t0))
		must(t, st.SetChannelMembers(ctx, f.prog.ID, ch.ID, ids))
		if in, err := st.PrivateMembers(ctx, f.prog.ID); err != nil || len(in[ch.ID]) != n {
			t.Fatalf("channel: %d members, %v; want %d", len(in[ch.ID]), err, n)
		}
		// Strangers among them: refused, naming a few of them, nothing changed.
		strangers := append(ids[:n/2:n/2], "usr_a", "usr_b", "usr_c", "usr_d", "usr_e", "usr_f", "usr_g", "usr_h", "usr_i", "usr_j", "usr_k", "usr_l")
		err := st.SetGroupMembers(ctx, f.prog.ID, g.ID, strangers)
		if code(err) != domain.CodeValidation || !strings.Contains(err.Error(), "usr_a") || !strings.Contains(err.Error(), "and 2 more") {
			t.Fatalf("strangers: %v", err)
		}
		if got, _ := st.Group(ctx, f.prog.ID, g.ID); got.MemberCount != n {
			t.Fatalf("a refused change left %d members", got.MemberCount)
		}
	})
}
