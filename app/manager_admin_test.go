package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
)

func TestManagerAdminInviteAndGroups(t *testing.T) {
	srv := testserver.Start(t)
	h, m := signInManager(t, srv)
	a := m.admin
	if len(a.members.rows) == 0 || len(a.groups.rows) == 0 {
		t.Fatalf("admin lists empty: %q", a.status.Text)
	}
	ctx := context.Background()
	mgr := apiAs(t, srv.URL, testserver.Manager)
	pid := programOf(t, mgr)

	// Invite: the code shows, and the person is on the server, invited,
	// in the chosen group.
	a.members.inviteName.SetText("Nora New")
	a.members.inviteEmail.SetText("nora@demo.test")
	a.members.inviteGroups.SetSelected([]string{"Sales"})
	h.tap(a.members.invite)
	if !a.members.inviteCode.Visible() || !strings.Contains(a.members.inviteCode.Text, "Nora New") {
		t.Fatalf("invite code %q (status %q)", a.members.inviteCode.Text, a.status.Text)
	}
	code := strings.TrimSpace(a.members.inviteCode.Text[strings.Index(a.members.inviteCode.Text, ":")+1:])
	code = strings.Fields(code)[0]
	members, err := mgr.Members(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	var nora client.Member
	for _, mem := range members {
		if mem.Email == "nora@demo.test" {
			nora = mem
		}
	}
	groupID := func(name string) string {
		for _, g := range m.groups {
			if g.Name == name {
				return g.ID
			}
		}
		t.Fatalf("no group %q", name)
		return ""
	}
	if nora.ID == "" || nora.Status != "invited" || !slices.Equal(nora.GroupIDs, []string{groupID("Sales")}) {
		t.Fatalf("invited member on the server: %+v", nora)
	}
	// The code works: Nora joins with it.
	if _, err := client.New(srv.URL).AcceptInvite(ctx, client.AcceptInvite{Code: code, Name: "Nora New", Password: "nora-password-1"}); err != nil {
		t.Fatalf("accept invite %q: %v", code, err)
	}

	// A new group, then Nora moves into it and becomes a manager.
	a.groups.newName.SetText("Partners")
	h.tap(a.groups.create)
	partners := groupID("Partners")
	r := a.members.rows[nora.ID]
	if r == nil {
		t.Fatal("Nora is not in the member list")
	}
	r.groups.SetSelected([]string{"Partners"})
	r.role.SetSelectedIndex(1)
	h.tap(r.save)
	members, _ = mgr.Members(ctx, pid)
	for _, mem := range members {
		if mem.ID == nora.ID && (!slices.Equal(mem.GroupIDs, []string{partners}) || mem.Role != "manager") {
			t.Errorf("after the change: %+v (status %q)", mem, a.status.Text)
		}
	}

	// Rename the group; set its members through the member picker.
	a.groups.rows[partners].name.SetText("Partners EU")
	h.tap(a.groups.rows[partners].save)
	a.pickMembers = func(_ string, selected []string, done func([]string)) {
		if !slices.Equal(selected, []string{nora.ID}) {
			t.Errorf("picker starts with %v", selected)
		}
		done(append(selected, m.members[0].ID))
	}
	h.tap(a.groups.rows[partners].members)
	groups, _ := mgr.Groups(ctx, pid)
	for _, g := range groups {
		if g.ID == partners && (g.Name != "Partners EU" || g.MemberCount != 2) {
			t.Errorf("group on the server %+v", g)
		}
	}
	// The editor's group list follows.
	if !slices.ContainsFunc(m.groups, func(g client.Group) bool { return g.Name == "Partners EU" }) {
		t.Error("the manager view's groups did not follow")
	}

	// A private channel with members; a campaign.
	a.channels.newName.SetText("Leaders")
	a.channels.newVis.SetSelectedIndex(1)
	h.tap(a.channels.create)
	var leaders *nameRow
	for _, c := range m.channels {
		if c.Name == "Leaders" && c.Visibility == "private" {
			leaders = a.channels.rows[c.ID]
		}
	}
	if leaders == nil {
		t.Fatalf("private channel not created: %q", a.status.Text)
	}
	a.pickMembers = func(_ string, _ []string, done func([]string)) { done([]string{nora.ID}) }
	h.tap(leaders.members)
	chans, _ := mgr.Channels(ctx, pid)
	for _, c := range chans {
		if c.ID == leaders.entry.id && c.MemberCount != 1 {
			t.Errorf("channel members %d", c.MemberCount)
		}
	}
	a.campaigns.newName.SetText("Spring launch")
	h.tap(a.campaigns.create)
	if m.campaignName(func() string {
		for _, c := range m.campaigns {
			if c.Name == "Spring launch" {
				return c.ID
			}
		}
		return ""
	}()) != "Spring launch" {
		t.Errorf("campaign not created: %q", a.status.Text)
	}
}

func TestManagerAdminRewardsRedemptionsSettings(t *testing.T) {
	srv := testserver.Start(t)
	h, m := signInManager(t, srv)
	a := m.admin
	ctx := context.Background()

	// A cheap reward, made in the admin.
	a.rewards.newTitle.SetText("Sticker")
	a.rewards.newCost.SetText("1")
	h.tap(a.rewards.create)
	var sticker client.Reward
	for _, rw := range a.rewards.items {
		if rw.Title == "Sticker" {
			sticker = rw
		}
	}
	if sticker.ID == "" || sticker.Cost != 1 || !sticker.Active || sticker.Quantity != nil {
		t.Fatalf("reward %+v (status %q)", sticker, a.status.Text)
	}
	// A member earns points and redeems it twice.
	memberPerforms(t, srv, 3)
	mem := apiAs(t, srv.URL, testserver.Member(3))
	pid := programOf(t, mem)
	for range 2 {
		if _, err := mem.Redeem(ctx, pid, sticker.ID, client.Redeem{ClientActionID: session.NewActionID()}); err != nil {
			t.Fatal(err)
		}
	}
	a.reload()
	h.ui.Wait()
	var pending []*redemptionRow
	for _, r := range a.rewards.redemptionRows {
		if r.item.RewardID == sticker.ID && r.item.Status == "pending" {
			pending = append(pending, r)
		}
	}
	if len(pending) != 2 {
		t.Fatalf("pending redemptions %d", len(pending))
	}
	pending[0].note.SetText("At the front desk")
	h.tap(pending[0].fulfil)
	pending[1].note.SetText("Out of stock")
	h.tap(pending[1].reject)
	mine, err := mem.Redemptions(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range mine {
		if r.RewardID == sticker.ID {
			got[r.Status] = r.Note
		}
	}
	if got["fulfilled"] != "At the front desk" || got["rejected"] != "Out of stock" {
		t.Errorf("member sees %v", got)
	}

	// Edit the reward: inactive, limited.
	r := a.rewards.rows[sticker.ID]
	r.qty.SetText("5")
	r.active.SetChecked(false)
	h.tap(r.save)
	for _, rw := range a.rewards.items {
		if rw.ID == sticker.ID && (rw.Active || rw.Quantity == nil || *rw.Quantity != 5) {
			t.Errorf("edited reward %+v", rw)
		}
	}
	r = a.rewards.rows[sticker.ID]
	r.cost.SetText("zero")
	h.tap(r.save)
	if !strings.Contains(a.status.Text, "cost") {
		t.Errorf("bad cost status %q", a.status.Text)
	}

	// Settings: zone, leaderboard off.
	a.program.zone.SetSelected("Asia/Shanghai")
	a.program.leaderboard.SetChecked(false)
	h.tap(a.program.save)
	p, err := apiAs(t, srv.URL, testserver.Manager).Program(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.Timezone != "Asia/Shanghai" || p.LeaderboardEnabled || !p.RewardsEnabled {
		t.Errorf("program %+v", p)
	}
}

// Opening the manager view asks for each of the program's lists once: the
// groups, channels, campaigns and members (managerView.load, for every view
// that shows them), then the admin's own program, rewards and redemptions.
// Before, the admin fetched the first four again: 11 requests where 7 do.
func TestManagerViewFetchesEachListOnce(t *testing.T) {
	srv := testserver.Start(t)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	var mu sync.Mutex
	counts := map[string]int{}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// GET /api/v1/programs/{pid}[/what]: counted by what ("program"
		// for the program itself).
		if rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/programs/"); ok && r.Method == http.MethodGet {
			_, what, _ := strings.Cut(rest, "/")
			if what == "" {
				what = "program"
			}
			mu.Lock()
			counts[what]++
			mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()

	h := newHarness(t, proxy.URL, false)
	h.signIn(testserver.Manager)
	if h.ui.mgr == nil {
		t.Fatal("no manager view")
	}
	// Counted from here: the manager view opening, not the member's own
	// screens beside it (Settings lists the channels a member may follow).
	mu.Lock()
	clear(counts)
	mu.Unlock()
	h.ui.mgr = newManagerView(h.ui.kit, h.ui, h.ui.mgr.member, modeManager)
	h.ui.Wait()
	if len(h.ui.mgr.admin.members.rows) == 0 {
		t.Fatal("the manager view did not open with its members")
	}
	mu.Lock()
	defer mu.Unlock()
	total := 0
	for _, what := range []string{"groups", "channels", "campaigns", "members", "program", "rewards", "redemptions"} {
		if counts[what] != 1 {
			t.Errorf("GET %s %d times, want once (all GETs: %v)", what, counts[what], counts)
		}
		total += counts[what]
	}
	if total != 7 {
		t.Errorf("%d requests for the program's lists, want 7", total)
	}
}
