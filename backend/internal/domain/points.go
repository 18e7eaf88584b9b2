package domain

import "time"

// Leaderboard periods.
const (
	PeriodAll   = "all"
	PeriodMonth = "month"
	PeriodWeek  = "week"
)

// PeriodStart is when the period containing t began, in loc: the 1st of the
// month or Monday, at midnight. "all" began at the Unix epoch.
func PeriodStart(period string, t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	switch period {
	case PeriodMonth:
		return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
	case PeriodWeek:
		daysSinceMonday := (int(l.Weekday()) + 6) % 7
		return time.Date(l.Year(), l.Month(), l.Day()-daysSinceMonday, 0, 0, 0, 0, loc)
	}
	return time.Unix(0, 0).UTC()
}

// Surfaces a perform can come from.
const (
	SurfaceMobile = "mobile"
	SurfaceWeb    = "web"
	// SurfaceDesktop: the desktop app (Windows, macOS, Linux).
	SurfaceDesktop = "desktop"
	// SurfaceWebShare: a member's share page (/s/{token}) in any phone's
	// browser; only the server records it.
	SurfaceWebShare = "web_share"
)
