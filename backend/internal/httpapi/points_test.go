package httpapi_test

import (
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

func photo(t *testing.T, e *apitest.Env, msg string, points int, in client.ActivityInput) client.Activity {
	t.Helper()
	in.Type, in.Message, in.Points = apitest.Ptr("wechat_photo"), apitest.Ptr(msg), apitest.Ptr(points)
	return must[client.Activity](t)(e.Manager.CreateActivity(ctx, e.ProgramID, in))
}

func TestPerformOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid := e.ProgramID
		_, ann := e.AddMember("ann@acme.test", "UTC")
		a := photo(t, e, "Share this https://example.com", 25, client.ActivityInput{})

		// 30 taps at once, each with its own client_action_id.
		var wg sync.WaitGroup
		results := make([]client.PerformResult, 30)
		errs := make([]error, 30)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = ann.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: fmt.Sprintf("tap-%d", i), Surface: "mobile"})
			}()
		}
		wg.Wait()
		awarded := 0
		link := results[0].Share.Text
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("tap %d: %v", i, errs[i])
			}
			awarded += r.PointsAwarded
			if r.PointsAwarded == 0 && !r.AlreadyPerformed {
				t.Fatalf("tap %d neither awarded nor already performed: %+v", i, r)
			}
			// The member's own short link, the same on every tap.
			if !strings.HasPrefix(r.Share.Text, "Share this "+e.URL+"/l/") || r.Share.Text != link {
				t.Fatalf("share text: %+v", r.Share)
			}
		}
		if awarded != 25 {
			t.Fatalf("points given %d times over: %d", awarded/25, awarded)
		}
		// A replay of the first tap, and a retry later, answer "already".
		again := must[client.PerformResult](t)(ann.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "tap-0"}))
		if !again.AlreadyPerformed || again.PointsAwarded != 0 || again.PointsTotal != 25 {
			t.Fatalf("replay: %+v", again)
		}
		pts := must[client.Points](t)(ann.MyPoints(ctx, pid))
		if pts.Total != 25 || len(pts.Entries) != 1 || pts.Entries[0].Kind != "activity" || pts.Entries[0].ActivityID != a.ID {
			t.Fatalf("ledger: %+v", pts)
		}
		f := must[client.Feed](t)(ann.Feed(ctx, pid, ""))
		if len(f.Items) != 1 || !f.Items[0].Performed || f.Items[0].Network != "wechat" {
			t.Fatalf("feed after perform: %+v", f.Items)
		}
		if _, err := ann.Perform(ctx, pid, a.ID, client.Perform{}); apitest.Code(err) != "validation_failed" {
			t.Fatalf("no client_action_id: %v", err)
		}
	})
}

func TestPerformRefusals(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	pid := e.ProgramID
	g := must[client.Group](t)(e.Manager.CreateGroup(ctx, pid, "Sales"))
	_, ann := e.AddMember("ann@acme.test", "UTC")
	now := time.Now().UTC()
	at := func(d time.Duration) *string { return apitest.Ptr(now.Add(d).Format(time.RFC3339)) }
	notMine := photo(t, e, "sales only", 5, client.ActivityInput{GroupIDs: &[]string{g.ID}})
	expired := photo(t, e, "expired", 5, client.ActivityInput{StartsAt: at(-2 * time.Hour), EndsAt: at(-time.Hour)})
	later := photo(t, e, "later", 5, client.ActivityInput{StartsAt: at(time.Hour)})
	removed := photo(t, e, "removed", 5, client.ActivityInput{})
	must[client.Activity](t)(e.Manager.RemoveActivity(ctx, pid, removed.ID))
	tiktok := must[client.Activity](t)(e.Manager.CreateActivity(ctx, pid, client.ActivityInput{Type: apitest.Ptr("tiktok_video"), MediaID: apitest.Ptr(e.UploadMedia("tiktok_video", apitest.TestData("mp4_portrait_540x960.mp4")).MediaID), Points: apitest.Ptr(5)}))
	for _, c := range []struct {
		id, code string
		status   int
	}{
		{notMine.ID, "not_found", 404}, {expired.ID, "activity_expired", 409}, {later.ID, "activity_not_started", 409},
		{removed.ID, "activity_removed", 409}, {tiktok.ID, "tiktok_not_connected", 409}, {"act_none", "not_found", 404},
	} {
		_, err := ann.Perform(ctx, pid, c.id, client.Perform{ClientActionID: "x-" + c.id})
		if apitest.Code(err) != c.code || client.Status(err) != c.status {
			t.Errorf("perform %s: %v, want %s (%d)", c.id, err, c.code, c.status)
		}
	}
	if p := must[client.Points](t)(ann.MyPoints(ctx, pid)); p.Total != 0 || len(p.Entries) != 0 {
		t.Fatalf("refused performs gave points: %+v", p)
	}
	// Handoff: recorded for a visible activity, refused otherwise; no points.
	live := photo(t, e, "live", 5, client.ActivityInput{})
	if h := must[client.Handoff](t)(ann.Handoff(ctx, pid, live.ID)); h.ActivityID != live.ID || h.ID == "" {
		t.Fatalf("handoff: %+v", h)
	}
	if _, err := ann.Handoff(ctx, pid, notMine.ID); client.Status(err) != 404 {
		t.Fatalf("handoff of an invisible activity: %v", err)
	}
	if p := must[client.Points](t)(ann.MyPoints(ctx, pid)); p.Total != 0 {
		t.Fatalf("handoff gave points: %+v", p)
	}
}

func TestLeaderboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid := e.ProgramID
		sales := must[client.Group](t)(e.Manager.CreateGroup(ctx, pid, "Sales"))
		annID, ann := e.AddMember("ann@acme.test", "UTC", sales.ID)
		bobID, bob := e.AddMember("bob@acme.test", "UTC")
		catID, cat := e.AddMember("cat@acme.test", "UTC", sales.ID)
		_, dan := e.AddMember("dan@acme.test", "UTC")
		big := photo(t, e, "big", 50, client.ActivityInput{})
		small := photo(t, e, "small", 20, client.ActivityInput{})
		for _, p := range []struct {
			c *client.Client
			a client.Activity
		}{{ann, big}, {bob, big}, {cat, small}} {
			must[client.PerformResult](t)(p.c.Perform(ctx, pid, p.a.ID, client.Perform{ClientActionID: "k"}))
		}
		for _, period := range []string{"all", "month", "week"} {
			lb := must[client.Leaderboard](t)(dan.Leaderboard(ctx, pid, period, "", 0))
			got := []string{}
			for _, r := range lb.Entries {
				got = append(got, fmt.Sprintf("%s:%d:%d", r.Name, r.Points, r.Rank))
			}
			if want := "ann:50:1 bob:50:1 cat:20:3"; strings.Join(got, " ") != want {
				t.Fatalf("%s board: %v, want %s", period, got, want)
			}
			if lb.Me.Rank != 4 || lb.Me.Points != 0 {
				t.Fatalf("%s: a member without points: %+v", period, lb.Me)
			}
			if (period == "all") != (lb.Since == nil) {
				t.Fatalf("%s since: %v", period, lb.Since)
			}
		}
		lb := must[client.Leaderboard](t)(cat.Leaderboard(ctx, pid, "all", sales.ID, 0))
		if len(lb.Entries) != 2 || lb.Entries[0].MemberID != annID || lb.Entries[1].MemberID != catID || lb.Me.Rank != 2 {
			t.Fatalf("group board: %+v", lb)
		}
		if lb := must[client.Leaderboard](t)(cat.Leaderboard(ctx, pid, "all", "", 1)); len(lb.Entries) != 1 || lb.Me.Rank != 3 {
			t.Fatalf("limit 1: %+v", lb)
		}
		// A manager's adjustment counts; members see its reason.
		must[client.PointEntry](t)(e.Manager.AdjustPoints(ctx, pid, client.Adjustment{MemberID: bobID, Points: 5, Reason: "Great referral"}))
		// The member's own row is live; the rest of the board follows within
		// a few seconds.
		lb = must[client.Leaderboard](t)(bob.Leaderboard(ctx, pid, "week", "", 0))
		if lb.Me.Points != 55 || lb.Me.Rank != 1 {
			t.Fatalf("own points after adjustment: %+v", lb.Me)
		}
		for deadline := time.Now().Add(10 * time.Second); lb.Entries[0].MemberID != bobID; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("board never caught up: %+v", lb)
			}
			lb = must[client.Leaderboard](t)(bob.Leaderboard(ctx, pid, "week", "", 0))
		}
		if p := must[client.Points](t)(bob.MyPoints(ctx, pid)); p.Total != 55 || p.Entries[0].Reason != "Great referral" {
			t.Fatalf("bob's ledger: %+v", p)
		}
		// Someone who leaves the program leaves its boards at once, name and
		// points; their ledger stays.
		must[struct{}](t)(struct{}{}, e.Manager.RemoveMember(ctx, pid, annID))
		for _, group := range []string{"", sales.ID} {
			for _, r := range must[client.Leaderboard](t)(dan.Leaderboard(ctx, pid, "all", group, 0)).Entries {
				if r.MemberID == annID {
					t.Fatalf("a removed member is still ranked (group %q): %+v", group, r)
				}
			}
		}
		if lb := must[client.Leaderboard](t)(cat.Leaderboard(ctx, pid, "all", "", 0)); lb.Me.Rank != 2 {
			t.Fatalf("ranks after a removal: %+v", lb)
		}
		if _, err := dan.Leaderboard(ctx, pid, "year", "", 0); apitest.Code(err) != "validation_failed" {
			t.Fatalf("bad period: %v", err)
		}
		must[client.Program](t)(e.Manager.UpdateProgram(ctx, pid, client.UpdateProgram{LeaderboardEnabled: apitest.Ptr(false)}))
		if _, err := dan.Leaderboard(ctx, pid, "", "", 0); apitest.Code(err) != "leaderboard_disabled" || client.Status(err) != 403 {
			t.Fatalf("board switched off: %v", err)
		}
	})
}

func TestRewards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid, mgr := e.ProgramID, e.Manager
		annID, ann := e.AddMember("ann@acme.test", "UTC")
		must[client.PointEntry](t)(mgr.AdjustPoints(ctx, pid, client.Adjustment{MemberID: annID, Points: 100, Reason: "start"}))
		mug := must[client.Reward](t)(mgr.CreateReward(ctx, pid, client.RewardInput{Title: apitest.Ptr("Mug"), Cost: apitest.Ptr(30), Quantity: apitest.Ptr(2)}))
		lunch := must[client.Reward](t)(mgr.CreateReward(ctx, pid, client.RewardInput{Title: apitest.Ptr("Lunch"), Cost: apitest.Ptr(30)}))
		if mug.Remaining == nil || *mug.Remaining != 2 || lunch.Remaining != nil {
			t.Fatalf("stock: %+v %+v", mug, lunch)
		}
		redeemAll := func(rid string, n int) (ok int, codes map[string]int) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			codes = map[string]int{}
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := ann.Redeem(ctx, pid, rid, client.Redeem{ClientActionID: fmt.Sprintf("%s-%d", rid, i)})
					mu.Lock()
					defer mu.Unlock()
					if err == nil {
						ok++
					} else {
						codes[apitest.Code(err)]++
					}
				}()
			}
			wg.Wait()
			return ok, codes
		}
		// 50 at once on a mug with 2 in stock: 2 succeed.
		if ok, codes := redeemAll(mug.ID, 50); ok != 2 || codes["out_of_stock"] != 48 {
			t.Fatalf("mug: %d ok, %v", ok, codes)
		}
		// 40 points left, unlimited lunch at 30: one more, never below zero.
		if ok, codes := redeemAll(lunch.ID, 50); ok != 1 || codes["insufficient_points"] != 49 {
			t.Fatalf("lunch: %d ok, %v", ok, codes)
		}
		if p := must[client.Points](t)(ann.MyPoints(ctx, pid)); p.Total != 10 {
			t.Fatalf("balance: %+v", p.Total)
		}
		// A retry with the same key is the same redemption, not a new one.
		first := must[[]client.Redemption](t)(ann.Redemptions(ctx, pid))
		if len(first) != 3 {
			t.Fatalf("redemptions: %d", len(first))
		}
		var lunchKey string
		for i := 0; i < 50; i++ {
			if _, err := ann.Redeem(ctx, pid, lunch.ID, client.Redeem{ClientActionID: fmt.Sprintf("%s-%d", lunch.ID, i)}); err == nil {
				lunchKey = fmt.Sprint(i)
			}
		}
		if lunchKey == "" {
			t.Fatal("the winning lunch redemption was not found again by its key")
		}
		if n := len(must[[]client.Redemption](t)(ann.Redemptions(ctx, pid))); n != 3 {
			t.Fatalf("retries made new redemptions: %d", n)
		}
		// Reject refunds and restocks; fulfil; a second decision is refused.
		all := must[[]client.Redemption](t)(mgr.Redemptions(ctx, pid))
		var mugRed, lunchRed client.Redemption
		for _, d := range all {
			if d.RewardID == mug.ID {
				mugRed = d
			} else {
				lunchRed = d
			}
		}
		rej := must[client.Redemption](t)(mgr.Reject(ctx, pid, mugRed.ID, client.Decision{Note: "out of mugs, sorry"}))
		if rej.Status != "rejected" || rej.DecidedAt == nil {
			t.Fatalf("reject: %+v", rej)
		}
		if p := must[client.Points](t)(ann.MyPoints(ctx, pid)); p.Total != 40 || p.Entries[0].Kind != "refund" {
			t.Fatalf("refund: %+v", p)
		}
		if m := must[client.Reward](t)(mgr.UpdateReward(ctx, pid, mug.ID, client.RewardInput{})); m.Remaining == nil || *m.Remaining != 1 {
			t.Fatalf("restock: %+v", m)
		}
		must[client.Redemption](t)(mgr.Fulfil(ctx, pid, lunchRed.ID, client.Decision{}))
		if _, err := mgr.Reject(ctx, pid, lunchRed.ID, client.Decision{}); client.Status(err) != 409 {
			t.Fatalf("deciding twice: %v", err)
		}
		// Switched off: members are told so.
		must[client.Program](t)(mgr.UpdateProgram(ctx, pid, client.UpdateProgram{RewardsEnabled: apitest.Ptr(false)}))
		if _, err := ann.Rewards(ctx, pid); apitest.Code(err) != "rewards_disabled" {
			t.Fatalf("rewards off: %v", err)
		}
	})
}

func TestReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid := e.ProgramID
		sales := must[client.Group](t)(e.Manager.CreateGroup(ctx, pid, "Sales"))
		_, ann := e.AddMember("ann@acme.test", "UTC", sales.ID)
		_, bob := e.AddMember("bob@acme.test", "UTC", sales.ID)
		e.AddMember("cat@acme.test", "UTC")
		a := photo(t, e, "=cmd|' /C calc'!A0", 10, client.ActivityInput{GroupIDs: &[]string{sales.ID}})
		must[client.PerformResult](t)(ann.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "1", Surface: "mobile"}))
		must[client.PerformResult](t)(bob.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "1", Surface: "web"}))
		must[client.PerformResult](t)(bob.Perform(ctx, pid, a.ID, client.Perform{ClientActionID: "2", Surface: "web"}))
		rep := must[client.ActivityReport](t)(e.Manager.ActivityReport(ctx, pid, a.ID))
		if rep.Eligible != 2 || rep.Performed != 2 || rep.PerformedShare != 1 || rep.PointsGiven != 20 || rep.BySurface["web"] != 1 || rep.BySurface["mobile"] != 1 || len(rep.OverTime) != 1 || rep.OverTime[0].Performs != 2 {
			t.Fatalf("report: %+v", rep)
		}
		today := time.Now().In(mustLoc("Asia/Shanghai")).Format("2006-01-02")
		sum := must[client.SummaryReport](t)(e.Manager.SummaryReport(ctx, pid, today, today))
		if len(sum.Activities) != 1 || sum.Activities[0].Performs != 2 || sum.Activities[0].Points != 20 {
			t.Fatalf("summary activities: %+v", sum.Activities)
		}
		perMember := map[string]int{}
		for _, m := range sum.Members {
			perMember[m.Email] = m.Points
		}
		if perMember["ann@acme.test"] != 10 || perMember["bob@acme.test"] != 10 || perMember["cat@acme.test"] != 0 {
			t.Fatalf("summary members: %+v", sum.Members)
		}
		body := must[[]byte](t)(e.Manager.CSV(ctx, pid, "activities/"+a.ID+"/report"))
		rows := must[[][]string](t)(csv.NewReader(strings.NewReader(string(body))).ReadAll())
		if len(rows) != 3 || rows[0][1] != "member_id" {
			t.Fatalf("activity CSV: %q", rows)
		}
		body = must[[]byte](t)(e.Manager.CSV(ctx, pid, "reports/summary"))
		rows = must[[][]string](t)(csv.NewReader(strings.NewReader(string(body))).ReadAll())
		if len(rows) != 1+1+4 || rows[1][0] != "activity" || rows[1][4] != "2" || !strings.HasPrefix(rows[1][2], "'=") {
			t.Fatalf("summary CSV (formulas must be defused): %q", rows)
		}
		if _, err := ann.ActivityReport(ctx, pid, a.ID); client.Status(err) != 403 {
			t.Fatalf("member reading a report: %v", err)
		}
		if _, err := e.Manager.SummaryReport(ctx, pid, "2026-12-02", "2026-12-01"); apitest.Code(err) != "validation_failed" {
			t.Fatalf("to before from: %v", err)
		}
	})
}

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}
