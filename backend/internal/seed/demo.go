package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// Demo program facts, also used by tests and the README.
const (
	DemoProgram  = "Demo Co"
	DemoManager  = "manager@demo.test"
	DemoPassword = "chorus-demo"
	DemoMembers  = 5
)

// DemoMember returns the email of demo member i (1-based).
func DemoMember(i int) string { return fmt.Sprintf("member%d@demo.test", i) }

// DemoResult tells what the demo seed holds.
type DemoResult struct {
	Program domain.Program
	Created bool // false when it was already there
}

// Demo seeds the demo program once; later calls find it and change nothing.
func Demo(ctx context.Context, st *store.Store, p auth.Params, now time.Time, opts ...DemoOption) (DemoResult, error) {
	var o demoOptions
	for _, f := range opts {
		f(&o)
	}
	if prog, err := st.ProgramByName(ctx, DemoProgram); err == nil {
		return DemoResult{Program: prog}, nil
	}
	prog, mgr, err := CreateProgram(ctx, st, DemoProgram, "Asia/Shanghai",
		UserSpec{Email: DemoManager, Name: "Mei Manager", Password: DemoPassword, Timezone: "Asia/Shanghai", Locale: domain.LocaleChinese}, p)
	if err != nil {
		return DemoResult{}, fmt.Errorf("demo program: %w", err)
	}
	pid := prog.ID
	mediaIDs, err := importDemoMedia(ctx, o.media, pid, mgr.ID)
	if err != nil {
		return DemoResult{}, err
	}
	groups := map[string]string{}
	for _, name := range []string{"Sales", "Engineering", "Executive Leadership"} {
		g := domain.Group{ID: domain.NewID("grp"), ProgramID: pid, Name: name}
		if err := st.CreateGroup(ctx, g, now); err != nil {
			return DemoResult{}, err
		}
		groups[name] = g.ID
	}
	news := domain.Channel{ID: domain.NewID("chn"), ProgramID: pid, Name: "Company News", Visibility: domain.VisibilityPublic}
	circle := domain.Channel{ID: domain.NewID("chn"), ProgramID: pid, Name: "Leadership Circle", Visibility: domain.VisibilityPrivate}
	for _, c := range []domain.Channel{news, circle} {
		if err := st.CreateChannel(ctx, c, now); err != nil {
			return DemoResult{}, err
		}
	}
	people := []struct {
		name, zone, locale string
		groups             []string
	}{
		{"Li Wei", "Asia/Shanghai", domain.LocaleChinese, []string{"Sales"}},
		{"Emma Johnson", "America/New_York", domain.LocaleEnglish, []string{"Sales", "Executive Leadership"}},
		{"Lukas Schmidt", "Europe/Berlin", domain.LocaleEnglish, []string{"Engineering"}},
		{"Zhang Min", "Asia/Shanghai", domain.LocaleChinese, []string{"Engineering", "Sales"}},
		{"Olivia Brown", "America/New_York", domain.LocaleEnglish, nil},
	}
	var ids []string
	for i, pp := range people {
		u, err := NewUser(UserSpec{Email: DemoMember(i + 1), Name: pp.name, Password: DemoPassword, Timezone: pp.zone, Locale: pp.locale}, p, now)
		if err != nil {
			return DemoResult{}, err
		}
		var gids []string
		for _, g := range pp.groups {
			gids = append(gids, groups[g])
		}
		if err := st.AddMember(ctx, pid, store.NewMember{User: u, CreateUser: true, Role: domain.RoleMember, GroupIDs: gids}, now); err != nil {
			return DemoResult{}, err
		}
		ids = append(ids, u.ID)
	}
	// Members 1–3 follow the news; member 2 (an executive) is in the circle.
	for _, uid := range ids[:3] {
		if err := st.SetFollow(ctx, pid, news.ID, uid, true); err != nil {
			return DemoResult{}, err
		}
	}
	if err := st.SetChannelMembers(ctx, pid, circle.ID, []string{ids[1]}); err != nil {
		return DemoResult{}, err
	}
	launch := domain.Campaign{ID: domain.NewID("cmp"), ProgramID: pid, Name: "Launch Week", Description: "Our autumn product launch"}
	if err := st.CreateCampaign(ctx, launch, now); err != nil {
		return DemoResult{}, err
	}
	day := 24 * time.Hour
	acts := []domain.Activity{
		{Type: domain.TypeWeChatPhoto, Message: "我们的新产品今天发布！Our new product launches today: https://example.com/launch", MediaID: mediaIDs.For(domain.TypeWeChatPhoto), Points: 50, Featured: true, CampaignID: launch.ID, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(7 * day)},
		{Type: domain.TypeWeChatVideo, Message: "看看我们团队的幕后花絮 Behind the scenes with our team", MediaID: mediaIDs.For(domain.TypeWeChatVideo), Points: 30, CampaignID: launch.ID, StartsAt: now.Add(-2 * time.Hour), EndsAt: now.Add(5 * day)},
		{Type: domain.TypeTikTokVideo, Instructions: domain.DefaultTikTokInstructions, MediaID: mediaIDs.For(domain.TypeTikTokVideo), Points: 40, StartsAt: now.Add(-3 * time.Hour), EndsAt: now.Add(10 * day)},
		{Type: domain.TypeWeChatPhoto, Message: "Sales kick-off: share our customer story", Points: 20, GroupIDs: []string{groups["Sales"]}, StartsAt: now.Add(-30 * time.Minute), EndsAt: now.Add(3 * day)},
		{Type: domain.TypeWeChatPhoto, Message: "Leadership letter for the Leadership Circle", Points: 25, ChannelIDs: []string{circle.ID}, StartsAt: now.Add(-4 * time.Hour), EndsAt: now.Add(3 * day)},
		{Type: domain.TypeWeChatPhoto, Message: "Company news: our new office in Berlin", Points: 15, ChannelIDs: []string{news.ID}, StartsAt: now.Add(-5 * time.Hour)},
		{Type: domain.TypeWeChatPhoto, Message: "Coming soon: the year in review", Points: 20, StartsAt: now.Add(2 * day), EndsAt: now.Add(9 * day)},
		{Type: domain.TypeWeChatPhoto, Message: "Last month's webinar (expired)", Points: 10, StartsAt: now.Add(-30 * day), EndsAt: now.Add(-20 * day)},
	}
	for i := range acts {
		a := &acts[i]
		a.ID, a.ProgramID, a.CreatedBy, a.CreatorTimezone = domain.NewID("act"), pid, mgr.ID, mgr.Timezone
		a.CreatedAt, a.UpdatedAt = now, now
		a.StartsAt, a.EndsAt = a.StartsAt.UTC().Truncate(time.Millisecond), a.EndsAt.UTC().Truncate(time.Millisecond)
		spec, _ := domain.LookupType(a.Type)
		if spec.NeedsMedia && a.MediaID == "" {
			continue // seeded without media storage
		}
		if a.Instructions == "" {
			a.Instructions = spec.DefaultInstructions
		}
		if err := st.CreateActivity(ctx, *a); err != nil {
			return DemoResult{}, err
		}
	}
	// Something to spend points on, so the demo shows rewards end to end:
	// one a first share pays for, one for a few, one limited.
	three := 3
	for _, r := range []store.Reward{
		{Title: "咖啡券 Coffee voucher", Description: "A coffee on us at the office café", Cost: 30},
		{Title: "Chorus 卫衣 Chorus hoodie", Description: "Warm, soft, and in our colours", Cost: 100},
		{Title: "额外一天假 An extra day off", Description: "Agree the day with your manager", Cost: 150, Quantity: &three},
	} {
		r.ID, r.ProgramID, r.Active = domain.NewID("rwd"), pid, true
		if err := st.CreateReward(ctx, r, now); err != nil {
			return DemoResult{}, err
		}
	}
	return DemoResult{Program: prog, Created: true}, nil
}
