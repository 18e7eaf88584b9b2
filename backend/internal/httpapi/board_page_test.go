package httpapi

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// TestLeaderboardJSONIsTheClientsType: a leaderboard answer assembled from a
// board's encoded page is, byte for byte, client.Leaderboard encoded.
func TestLeaderboardJSONIsTheClientsType(t *testing.T) {
	rows := []store.BoardRow{
		{UserID: "usr_a", Name: "Ann \"A\" <Lee>", Points: 30, Rank: 1},
		{UserID: "usr_b", Name: "王芳", Points: 20, Rank: 2},
		{UserID: "usr_c", Points: 20, Rank: 2},
	}
	since := time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		rows   []store.BoardRow
		limit  int
		group  string
		since  *time.Time
		period string
	}{
		{rows, 50, "", nil, "all"},
		{rows, 2, "grp_x", &since, "week"},
		{nil, 50, "", &since, "month"},
	} {
		b := &board{rows: tc.rows}
		page, err := b.page(tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		me := client.MyRank{Points: 20, Rank: 2}
		got := leaderboardJSON(tc.period, tc.group, tc.since, page, me)
		want := client.Leaderboard{Period: tc.period, GroupID: tc.group, Since: tc.since, Entries: []client.LeaderboardEntry{}, Me: me}
		for _, r := range tc.rows[:min(tc.limit, len(tc.rows))] {
			want.Entries = append(want.Entries, client.LeaderboardEntry{MemberID: r.UserID, Name: r.Name, Points: r.Points, Rank: r.Rank})
		}
		wantJSON, _ := json.Marshal(want)
		wantJSON = append(wantJSON, '\n')
		if !bytes.Equal(got, wantJSON) {
			t.Errorf("limit %d group %q:\n got %s\nwant %s", tc.limit, tc.group, got, wantJSON)
		}
		// The page is made once per size and board.
		if again, _ := b.page(tc.limit); &again[0] != &page[0] {
			t.Error("the page was encoded again")
		}
	}
}
