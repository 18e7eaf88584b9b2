package httpapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

var ctx = context.Background()

func must[T any](t testing.TB) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func feedMessages(t *testing.T, c *client.Client, pid, as string) []string {
	t.Helper()
	f, err := c.Feed(ctx, pid, as)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, it := range f.Items {
		out = append(out, it.Message)
	}
	return out
}

// TestTargeting walks PRODUCT.md's targeting rule through the API on both
// databases: groups, public and private channels, both at once, time
// windows, removal, featured order and the manager's preview.
func TestTargeting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid, mgr := e.ProgramID, e.Manager
		sales := must[client.Group](t)(mgr.CreateGroup(ctx, pid, "Sales"))
		execs := must[client.Group](t)(mgr.CreateGroup(ctx, pid, "Executives"))
		news := must[client.Channel](t)(mgr.CreateChannel(ctx, pid, client.ChannelInput{Name: "News", Visibility: "public"}))
		inner := must[client.Channel](t)(mgr.CreateChannel(ctx, pid, client.ChannelInput{Name: "Inner", Visibility: "private"}))

		// ann: Sales, follows News. bob: Executives, in Inner. cat: nothing.
		annID, ann := e.AddMember("ann@acme.test", "Europe/Berlin", sales.ID)
		bobID, bob := e.AddMember("bob@acme.test", "America/New_York", execs.ID)
		catID, cat := e.AddMember("cat@acme.test", "Asia/Shanghai")
		must[client.Channel](t)(ann.Follow(ctx, pid, news.ID))
		must[client.Channel](t)(mgr.SetChannelMembers(ctx, pid, inner.ID, []string{bobID}))
		if _, err := bob.Follow(ctx, pid, inner.ID); apitest.Code(err) != "not_found" {
			t.Fatalf("following a private channel: %v", err)
		}
		// Managers see who is in a private channel; members see no lists.
		for _, ch := range must[[]client.Channel](t)(mgr.Channels(ctx, pid)) {
			if ch.ID == inner.ID && (len(ch.MemberIDs) != 1 || ch.MemberIDs[0] != bobID) {
				t.Fatalf("private channel members for the manager: %+v", ch)
			}
		}
		for _, ch := range must[[]client.Channel](t)(bob.Channels(ctx, pid)) {
			if len(ch.MemberIDs) != 0 {
				t.Fatalf("a member sees channel members: %+v", ch)
			}
		}

		now := time.Now().UTC()
		at := func(d time.Duration) *string { return apitest.Ptr(now.Add(d).Format(time.RFC3339)) }
		create := func(msg string, in client.ActivityInput) client.Activity {
			t.Helper()
			in.Type, in.Message = apitest.Ptr("wechat_photo"), apitest.Ptr(msg)
			return must[client.Activity](t)(mgr.CreateActivity(ctx, pid, in))
		}
		create("everyone", client.ActivityInput{StartsAt: at(-3 * time.Hour)})
		create("sales", client.ActivityInput{GroupIDs: &[]string{sales.ID}, StartsAt: at(-2 * time.Hour)})
		create("sales or execs", client.ActivityInput{GroupIDs: &[]string{sales.ID, execs.ID}, StartsAt: at(-90 * time.Minute)})
		create("news", client.ActivityInput{ChannelIDs: &[]string{news.ID}, StartsAt: at(-80 * time.Minute)})
		create("inner", client.ActivityInput{ChannelIDs: &[]string{inner.ID}, StartsAt: at(-70 * time.Minute)})
		create("sales and news", client.ActivityInput{GroupIDs: &[]string{sales.ID}, ChannelIDs: &[]string{news.ID}, StartsAt: at(-60 * time.Minute)})
		create("execs and news", client.ActivityInput{GroupIDs: &[]string{execs.ID}, ChannelIDs: &[]string{news.ID}, StartsAt: at(-50 * time.Minute)})
		create("scheduled", client.ActivityInput{StartsAt: at(time.Hour)})
		create("expired", client.ActivityInput{StartsAt: at(-2 * time.Hour), EndsAt: at(-time.Minute)})
		featured := create("featured, oldest", client.ActivityInput{StartsAt: at(-5 * time.Hour), Featured: apitest.Ptr(true)})
		removed := create("removed", client.ActivityInput{StartsAt: at(-time.Hour)})
		create("starts now", client.ActivityInput{})
		must[client.Activity](t)(mgr.RemoveActivity(ctx, pid, removed.ID))

		want := map[string][]string{
			annID: {"featured, oldest", "starts now", "sales and news", "news", "sales or execs", "sales", "everyone"},
			bobID: {"featured, oldest", "starts now", "inner", "sales or execs", "everyone"},
			catID: {"featured, oldest", "starts now", "everyone"},
		}
		for id, c := range map[string]*client.Client{annID: ann, bobID: bob, catID: cat} {
			got := feedMessages(t, c, pid, "")
			if !reflect.DeepEqual(got, want[id]) {
				t.Errorf("feed of %s:\n got %q\nwant %q", id, got, want[id])
			}
			// The manager's preview is exactly the member's own feed.
			if preview := feedMessages(t, mgr, pid, id); !reflect.DeepEqual(preview, got) {
				t.Errorf("preview of %s differs:\n preview %q\n    feed %q", id, preview, got)
			}
		}
		f := must[client.Feed](t)(mgr.Feed(ctx, pid, bobID))
		if f.Timezone != "America/New_York" || f.MemberID != bobID {
			t.Errorf("preview must carry the member's zone: %+v", f)
		}
		if _, err := ann.Feed(ctx, pid, bobID); client.Status(err) != 403 {
			t.Errorf("member asking for another's feed: %v", err)
		}
		if _, err := mgr.Feed(ctx, pid, "usr_nobody"); client.Status(err) != 404 {
			t.Errorf("preview of a non-member: %v", err)
		}
		if _, err := cat.FeedItem(ctx, pid, featured.ID); err != nil {
			t.Errorf("feed item: %v", err)
		}
		if _, err := cat.FeedItem(ctx, pid, removed.ID); client.Status(err) != 404 {
			t.Errorf("removed activity as a feed item: %v", err)
		}

		// Changes show at once: unfollowing, a group change, an edit.
		must[client.Channel](t)(ann.Unfollow(ctx, pid, news.ID))
		if got := feedMessages(t, ann, pid, ""); reflect.DeepEqual(got, want[annID]) {
			t.Errorf("unfollow did not change the feed: %q", got)
		}
		must[client.Member](t)(mgr.UpdateMember(ctx, pid, catID, client.UpdateMember{GroupIDs: &[]string{execs.ID}}))
		if got := feedMessages(t, cat, pid, ""); !contains(got, "sales or execs") {
			t.Errorf("joining a group did not change the feed: %q", got)
		}
		// A feed item never shows targeting (member groups are managers' business).
		if fi := must[client.Feed](t)(cat.Feed(ctx, pid, "")).Items[0]; fi.ID == "" {
			t.Error("feed item without id")
		}
		if e.Validated() == 0 {
			t.Fatal("no response was checked against openapi.json")
		}
	})
}

// TestFeedSeesChangesMadeOnAnotherInstance: an instance keeps each member's
// view, audience and points between requests; what another instance (its
// own store on the same database) changes (groups, follows, private
// channels, a channel's visibility, a perform) shows in this one's feed,
// performs and leaderboard all the same: on SQLite at the next request (a
// stamp is read), on PostgreSQL as soon as the change's notification
// arrives (store.Changes), which the test waits up to 2s for.
func TestFeedSeesChangesMadeOnAnotherInstance(t *testing.T) {
	storetest.EachTwice(t, func(t *testing.T, st, st2 *store.Store) {
		e := apitest.New(t, st)
		pid, mgr := e.ProgramID, e.Manager
		sales := must[client.Group](t)(mgr.CreateGroup(ctx, pid, "Sales"))
		news := must[client.Channel](t)(mgr.CreateChannel(ctx, pid, client.ChannelInput{Name: "News", Visibility: "public"}))
		inner := must[client.Channel](t)(mgr.CreateChannel(ctx, pid, client.ChannelInput{Name: "Inner", Visibility: "private"}))
		annID, ann := e.AddMember("ann@acme.test", "UTC")
		start := apitest.Ptr(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
		everyone := must[client.Activity](t)(mgr.CreateActivity(ctx, pid, client.ActivityInput{Type: apitest.Ptr("wechat_photo"), Message: apitest.Ptr("everyone"), StartsAt: start, Points: apitest.Ptr(7)}))
		ids := map[string]string{}
		for msg, in := range map[string]client.ActivityInput{
			"sales": {GroupIDs: &[]string{sales.ID}},
			"news":  {ChannelIDs: &[]string{news.ID}},
			"inner": {ChannelIDs: &[]string{inner.ID}},
		} {
			in.Type, in.Message, in.StartsAt = apitest.Ptr("wechat_photo"), apitest.Ptr(msg), start
			ids[msg] = must[client.Activity](t)(mgr.CreateActivity(ctx, pid, in)).ID
		}

		// The other instance: the same database, its own memory.
		other := httptest.NewServer(httpapi.New(httpapi.Options{Store: st2, PasswordParams: apitest.FastPasswords}).Handler())
		t.Cleanup(other.Close)
		signIn := func(email string) *client.Client {
			c := client.New(other.URL).SetRetryCount(0)
			if _, err := c.Login(ctx, email, apitest.Password); err != nil {
				t.Fatal(err)
			}
			return c
		}
		mgr2, ann2 := signIn("mgr@acme.test"), signIn("ann@acme.test")

		step := func(what string, want ...string) {
			t.Helper()
			eventually(t, what, func() error {
				if got := feedMessages(t, ann, pid, ""); !sameSet(got, want) {
					return fmt.Errorf("feed %q, want %q", got, want)
				}
				return nil
			})
			// Again: the first answer may have read the view whole, this
			// one must come from the kept one.
			if got := feedMessages(t, ann, pid, ""); !sameSet(got, want) {
				t.Fatalf("after %s, asked again: feed %q, want %q", what, got, want)
			}
		}
		step("nothing", "everyone")
		// Refused, with her audience kept for her next perform.
		if _, err := ann.Perform(ctx, pid, ids["sales"], client.Perform{ClientActionID: "early", Surface: "mobile"}); err == nil {
			t.Fatal("performed an activity of a group she is not in")
		}
		must[client.Member](t)(mgr2.UpdateMember(ctx, pid, annID, client.UpdateMember{GroupIDs: &[]string{sales.ID}}))
		step("joining a group", "everyone", "sales")
		eventually(t, "joining a group, her perform", func() error {
			_, err := ann.Perform(ctx, pid, ids["sales"], client.Perform{ClientActionID: "sales-1", Surface: "mobile"})
			return err
		})
		must[client.Channel](t)(ann2.Follow(ctx, pid, news.ID))
		step("following a channel", "everyone", "sales", "news")
		must[client.Channel](t)(mgr2.SetChannelMembers(ctx, pid, inner.ID, []string{annID}))
		step("a place in a private channel", "everyone", "sales", "news", "inner")
		must[client.Channel](t)(mgr2.UpdateChannel(ctx, pid, inner.ID, client.ChannelInput{Name: "Inner", Visibility: "public"}))
		step("the private channel made public (a member, not a follower)", "everyone", "sales", "news")
		must[client.Channel](t)(ann2.Unfollow(ctx, pid, news.ID))
		step("unfollowing", "everyone", "sales")

		mine := func() int { return must[client.Leaderboard](t)(ann.Leaderboard(ctx, pid, "all", "", 10)).Me.Points }
		before := mine()
		done := must[client.PerformResult](t)(ann2.Perform(ctx, pid, everyone.ID, client.Perform{ClientActionID: "other-1", Surface: "mobile"}))
		performed := func() error {
			for _, it := range must[client.Feed](t)(ann.Feed(ctx, pid, "")).Items {
				if want := it.ID == everyone.ID || it.ID == ids["sales"]; it.Performed != want {
					return fmt.Errorf("%q performed = %v", it.Message, it.Performed)
				}
			}
			return nil
		}
		eventually(t, "a perform", performed)
		if err := performed(); err != nil {
			t.Fatalf("after a perform, asked again: %v", err)
		}
		eventually(t, "a perform, her leaderboard", func() error {
			if got, want := mine(), before+done.PointsAwarded; got != want || done.PointsAwarded == 0 {
				return fmt.Errorf("her points %d, want %d (+%d)", got, want, done.PointsAwarded)
			}
			return nil
		})
	})
}

// eventually waits up to 2s for check to pass: what another instance
// changed reaches this one's caches on PostgreSQL when its notification
// arrives, a moment after the change was answered.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if err = check(); err == nil {
			return
		}
	}
	t.Fatalf("after %s on the other instance, for 2s: %v", what, err)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, s := range b {
		if !contains(a, s) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestActivityTimesInCreatorZone(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	_, member := e.AddMember("ny@acme.test", "America/New_York")
	a := must[client.Activity](t)(e.Manager.CreateActivity(ctx, e.ProgramID, client.ActivityInput{
		Type: apitest.Ptr("wechat_photo"), Message: apitest.Ptr("m"),
		StartsAt: apitest.Ptr("2020-01-01T09:00"), EndsAt: apitest.Ptr("2099-06-01 18:00"),
	}))
	// The manager is in Asia/Shanghai (UTC+8): 09:00 there is 01:00 UTC.
	if want := time.Date(2020, 1, 1, 1, 0, 0, 0, time.UTC); !a.StartsAt.Equal(want) || a.CreatorTimezone != "Asia/Shanghai" {
		t.Fatalf("start %v zone %s", a.StartsAt, a.CreatorTimezone)
	}
	f := must[client.Feed](t)(member.Feed(ctx, e.ProgramID, ""))
	loc, _ := time.LoadLocation(f.Timezone)
	if got := f.Items[0].StartsAt.In(loc).Format("2006-01-02 15:04"); got != "2019-12-31 20:00" {
		t.Fatalf("in the member's zone the start is %s", got)
	}
}

// TestFeedKeptViewsUnderConcurrency: members read their feeds at once while
// one of them performs; each answer is whole and the perform shows.
// (Run with -race, it checks the kept views are shared safely.)
func TestFeedKeptViewsUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid, mgr := e.ProgramID, e.Manager
		start := apitest.Ptr(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
		var acts []client.Activity
		for _, msg := range []string{"one", "two", "three"} {
			acts = append(acts, must[client.Activity](t)(mgr.CreateActivity(ctx, pid, client.ActivityInput{Type: apitest.Ptr("wechat_photo"), Message: apitest.Ptr(msg), StartsAt: start})))
		}
		_, ann := e.AddMember("ann@acme.test", "UTC")
		_, bob := e.AddMember("bob@acme.test", "UTC")
		errs := make(chan error, 64)
		done := make(chan struct{})
		for _, c := range []*client.Client{ann, bob, ann, bob} {
			go func() {
				for {
					select {
					case <-done:
						errs <- nil
						return
					default:
					}
					f, err := c.Feed(ctx, pid, "")
					if err == nil && len(f.Items) != len(acts) {
						err = fmt.Errorf("feed of %d items, want %d", len(f.Items), len(acts))
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		for i, a := range acts {
			must[client.PerformResult](t)(ann.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: fmt.Sprint("c", i), Surface: "mobile"}))
		}
		close(done)
		for range 4 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		for _, it := range must[client.Feed](t)(ann.Feed(ctx, pid, "")).Items {
			if !it.Performed {
				t.Errorf("%q not performed after the performs", it.Message)
			}
		}
		for _, it := range must[client.Feed](t)(bob.Feed(ctx, pid, "")).Items {
			if it.Performed {
				t.Errorf("bob's %q shows ann's perform", it.Message)
			}
		}
	})
}
