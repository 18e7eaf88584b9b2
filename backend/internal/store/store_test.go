package store_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

var ctx = context.Background()

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func code(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func user(email string) domain.User {
	return domain.User{ID: domain.NewID("usr"), Email: email, Name: email, PasswordHash: "x", Timezone: "UTC", Locale: "en", CreatedAt: t0}
}

// fixture: a program with a manager and two members.
type fixture struct {
	prog       domain.Program
	mgr, a, b  domain.User
	other      domain.Program
	otherGroup domain.Group
}

func setup(t *testing.T, st *store.Store) fixture {
	var f fixture
	f.mgr, f.a, f.b = user("mgr@x.test"), user("a@x.test"), user("b@x.test")
	must(t, st.CreateUser(ctx, f.mgr))
	f.prog = domain.Program{ID: domain.NewID("prg"), Name: "P", Timezone: "UTC", LeaderboardEnabled: true, CreatedAt: t0}
	must(t, st.CreateProgram(ctx, f.prog, f.mgr.ID))
	for _, u := range []domain.User{f.a, f.b} {
		must(t, st.AddMember(ctx, f.prog.ID, store.NewMember{User: u, CreateUser: true, Role: domain.RoleMember}, t0))
	}
	f.other = domain.Program{ID: domain.NewID("prg"), Name: "Other", Timezone: "UTC", CreatedAt: t0}
	must(t, st.CreateProgram(ctx, f.other, f.mgr.ID))
	f.otherGroup = domain.Group{ID: domain.NewID("grp"), ProgramID: f.other.ID, Name: "Elsewhere"}
	must(t, st.CreateGroup(ctx, f.otherGroup, t0))
	return f
}

func TestUsersAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		u := user("u@x.test")
		must(t, st.CreateUser(ctx, u))
		if err := st.CreateUser(ctx, user("u@x.test")); code(err) != domain.CodeConflict {
			t.Fatalf("duplicate email: %v", err)
		}
		got, err := st.UserByEmail(ctx, "u@x.test")
		must(t, err)
		if !reflect.DeepEqual(got, u) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, u)
		}
		u.Name, u.Timezone, u.Locale, u.TrackingOptOut = "New", "Asia/Shanghai", "zh-Hans", true
		must(t, st.UpdateUser(ctx, u))
		got, _ = st.UserByID(ctx, u.ID)
		if !reflect.DeepEqual(got, u) {
			t.Fatalf("after update: %+v", got)
		}
		if _, err := st.UserByID(ctx, "usr_none"); code(err) != domain.CodeNotFound {
			t.Fatalf("missing user: %v", err)
		}
		must(t, st.CreateSession(ctx, "h1", u.ID, t0, t0.Add(time.Hour)))
		if s, err := st.SessionUser(ctx, "h1", t0.Add(59*time.Minute)); err != nil || s.ID != u.ID {
			t.Fatalf("live session: %v %v", s.ID, err)
		}
		if _, err := st.SessionUser(ctx, "h1", t0.Add(time.Hour)); code(err) != domain.CodeNotFound {
			t.Fatalf("expired session must not sign in: %v", err)
		}
		n, err := st.DeleteExpiredSessions(ctx, t0.Add(2*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		must(t, st.CreateSession(ctx, "h2", u.ID, t0, t0.Add(time.Hour)))
		must(t, st.DeleteSession(ctx, "h2"))
		if _, err := st.SessionUser(ctx, "h2", t0); code(err) != domain.CodeNotFound {
			t.Fatalf("deleted session: %v", err)
		}
	})
}

func TestMembersAndInvites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		ms, err := st.Memberships(ctx, f.mgr.ID)
		must(t, err)
		if len(ms) != 2 || ms[1].ProgramName != "P" || ms[1].Role != domain.RoleOwner {
			t.Fatalf("memberships: %+v", ms)
		}
		view, err := st.FeedView(ctx, f.prog.ID, f.a.ID)
		must(t, err)
		v1 := view.Version
		g := domain.Group{ID: domain.NewID("grp"), ProgramID: f.prog.ID, Name: "Sales"}
		must(t, st.CreateGroup(ctx, g, t0))
		if err := st.CreateGroup(ctx, domain.Group{ID: domain.NewID("grp"), ProgramID: f.prog.ID, Name: "Sales"}, t0); code(err) != domain.CodeConflict {
			t.Fatalf("duplicate group name: %v", err)
		}
		invited := domain.User{ID: domain.NewID("usr"), Email: "new@x.test", Name: "New", Timezone: "UTC", Locale: "en", CreatedAt: t0}
		must(t, st.AddMember(ctx, f.prog.ID, store.NewMember{User: invited, CreateUser: true, Role: domain.RoleMember, GroupIDs: []string{g.ID}, InviteHash: "ih", InviteTTL: time.Hour}, t0))
		if view, _ := st.FeedView(ctx, f.prog.ID, f.a.ID); view.Version <= v1 {
			t.Fatalf("adding a member must bump the content version: %d -> %d", v1, view.Version)
		}
		m, err := st.Member(ctx, f.prog.ID, invited.ID)
		must(t, err)
		if !m.Invited || !reflect.DeepEqual(m.GroupIDs, []string{g.ID}) {
			t.Fatalf("invited member: %+v", m)
		}
		if err := st.AddMember(ctx, f.prog.ID, store.NewMember{User: f.a, Role: domain.RoleMember}, t0); code(err) != domain.CodeConflict {
			t.Fatalf("adding twice: %v", err)
		}
		if err := st.AddMember(ctx, f.prog.ID, store.NewMember{User: user("c@x.test"), CreateUser: true, Role: domain.RoleMember, GroupIDs: []string{f.otherGroup.ID}}, t0); code(err) != domain.CodeValidation {
			t.Fatalf("group of another program: %v", err)
		}
		if _, err := st.UserByEmail(ctx, "c@x.test"); code(err) != domain.CodeNotFound {
			t.Fatalf("a refused add must leave nothing behind: %v", err)
		}
		inv, err := st.Invite(ctx, "ih")
		must(t, err)
		if inv.UserID != invited.ID || !inv.AcceptedAt.IsZero() {
			t.Fatalf("invite: %+v", inv)
		}
		invited.PasswordHash = "hash"
		// Two accepts at once: exactly one wins.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = st.AcceptInvite(ctx, "ih", inv, &invited, t0.Add(time.Minute)) }()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("both or neither accept won: %v / %v", errs[0], errs[1])
		}
		if err := st.AcceptInvite(ctx, "ih", inv, &invited, t0.Add(2*time.Minute)); code(err) != domain.CodeNotFound {
			t.Fatalf("second accept: %v", err)
		}
		m, _ = st.Member(ctx, f.prog.ID, invited.ID)
		if m.Invited {
			t.Fatal("accepted member still shown as invited")
		}
		// Roles and the last owner: the program's creator is its owner.
		if err := st.UpdateMember(ctx, f.prog.ID, f.mgr.ID, domain.RoleManager, nil); code(err) != domain.CodeConflict {
			t.Fatalf("demoting the last owner: %v", err)
		}
		// Two owners removing each other at once: one wins, and the
		// program keeps an owner (a lock, not a read-then-write).
		for round := 0; round < 5; round++ {
			must(t, st.AddManager(ctx, f.prog.ID, f.mgr.ID, domain.RoleOwner, t0))
			must(t, st.AddManager(ctx, f.prog.ID, f.a.ID, domain.RoleOwner, t0))
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, uid := range []string{f.mgr.ID, f.a.ID} {
				wg.Add(1)
				go func() { defer wg.Done(); errs[i] = st.RemoveMember(ctx, f.prog.ID, uid) }()
			}
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) || (code(errs[0]) != domain.CodeConflict && code(errs[1]) != domain.CodeConflict) {
				t.Fatalf("round %d: both or neither removal won: %v / %v", round, errs[0], errs[1])
			}
		}
		// The same race demoting instead of removing.
		for round := 0; round < 5; round++ {
			must(t, st.AddManager(ctx, f.prog.ID, f.mgr.ID, domain.RoleOwner, t0))
			must(t, st.AddManager(ctx, f.prog.ID, f.a.ID, domain.RoleOwner, t0))
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, uid := range []string{f.mgr.ID, f.a.ID} {
				wg.Add(1)
				go func() { defer wg.Done(); errs[i] = st.UpdateMember(ctx, f.prog.ID, uid, domain.RoleMember, nil) }()
			}
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("round %d: both or neither demotion won: %v / %v", round, errs[0], errs[1])
			}
		}
		must(t, st.AddManager(ctx, f.prog.ID, f.mgr.ID, domain.RoleOwner, t0))
		must(t, st.AddManager(ctx, f.prog.ID, f.a.ID, domain.RoleManager, t0))
		if m, _ := st.Member(ctx, f.prog.ID, f.mgr.ID); m.Role != domain.RoleOwner {
			t.Fatalf("add-manager demoted an owner: %s", m.Role)
		}
		must(t, st.UpdateMember(ctx, f.prog.ID, f.a.ID, domain.RoleOwner, []string{g.ID}))
		must(t, st.UpdateMember(ctx, f.prog.ID, f.mgr.ID, domain.RoleMember, nil))
		must(t, st.RemoveMember(ctx, f.prog.ID, f.mgr.ID))
		if err := st.RemoveMember(ctx, f.prog.ID, f.a.ID); code(err) != domain.CodeConflict {
			t.Fatalf("removing the last owner: %v", err)
		}
		must(t, st.RemoveMember(ctx, f.prog.ID, invited.ID))
		gs, _ := st.Groups(ctx, f.prog.ID)
		if len(gs) != 1 || gs[0].MemberCount != 1 {
			t.Fatalf("group count after removal: %+v", gs)
		}
		members, _ := st.Members(ctx, f.prog.ID)
		if len(members) != 2 {
			t.Fatalf("members: %+v", members)
		}
	})
}

func TestTargetingData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		pid := f.prog.ID
		sales := domain.Group{ID: domain.NewID("grp"), ProgramID: pid, Name: "Sales"}
		must(t, st.CreateGroup(ctx, sales, t0))
		must(t, st.SetGroupMembers(ctx, pid, sales.ID, []string{f.a.ID}))
		if err := st.SetGroupMembers(ctx, pid, sales.ID, []string{"usr_stranger"}); code(err) != domain.CodeValidation {
			t.Fatalf("non-member in a group: %v", err)
		}
		pub := domain.Channel{ID: domain.NewID("chn"), ProgramID: pid, Name: "News", Visibility: domain.VisibilityPublic}
		priv := domain.Channel{ID: domain.NewID("chn"), ProgramID: pid, Name: "Inner", Visibility: domain.VisibilityPrivate}
		must(t, st.CreateChannel(ctx, pub, t0))
		must(t, st.CreateChannel(ctx, priv, t0))
		must(t, st.SetFollow(ctx, pid, pub.ID, f.b.ID, true))
		must(t, st.SetFollow(ctx, pid, pub.ID, f.b.ID, true)) // idempotent
		if err := st.SetFollow(ctx, pid, priv.ID, f.b.ID, true); code(err) != domain.CodeNotFound {
			t.Fatalf("following a private channel: %v", err)
		}
		if err := st.SetChannelMembers(ctx, pid, pub.ID, []string{f.a.ID}); code(err) != domain.CodeConflict {
			t.Fatalf("choosing members of a public channel: %v", err)
		}
		must(t, st.SetChannelMembers(ctx, pid, priv.ID, []string{f.a.ID}))
		aud, err := st.Audience(ctx, pid, f.a.ID)
		must(t, err)
		if !aud.Groups[sales.ID] || !aud.Channels[priv.ID] || aud.Channels[pub.ID] || len(aud.Groups) != 1 {
			t.Fatalf("audience of a: %+v", aud)
		}
		aud, _ = st.Audience(ctx, pid, f.b.ID)
		if len(aud.Groups) != 0 || !aud.Channels[pub.ID] || len(aud.Channels) != 1 {
			t.Fatalf("audience of b: %+v", aud)
		}
		// A public channel made private: its follows stop counting.
		pub.Visibility = domain.VisibilityPrivate
		must(t, st.UpdateChannel(ctx, pub))
		aud, _ = st.Audience(ctx, pid, f.b.ID)
		if len(aud.Channels) != 0 {
			t.Fatalf("follow of a now-private channel still counts: %+v", aud)
		}
		cs, _ := st.Channels(ctx, pid, f.a.ID)
		if len(cs) != 2 || cs[0].Name != "Inner" || !cs[0].Following || cs[0].MemberCount != 1 {
			t.Fatalf("channels: %+v", cs)
		}
	})
}

func TestActivities(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		pid := f.prog.ID
		g := domain.Group{ID: domain.NewID("grp"), ProgramID: pid, Name: "G"}
		must(t, st.CreateGroup(ctx, g, t0))
		ch := domain.Channel{ID: domain.NewID("chn"), ProgramID: pid, Name: "C", Visibility: domain.VisibilityPublic}
		must(t, st.CreateChannel(ctx, ch, t0))
		cp := domain.Campaign{ID: domain.NewID("cmp"), ProgramID: pid, Name: "Launch"}
		must(t, st.CreateCampaign(ctx, cp, t0))
		mk := func(msg string, start, end time.Time) domain.Activity {
			return domain.Activity{ID: domain.NewID("act"), ProgramID: pid, Type: domain.TypeWeChatPhoto, Message: msg,
				GroupIDs: []string{}, ChannelIDs: []string{}, StartsAt: start, EndsAt: end, Points: 5,
				CreatedBy: f.mgr.ID, CreatorTimezone: "Asia/Shanghai", CreatedAt: t0, UpdatedAt: t0}
		}
		live := mk("live", t0.Add(-time.Hour), t0.Add(time.Hour))
		live.GroupIDs, live.ChannelIDs, live.CampaignID, live.Featured = []string{g.ID}, []string{ch.ID}, cp.ID, true
		forever := mk("forever", t0.Add(-time.Hour), time.Time{})
		later := mk("later", t0.Add(time.Hour), t0.Add(2*time.Hour))
		ended := mk("ended", t0.Add(-2*time.Hour), t0.Add(-time.Hour))
		for _, a := range []domain.Activity{live, forever, later, ended} {
			must(t, st.CreateActivity(ctx, a))
		}
		got, err := st.Activity(ctx, pid, live.ID)
		must(t, err)
		if !reflect.DeepEqual(got, live) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, live)
		}
		if _, err := st.Activity(ctx, f.other.ID, live.ID); code(err) != domain.CodeNotFound {
			t.Fatalf("activity through another program: %v", err)
		}
		cur, err := st.CurrentActivities(ctx, pid, t0)
		must(t, err)
		if names := msgs(cur); !reflect.DeepEqual(names, []string{"forever", "later", "live"}) {
			t.Fatalf("current: %v", names)
		}
		// Deleting a targeted group or channel is refused while it matters.
		if err := st.DeleteGroup(ctx, pid, g.ID, t0); code(err) != domain.CodeConflict {
			t.Fatalf("delete targeted group: %v", err)
		}
		if err := st.DeleteChannel(ctx, pid, ch.ID, t0); code(err) != domain.CodeConflict {
			t.Fatalf("delete targeted channel: %v", err)
		}
		// Edit replaces targets.
		live.GroupIDs, live.ChannelIDs, live.Message = []string{}, []string{}, "edited"
		live.UpdatedAt = t0.Add(time.Minute)
		must(t, st.UpdateActivity(ctx, live))
		got, _ = st.Activity(ctx, pid, live.ID)
		if !reflect.DeepEqual(got, live) {
			t.Fatalf("after edit:\n got %+v\nwant %+v", got, live)
		}
		must(t, st.DeleteGroup(ctx, pid, g.ID, t0))
		must(t, st.RemoveActivity(ctx, pid, forever.ID, t0))
		must(t, st.RemoveActivity(ctx, pid, forever.ID, t0.Add(time.Hour)))
		got, _ = st.Activity(ctx, pid, forever.ID)
		if !got.RemovedAt.Equal(t0) {
			t.Fatalf("removing twice must keep the first time: %v", got.RemovedAt)
		}
		cur, _ = st.CurrentActivities(ctx, pid, t0)
		if names := msgs(cur); !reflect.DeepEqual(names, []string{"edited", "later"}) {
			t.Fatalf("current after removal: %v", names)
		}
		all, _ := st.Activities(ctx, pid, store.ActivityFilter{CampaignID: cp.ID})
		if len(all) != 1 || all[0].ID != live.ID {
			t.Fatalf("campaign filter: %v", msgs(all))
		}
		must(t, st.DeleteCampaign(ctx, pid, cp.ID))
		got, _ = st.Activity(ctx, pid, live.ID)
		if got.CampaignID != "" {
			t.Fatalf("deleting a campaign must leave its activities without one: %q", got.CampaignID)
		}
		refs, err := st.CheckActivityRefs(ctx, pid, domain.Activity{GroupIDs: []string{f.otherGroup.ID}, ChannelIDs: []string{ch.ID, "chn_x"}, CampaignID: "cmp_x"})
		must(t, err)
		if len(refs) != 3 || refs["group_ids"] == "" || refs["channel_ids"] != "no such channel in this program: chn_x" {
			t.Fatalf("refs: %v", refs)
		}
	})
}

func msgs(as []*domain.Activity) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Message)
	}
	sort.Strings(out)
	return out
}

func TestReopenKeepsDataAndSkipsMigrations(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(ctx, store.Options{DataDir: dir})
	must(t, err)
	must(t, st.CreateUser(ctx, user("keep@x.test")))
	st.Close()
	st, err = store.Open(ctx, store.Options{DataDir: dir})
	must(t, err)
	defer st.Close()
	if _, err := st.UserByEmail(ctx, "keep@x.test"); err != nil {
		t.Fatal(err)
	}
}

// TestActivityJobsShareItsTransaction: the jobs an activity causes are
// stored exactly when the activity is.
func TestActivityJobsShareItsTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		a := domain.Activity{ID: domain.NewID("act"), ProgramID: f.prog.ID, Type: domain.TypeWeChatPhoto, Message: "m",
			StartsAt: t0, Points: 1, CreatedBy: f.mgr.ID, CreatorTimezone: "UTC", CreatedAt: t0, UpdatedAt: t0}
		job := store.NewJob{Kind: "announce", Payload: "{}", RunAt: t0, DedupeKey: "announce:" + a.ID}
		must(t, st.CreateActivity(ctx, a, job))
		if p, _, _, _ := st.JobCounts(ctx, "announce"); p != 1 {
			t.Fatalf("job not stored with the activity: %d", p)
		}
		// A failed save (same id again) leaves no job behind.
		if err := st.CreateActivity(ctx, a, store.NewJob{Kind: "announce", Payload: "{}", RunAt: t0, DedupeKey: "other"}); err == nil {
			t.Fatal("duplicate activity saved")
		}
		if p, _, _, _ := st.JobCounts(ctx, "announce"); p != 1 {
			t.Fatalf("a failed save left a job: %d pending", p)
		}
		a.Message = "edited"
		must(t, st.UpdateActivity(ctx, a, store.NewJob{Kind: "announce", Payload: "{}", RunAt: t0, DedupeKey: "edit"}))
		if p, _, _, _ := st.JobCounts(ctx, "announce"); p != 2 {
			t.Fatalf("edit's job: %d pending", p)
		}
	})
}
