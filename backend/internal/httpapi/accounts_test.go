package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

func TestAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid, mgr := e.ProgramID, e.Manager
		me := must[client.Me](t)(mgr.Me(ctx))
		if me.Email != "mgr@acme.test" || len(me.Memberships) != 1 || me.Memberships[0].Role != "owner" || me.Memberships[0].ProgramName != "Acme" {
			t.Fatalf("me: %+v", me)
		}
		if _, err := e.Client().Login(ctx, "MGR@acme.test ", "wrong-password"); client.Status(err) != 401 {
			t.Fatalf("wrong password: %v", err)
		}
		if _, err := e.Client().Login(ctx, "nobody@acme.test", "whatever1"); client.Status(err) != 401 {
			t.Fatalf("unknown person: %v", err)
		}
		// Email is case-insensitive.
		if _, err := e.Client().Login(ctx, " MGR@Acme.test", apitest.Password); err != nil {
			t.Fatalf("email case: %v", err)
		}
		upd := must[client.Me](t)(mgr.UpdateMe(ctx, client.UpdateMe{Timezone: apitest.Ptr("Europe/Berlin"), Locale: apitest.Ptr("zh-Hans"), TrackingOptOut: apitest.Ptr(true)}))
		if upd.Timezone != "Europe/Berlin" || upd.Locale != "zh-Hans" || !upd.TrackingOptOut || upd.Name != "Manager" {
			t.Fatalf("update me: %+v", upd)
		}

		// Invite: without a password the answer carries a code.
		g := must[client.Group](t)(mgr.CreateGroup(ctx, pid, "Sales"))
		added := must[client.AddedMember](t)(mgr.AddMember(ctx, pid, client.AddMember{Email: "New@Acme.test", Name: "Newbie", GroupIDs: []string{g.ID}}))
		if added.InviteCode == "" || added.Member.Status != "invited" || added.Member.Email != "new@acme.test" || added.Member.Timezone != "Europe/Berlin" {
			t.Fatalf("invite: %+v", added)
		}
		if _, err := e.Client().Login(ctx, "new@acme.test", ""); client.Status(err) != 401 {
			t.Fatalf("an invited person has no password yet: %v", err)
		}
		newbie := e.Client()
		if _, err := newbie.AcceptInvite(ctx, client.AcceptInvite{Code: added.InviteCode, Name: "Nina", Password: "short"}); apitest.Code(err) != "validation_failed" {
			t.Fatalf("short password: %v", err)
		}
		s := must[client.Session](t)(newbie.AcceptInvite(ctx, client.AcceptInvite{Code: strings.ToLower(added.InviteCode), Name: "Nina", Password: "nina-secret"}))
		if s.User.Name != "Nina" || len(s.User.Memberships) != 1 || s.User.Memberships[0].Role != "member" {
			t.Fatalf("accepted: %+v", s.User)
		}
		if _, err := e.Client().AcceptInvite(ctx, client.AcceptInvite{Code: added.InviteCode, Name: "Eve", Password: "eve-secret"}); client.Status(err) != 409 {
			t.Fatalf("invite used twice: %v", err)
		}
		if _, err := e.Client().AcceptInvite(ctx, client.AcceptInvite{Code: "AAAAA-BBBBB", Name: "Eve", Password: "eve-secret"}); client.Status(err) != 404 {
			t.Fatalf("unknown code: %v", err)
		}
		if _, err := e.Client().Login(ctx, "new@acme.test", "nina-secret"); err != nil {
			t.Fatalf("sign in after accepting: %v", err)
		}
		members := must[[]client.Member](t)(mgr.Members(ctx, pid))
		if len(members) != 2 {
			t.Fatalf("members: %+v", members)
		}

		// A person of another program is invited like anyone else: the
		// answer shows what the manager typed, and they join only by
		// accepting with their own password.
		otherPID, other := e.OtherProgram()
		res := must[client.AddedMember](t)(other.AddMember(ctx, otherPID, client.AddMember{Email: "new@acme.test", Name: "N. Ew", Timezone: "UTC"}))
		if res.InviteCode == "" || res.Member.Status != "invited" || res.Member.Name != "N. Ew" || res.Member.Timezone != "UTC" {
			t.Fatalf("existing person: %+v", res)
		}
		if got := must[client.Me](t)(newbie.Me(ctx)); len(got.Memberships) != 1 {
			t.Fatalf("joined before accepting: %+v", got.Memberships)
		}
		if _, err := e.Client().AcceptInvite(ctx, client.AcceptInvite{Code: res.InviteCode, Name: "Eve", Password: "eve-secret"}); client.Status(err) != 401 {
			t.Fatalf("accepting for an account with a password, without it: %v", err)
		}
		joined := must[client.Session](t)(e.Client().AcceptInvite(ctx, client.AcceptInvite{Code: res.InviteCode, Name: "ignored", Password: "nina-secret"}))
		if joined.User.Name != "Nina" || len(joined.User.Memberships) != 2 {
			t.Fatalf("two programs: %+v", joined.User)
		}
		if got := must[client.Me](t)(newbie.Me(ctx)); len(got.Memberships) != 2 {
			t.Fatalf("two programs: %+v", got.Memberships)
		}
		if _, err := other.AddMember(ctx, otherPID, client.AddMember{Email: "new@acme.test"}); client.Status(err) != 409 {
			t.Fatalf("adding twice: %v", err)
		}

		// Logout ends that session only.
		must[struct{}](t)(struct{}{}, newbie.Logout(ctx))
		if _, err := newbie.Me(ctx); client.Status(err) != 401 {
			t.Fatalf("after logout: %v", err)
		}
		if _, err := mgr.Me(ctx); err != nil {
			t.Fatalf("another session ended too: %v", err)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t), func(o *httpapi.Options) { o.AccountFailures = 3 })
	c := e.Client()
	for i := 0; i < 3; i++ {
		if _, err := c.Login(ctx, "mgr@acme.test", "guess-"+string(rune('a'+i))); client.Status(err) != 401 {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	_, err := c.Login(ctx, "mgr@acme.test", apitest.Password)
	if client.Status(err) != http.StatusTooManyRequests || apitest.Code(err) != "rate_limited" {
		t.Fatalf("after 3 failures even the right password waits: %v", err)
	}
	// Another account from the same address is not locked by this one.
	if _, err := e.AddMember("other@acme.test", "UTC"); err == nil {
		_ = err
	}
	if _, err := c.Login(ctx, "other@acme.test", apitest.Password); err != nil {
		t.Fatalf("other account: %v", err)
	}
}

func TestLoginRateLimitHeader(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t), func(o *httpapi.Options) { o.AccountFailures = 1 })
	body := `{"email":"mgr@acme.test","password":"wrong-one"}`
	for i, want := range []int{401, 429} {
		resp, err := http.Post(e.URL+"/api/v1/auth/login", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("attempt %d: %d, want %d", i, resp.StatusCode, want)
		}
		if want == 429 && resp.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
}
