package domain

import (
	"sort"
	"time"
)

// Audience is what the targeting rule needs to know about one member.
type Audience struct {
	Groups   map[string]bool // member groups they are in
	Channels map[string]bool // public channels they follow and private channels they belong to
}

// Visible is PRODUCT.md's targeting rule: live now, and in at least one chosen
// group (if any were chosen), and in at least one chosen channel (if any were
// chosen).
func Visible(a *Activity, who Audience, now time.Time) bool {
	return a.Live(now) && Targets(a, who)
}

// Targets is the audience half of the rule: the activity is sent to this
// member, whatever the time (reports count eligible members with it).
func Targets(a *Activity, who Audience) bool {
	return anyIn(a.GroupIDs, who.Groups) && anyIn(a.ChannelIDs, who.Channels)
}

// anyIn is true for an empty choice: blank means everyone.
func anyIn(chosen []string, mine map[string]bool) bool {
	if len(chosen) == 0 {
		return true
	}
	for _, id := range chosen {
		if mine[id] {
			return true
		}
	}
	return false
}

// SortFeed orders a feed: featured first, then newest start first, then id so
// the order is stable across requests.
func SortFeed(items []*Activity) {
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.Featured != b.Featured {
			return a.Featured
		}
		if !a.StartsAt.Equal(b.StartsAt) {
			return a.StartsAt.After(b.StartsAt)
		}
		return a.ID > b.ID
	})
}

func sortStrings(s []string) { sort.Strings(s) }
