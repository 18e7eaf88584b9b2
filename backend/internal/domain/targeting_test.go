package domain

import (
	"testing"
	"time"
)

func set(ids ...string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func TestVisible(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	live := func(groups, channels []string) *Activity {
		return &Activity{StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour), GroupIDs: groups, ChannelIDs: channels}
	}
	sales := Audience{Groups: set("g_sales"), Channels: set("c_news")}
	nobody := Audience{}
	cases := []struct {
		name string
		a    *Activity
		who  Audience
		want bool
	}{
		{"everyone", live(nil, nil), nobody, true},
		{"group chosen, member in it", live([]string{"g_exec", "g_sales"}, nil), sales, true},
		{"group chosen, member not in it", live([]string{"g_exec"}, nil), sales, false},
		{"channel chosen, member in it", live(nil, []string{"c_news"}), sales, true},
		{"channel chosen, member not in it", live(nil, []string{"c_private"}), sales, false},
		{"both chosen, passes both", live([]string{"g_sales"}, []string{"c_news"}), sales, true},
		{"both chosen, passes groups only", live([]string{"g_sales"}, []string{"c_other"}), sales, false},
		{"both chosen, passes channels only", live([]string{"g_exec"}, []string{"c_news"}), sales, false},
		{"not started", &Activity{StartsAt: now.Add(time.Second)}, nobody, false},
		{"starts exactly now", &Activity{StartsAt: now}, nobody, true},
		{"ends exactly now", &Activity{StartsAt: now.Add(-time.Hour), EndsAt: now}, nobody, false},
		{"no end", &Activity{StartsAt: now.Add(-time.Hour)}, nobody, true},
		{"removed", &Activity{StartsAt: now.Add(-time.Hour), RemovedAt: now.Add(-time.Minute)}, nobody, false},
	}
	for _, c := range cases {
		if got := Visible(c.a, c.who, now); got != c.want {
			t.Errorf("%s: Visible = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSortFeed(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	items := []*Activity{
		{ID: "old", StartsAt: t0},
		{ID: "new", StartsAt: t0.Add(2 * time.Hour)},
		{ID: "feat-old", StartsAt: t0.Add(-time.Hour), Featured: true},
		{ID: "mid-b", StartsAt: t0.Add(time.Hour)},
		{ID: "mid-a", StartsAt: t0.Add(time.Hour)},
	}
	SortFeed(items)
	want := []string{"feat-old", "new", "mid-b", "mid-a", "old"}
	for i, a := range items {
		if a.ID != want[i] {
			t.Fatalf("position %d: %s, want %s (whole: %v)", i, a.ID, want[i], ids(items))
		}
	}
}

func ids(items []*Activity) []string {
	out := make([]string, len(items))
	for i, a := range items {
		out[i] = a.ID
	}
	return out
}

func TestActivityStatus(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	cases := map[string]Activity{
		"live":      {StartsAt: now},
		"scheduled": {StartsAt: now.Add(time.Minute)},
		"expired":   {StartsAt: now.Add(-time.Hour), EndsAt: now},
		"removed":   {StartsAt: now.Add(time.Minute), RemovedAt: now},
	}
	for want, a := range cases {
		if got := a.Status(now); got != want {
			t.Errorf("Status = %s, want %s", got, want)
		}
	}
}
