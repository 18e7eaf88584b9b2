package app

import (
	"slices"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// Right after a perform the server's board rows lag behind the caller's
// live points: the caller's row is placed by the live points.
func TestWithOwnRow(t *testing.T) {
	me := client.Me{ID: "u", Name: "Li"}
	row := func(id string, pts, rank int) client.LeaderboardEntry {
		return client.LeaderboardEntry{MemberID: id, Name: id, Points: pts, Rank: rank}
	}
	type shown struct {
		id        string
		pts, rank int
	}
	flat := func(rows []client.LeaderboardEntry) []shown {
		out := []shown{}
		for _, r := range rows {
			out = append(out, shown{r.MemberID, r.Points, r.Rank})
		}
		return out
	}
	for _, c := range []struct {
		name string
		b    client.Leaderboard
		want []shown
	}{
		{"missing, now first", client.Leaderboard{Entries: []client.LeaderboardEntry{row("a", 30, 1), row("b", 20, 2)}, Me: client.MyRank{Rank: 1, Points: 50}},
			[]shown{{"u", 50, 1}, {"a", 30, 2}, {"b", 20, 3}}},
		{"old points, moves up, tie", client.Leaderboard{Entries: []client.LeaderboardEntry{row("a", 30, 1), row("b", 20, 2), row("u", 10, 3)}, Me: client.MyRank{Rank: 1, Points: 30}},
			[]shown{{"a", 30, 1}, {"u", 30, 1}, {"b", 20, 3}}},
		{"up to date", client.Leaderboard{Entries: []client.LeaderboardEntry{row("u", 50, 1), row("a", 30, 2)}, Me: client.MyRank{Rank: 1, Points: 50}},
			[]shown{{"u", 50, 1}, {"a", 30, 2}}},
		{"no points yet", client.Leaderboard{Entries: []client.LeaderboardEntry{row("a", 30, 1)}, Me: client.MyRank{}},
			[]shown{{"a", 30, 1}}},
		{"below this page", client.Leaderboard{Entries: []client.LeaderboardEntry{row("a", 30, 1)}, Me: client.MyRank{Rank: boardPage + 1, Points: 5}},
			[]shown{{"a", 30, 1}}},
		{"last of a short board", client.Leaderboard{Entries: []client.LeaderboardEntry{row("a", 30, 1)}, Me: client.MyRank{Rank: 2, Points: 5}},
			[]shown{{"a", 30, 1}, {"u", 5, 2}}},
	} {
		if got := flat(withOwnRow(c.b, me)); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
