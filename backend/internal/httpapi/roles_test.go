package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"sync"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

func wantStatus(t *testing.T, what string, err error, status int) {
	t.Helper()
	if client.Status(err) != status {
		t.Fatalf("%s: %v (status %d), want %d", what, err, client.Status(err), status)
	}
}

// TestOwnersAndLimitedManagers walks the roles through the API on both
// databases: the creator owns the program, only owners make owners, the
// last owner stays, and a manager limited to a group creates activities and
// sees reports only for that group.
func TestOwnersAndLimitedManagers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid, owner := e.ProgramID, e.Manager
		me := must[client.Me](t)(owner.Me(ctx))
		if me.Memberships[0].Role != wire.RoleOwner {
			t.Fatalf("the program's creator: %+v", me.Memberships)
		}
		sales := must[client.Group](t)(owner.CreateGroup(ctx, pid, "Sales"))
		eng := must[client.Group](t)(owner.CreateGroup(ctx, pid, "Engineering"))
		news := must[client.Channel](t)(owner.CreateChannel(ctx, pid, client.ChannelInput{Name: "News", Visibility: "private"}))
		mgrID, mgr := e.AddMember("lead@acme.test", "UTC")
		seller, _ := e.AddMember("seller@acme.test", "UTC", sales.ID)
		engineer, _ := e.AddMember("engineer@acme.test", "UTC", eng.ID)

		// A manager cannot make owners; an owner can.
		must[client.Member](t)(owner.UpdateMember(ctx, pid, mgrID, client.UpdateMember{Role: apitest.Ptr("manager")}))
		_, err := mgr.UpdateMember(ctx, pid, seller, client.UpdateMember{Role: apitest.Ptr("owner")})
		wantStatus(t, "manager makes an owner", err, 403)
		_, err = mgr.UpdateMember(ctx, pid, e.ManagerID, client.UpdateMember{Role: apitest.Ptr("member")})
		wantStatus(t, "manager demotes the owner", err, 403)
		wantStatus(t, "manager removes the owner", mgr.RemoveMember(ctx, pid, e.ManagerID), 403)
		// The last owner stays.
		_, err = owner.UpdateMember(ctx, pid, e.ManagerID, client.UpdateMember{Role: apitest.Ptr("manager")})
		wantStatus(t, "the last owner steps down", err, 409)
		wantStatus(t, "the last owner leaves", owner.RemoveMember(ctx, pid, e.ManagerID), 409)

		// Two owners demoting each other at once: one wins.
		must[client.Member](t)(owner.UpdateMember(ctx, pid, mgrID, client.UpdateMember{Role: apitest.Ptr("owner")}))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range []struct {
			c   *client.Client
			uid string
		}{{owner, mgrID}, {mgr, e.ManagerID}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = pair.c.UpdateMember(ctx, pid, pair.uid, client.UpdateMember{Role: apitest.Ptr("member")})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if s := client.Status(err); s != 409 && s != 403 {
				t.Fatalf("demotion race: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("demotion race: %d won (%v / %v)", ok, errs[0], errs[1])
		}
		// errs[0]: the owner demoting mgrID; errs[1]: mgr demoting the owner.
		survivor, loser := owner, mgrID
		if errs[0] != nil {
			survivor, loser = mgr, e.ManagerID
		}
		owners := 0
		for _, m := range must[[]client.Member](t)(survivor.Members(ctx, pid)) {
			if m.Role == wire.RoleOwner {
				owners++
			}
			if m.ID == loser && m.Role != wire.RoleMember {
				t.Fatalf("the demoted owner: %+v", m)
			}
		}
		if owners != 1 {
			t.Fatalf("owners after the race: %d", owners)
		}
		// The creator owns the program again; lead becomes a manager
		// limited to Sales and the News channel.
		must[client.Member](t)(survivor.UpdateMember(ctx, pid, e.ManagerID, client.UpdateMember{Role: apitest.Ptr("owner")}))
		lim := must[client.Member](t)(owner.UpdateMember(ctx, pid, mgrID, client.UpdateMember{Role: apitest.Ptr("manager"), Limited: apitest.Ptr(true),
			ScopeGroupIDs: &[]string{sales.ID}, ScopeChannelIDs: &[]string{news.ID}}))
		if !lim.Limited || len(lim.ScopeGroupIDs) != 1 || len(lim.ScopeChannelIDs) != 1 {
			t.Fatalf("limited manager: %+v", lim)
		}
		_, err = owner.UpdateMember(ctx, pid, seller, client.UpdateMember{Limited: apitest.Ptr(true)})
		wantStatus(t, "limiting a member", err, 422)
		_, err = owner.UpdateMember(ctx, pid, mgrID, client.UpdateMember{ScopeGroupIDs: &[]string{"grp_nope"}})
		wantStatus(t, "limiting to another program's group", err, 422)

		mgr = e.SignIn("lead@acme.test")
		// Within the scope: yes. Outside or everyone: no.
		inside := must[client.Activity](t)(mgr.CreateActivity(ctx, pid, client.ActivityInput{Type: apitest.Ptr("wechat_photo"), Message: apitest.Ptr("for sales"), GroupIDs: &[]string{sales.ID}}))
		must[client.Activity](t)(mgr.CreateActivity(ctx, pid, client.ActivityInput{Type: apitest.Ptr("wechat_photo"), Message: apitest.Ptr("for news"), ChannelIDs: &[]string{news.ID}}))
		_, err = mgr.CreateActivity(ctx, pid, client.ActivityInput{Type: apitest.Ptr("wechat_photo"), Message: apitest.Ptr("for all")})
		wantStatus(t, "limited manager targets everyone", err, 403)
		_, err = mgr.CreateActivity(ctx, pid, client.ActivityInput{Type: apitest.Ptr("wechat_photo"), Message: apitest.Ptr("for eng"), GroupIDs: &[]string{sales.ID, eng.ID}})
		wantStatus(t, "limited manager targets another group", err, 403)
		_, err = mgr.UpdateActivity(ctx, pid, inside.ID, client.ActivityInput{GroupIDs: &[]string{}})
		wantStatus(t, "limited manager widens an activity", err, 403)
		outside := must[client.Activity](t)(owner.CreateActivity(ctx, pid, client.ActivityInput{Type: apitest.Ptr("wechat_photo"), Message: apitest.Ptr("for eng"), GroupIDs: &[]string{eng.ID}}))
		_, err = mgr.Activity(ctx, pid, outside.ID)
		wantStatus(t, "limited manager reads another group's activity", err, 403)
		_, err = mgr.UpdateActivity(ctx, pid, outside.ID, client.ActivityInput{Message: apitest.Ptr("mine now")})
		wantStatus(t, "limited manager edits another group's activity", err, 403)
		_, err = mgr.RemoveActivity(ctx, pid, outside.ID)
		wantStatus(t, "limited manager removes another group's activity", err, 403)
		_, err = mgr.ActivityReport(ctx, pid, outside.ID)
		wantStatus(t, "limited manager reads another group's report", err, 403)
		must[client.ActivityReport](t)(mgr.ActivityReport(ctx, pid, inside.ID))
		acts := must[[]client.Activity](t)(mgr.Activities(ctx, pid, client.ActivityQuery{}))
		if len(acts) != 2 {
			t.Fatalf("limited manager's activities: %d", len(acts))
		}
		sum := must[client.SummaryReport](t)(mgr.SummaryReport(ctx, pid, "", ""))
		if len(sum.Activities) != 2 {
			t.Fatalf("limited manager's summary activities: %+v", sum.Activities)
		}
		for _, m := range sum.Members {
			if m.MemberID == engineer {
				t.Fatal("limited manager's summary shows a member outside their groups")
			}
		}
		members := must[[]client.Member](t)(mgr.Members(ctx, pid))
		if len(members) != 1 || members[0].ID != seller {
			t.Fatalf("limited manager's members: %+v", members)
		}
		if gs := must[[]client.Group](t)(mgr.Groups(ctx, pid)); len(gs) != 1 || gs[0].ID != sales.ID {
			t.Fatalf("limited manager's groups: %+v", gs)
		}
		// Everything else managers do is not theirs.
		_, err = mgr.CreateGroup(ctx, pid, "Mine")
		wantStatus(t, "limited manager creates a group", err, 403)
		_, err = mgr.AddMember(ctx, pid, client.AddMember{Email: "x@acme.test"})
		wantStatus(t, "limited manager invites", err, 403)
		_, err = mgr.UpdateProgram(ctx, pid, client.UpdateProgram{Name: apitest.Ptr("Mine")})
		wantStatus(t, "limited manager changes settings", err, 403)
		_, err = mgr.AuditLog(ctx, pid, 0, 10)
		wantStatus(t, "a manager reads the audit log", err, 403)
		// Lifting the limit gives the rest back.
		must[client.Member](t)(owner.UpdateMember(ctx, pid, mgrID, client.UpdateMember{Limited: apitest.Ptr(false)}))
		if acts := must[[]client.Activity](t)(mgr.Activities(ctx, pid, client.ActivityQuery{})); len(acts) != 3 {
			t.Fatalf("after lifting the limit: %d activities", len(acts))
		}

		// The audit log saw each change, newest first, in pages.
		page := must[client.AuditPage](t)(owner.AuditLog(ctx, pid, 0, 5))
		if len(page.Items) != 5 || page.NextBefore == 0 {
			t.Fatalf("first page: %+v", page)
		}
		var all []client.AuditEntry
		for before := int64(0); ; {
			p := must[client.AuditPage](t)(owner.AuditLog(ctx, pid, before, 4))
			all = append(all, p.Items...)
			if p.NextBefore == 0 {
				break
			}
			before = p.NextBefore
		}
		actions := map[string]int{}
		for i, a := range all {
			actions[a.Action]++
			if i > 0 && a.ID >= all[i-1].ID {
				t.Fatal("audit log is not newest first")
			}
		}
		for action, n := range map[string]int{"group.create": 2, "channel.create": 1, "member.invite": 3, "member.update": 6, "activity.create": 3} {
			if actions[action] != n {
				t.Errorf("audit %s: %d entries, want %d (all: %v)", action, actions[action], n, actions)
			}
		}
		if all[len(all)-1].Action != "group.create" || all[len(all)-1].ActorName != "Manager" || all[len(all)-1].ObjectID != sales.ID || all[len(all)-1].Detail != "Sales" {
			t.Errorf("oldest entry: %+v", all[len(all)-1])
		}
		// Refused changes are not in the log.
		for _, a := range all {
			if a.Action == "group.create" && a.Detail == "Mine" {
				t.Error("a refused change was logged")
			}
		}
		_, err = owner.AuditLog(ctx, pid, 0, 1000)
		wantStatus(t, "a page too long", err, 422)
		raw := must[[]byte](t)(owner.CSV(ctx, pid, "audit"))
		rows := must[[][]string](t)(csv.NewReader(bytes.NewReader(raw)).ReadAll())
		if len(rows) != len(all)+1 || rows[0][4] != "action" || !strings.Contains(string(raw), "activity.create") {
			t.Fatalf("audit CSV: %d rows for %d entries\n%s", len(rows), len(all), raw)
		}
	})
}
