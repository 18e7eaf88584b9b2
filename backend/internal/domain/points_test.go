package domain

import (
	"testing"
	"time"
)

func TestPeriodStart(t *testing.T) {
	sh, _ := LoadLocation("Asia/Shanghai")
	ny, _ := LoadLocation("America/New_York")
	cases := []struct {
		period string
		at     time.Time
		loc    *time.Location
		want   string
	}{
		// Sunday 20:00 UTC is already Monday 04:00 in Shanghai: a new week there.
		{PeriodWeek, time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC), sh, "2026-11-23T00:00:00+08:00"},
		{PeriodWeek, time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC), time.UTC, "2026-11-16T00:00:00Z"},
		{PeriodWeek, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.UTC, "2026-11-23T00:00:00Z"},
		// 1 Dec 03:00 UTC is still 30 Nov in New York.
		{PeriodMonth, time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), ny, "2026-11-01T00:00:00-04:00"},
		{PeriodMonth, time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), sh, "2026-12-01T00:00:00+08:00"},
		{PeriodAll, time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), sh, "1970-01-01T00:00:00Z"},
	}
	for _, c := range cases {
		if got := PeriodStart(c.period, c.at, c.loc).Format(time.RFC3339); got != c.want {
			t.Errorf("%s of %v in %v = %s, want %s", c.period, c.at, c.loc, got, c.want)
		}
	}
}
