package httpapi_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// A person's credentials belong to the person: no manager of any program can
// set them, learn about them, or reach the person's other programs through an
// invite. Each case below was a way in.
func TestInvitesCannotTakeOverAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pidA, mgrA := e.ProgramID, e.Manager
		pidB, mgrB := e.OtherProgram()

		// Managers cannot choose a person's password.
		if _, err := mgrB.AddMember(ctx, pidB, client.AddMember{Email: "victim@x.test", Password: "chosen-by-b"}); apitest.Code(err) != "validation_failed" {
			t.Fatalf("a manager set a password: %v", err)
		}

		// Pending in B; A adds the same address and holds a code. Accepting
		// A's code joins A only: B stays out of reach of whoever holds it.
		fromB := must[client.AddedMember](t)(mgrB.AddMember(ctx, pidB, client.AddMember{Email: "victim@x.test", Name: "Vic"}))
		fromA := must[client.AddedMember](t)(mgrA.AddMember(ctx, pidA, client.AddMember{Email: "victim@x.test", Name: "Typed by A", Timezone: "UTC"}))
		if fromA.InviteCode == "" || fromA.Member.Status != "invited" || fromA.Member.Name != "Typed by A" {
			t.Fatalf("A's add: %+v", fromA)
		}
		attacker := e.Client()
		sess := must[client.Session](t)(attacker.AcceptInvite(ctx, client.AcceptInvite{Code: fromA.InviteCode, Name: "Mallory", Password: "mallory-pass"}))
		if len(sess.User.Memberships) != 1 || sess.User.Memberships[0].ProgramID != pidA {
			t.Fatalf("A's code gave %+v", sess.User.Memberships)
		}
		if _, err := attacker.Feed(ctx, pidB, ""); client.Status(err) != 403 {
			t.Fatalf("A's code reached B's feed: %v", err)
		}
		if _, err := attacker.Members(ctx, pidB); client.Status(err) != 403 {
			t.Fatalf("A's code reached B's members: %v", err)
		}
		// B's pending code cannot overwrite the password now set: it asks
		// for the account's own password.
		if _, err := e.Client().AcceptInvite(ctx, client.AcceptInvite{Code: fromB.InviteCode, Name: "Vic", Password: "another-pass"}); client.Status(err) != 401 {
			t.Fatalf("B's code overwrote a password: %v", err)
		}
		if _, err := e.Client().Login(ctx, "victim@x.test", "another-pass"); client.Status(err) != 401 {
			t.Fatalf("the overwritten password signs in: %v", err)
		}

		// An active account: a later add reveals nothing of it (the answer
		// shows what the manager typed) and changes nothing.
		realName := must[client.Me](t)(mgrA.Me(ctx))
		add := must[client.AddedMember](t)(mgrB.AddMember(ctx, pidB, client.AddMember{Email: "mgr@acme.test", Name: "Guess", Timezone: "UTC"}))
		if add.Member.Name != "Guess" || add.Member.Timezone != "UTC" || add.Member.Status != "invited" || add.InviteCode == "" {
			t.Fatalf("adding an existing account revealed it: %+v (real %s, %s)", add.Member, realName.Name, realName.Timezone)
		}
		for _, m := range must[[]client.Member](t)(mgrB.Members(ctx, pidB)) {
			if m.ID == add.Member.ID && (m.Name != "Guess" || m.Status != "invited") {
				t.Fatalf("B's member list shows the account: %+v", m)
			}
		}
		// Until the person says yes, B's news does not reach their phone.
		dev := must[client.Device](t)(mgrA.RegisterDevice(ctx, client.DeviceInput{Platform: "fcm", Token: "owner-phone"}))
		pushedTo := func() bool {
			refs, err := st.ProgramDevices(ctx, pidB)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range refs {
				if r.ID == dev.ID {
					return true
				}
			}
			return false
		}
		if pushedTo() {
			t.Fatal("an invited person's phone gets the program's pushes")
		}
		// B's code without the account's password: nothing happens.
		if _, err := e.Client().AcceptInvite(ctx, client.AcceptInvite{Code: add.InviteCode, Name: "B owns you", Password: "b-chosen-pass"}); client.Status(err) != 401 {
			t.Fatalf("an invite for an active account set its password: %v", err)
		}
		if _, err := e.Client().Login(ctx, "mgr@acme.test", apitest.Password); err != nil {
			t.Fatalf("the owner's password stopped working: %v", err)
		}
		if me := must[client.Me](t)(mgrA.Me(ctx)); me.Name != realName.Name || len(me.Memberships) != 1 {
			t.Fatalf("the account changed or joined B unasked: %+v", me)
		}
		// The owner accepts with their own password: joined, nothing else changes.
		joined := must[client.Session](t)(e.Client().AcceptInvite(ctx, client.AcceptInvite{Code: add.InviteCode, Password: apitest.Password}))
		if len(joined.User.Memberships) != 2 || joined.User.Name != realName.Name {
			t.Fatalf("owner's accept: %+v", joined.User)
		}
		if !pushedTo() {
			t.Fatal("a member who joined gets no pushes")
		}
	})
}

// Setting a first password through an invite ends every session the account
// had: whoever held one before does not keep it.
func TestAcceptEndsSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		added := must[client.AddedMember](t)(e.Manager.AddMember(ctx, e.ProgramID, client.AddMember{Email: "fresh@acme.test"}))
		token, hash := auth.NewToken(32)
		if err := st.CreateSession(ctx, hash, added.Member.ID, time.Now(), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		old := e.Client()
		old.SetToken(token)
		if _, err := old.Me(ctx); err != nil {
			t.Fatalf("the planted session works before: %v", err)
		}
		must[client.Session](t)(e.Client().AcceptInvite(ctx, client.AcceptInvite{Code: added.InviteCode, Name: "Fresh", Password: "fresh-secret"}))
		if _, err := old.Me(ctx); client.Status(err) != 401 {
			t.Fatalf("a session from before the password survived: %v", err)
		}
	})
}

// Parallel wrong guesses are counted as they start: no more pass the limit
// than it allows, and the rest wait without hashing.
func TestLoginLimitIsTakenBeforeHashing(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t), func(o *httpapi.Options) { o.AccountFailures = 5 })
	var wg sync.WaitGroup
	var mu sync.Mutex
	status := map[int]int{}
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Client().SetRetryCount(0).Login(context.Background(), "mgr@acme.test", "wrong-guess")
			mu.Lock()
			status[client.Status(err)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if status[401] != 5 || status[429] != 25 {
		t.Fatalf("statuses %v, want 5×401 and 25×429", status)
	}
}
