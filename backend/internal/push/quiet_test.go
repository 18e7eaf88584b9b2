package push

import (
	"testing"
	"time"
	_ "time/tzdata" // the DST cases must not depend on the host's zoneinfo
)

func TestQuietUntil(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	shanghai, berlin, newYork := zone("Asia/Shanghai"), zone("Europe/Berlin"), zone("America/New_York")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	tests := []struct {
		name       string
		now        string // RFC 3339
		tz         *time.Location
		start, end string
		hold       bool
		until      string // RFC 3339; "" = now
	}{
		// Asia/Shanghai, UTC+8 all year.
		{"shanghai before window", "2025-03-10T21:59:00+08:00", shanghai, "22:00", "07:00", false, ""},
		{"shanghai at start", "2025-03-10T22:00:00+08:00", shanghai, "22:00", "07:00", true, "2025-03-11T07:00:00+08:00"},
		{"shanghai late evening", "2025-03-10T23:30:00+08:00", shanghai, "22:00", "07:00", true, "2025-03-11T07:00:00+08:00"},
		{"shanghai after midnight", "2025-03-11T06:59:59+08:00", shanghai, "22:00", "07:00", true, "2025-03-11T07:00:00+08:00"},
		{"shanghai at end (exclusive)", "2025-03-11T07:00:00+08:00", shanghai, "22:00", "07:00", false, ""},
		{"shanghai month boundary", "2025-01-31T23:00:00+08:00", shanghai, "22:00", "07:00", true, "2025-02-01T07:00:00+08:00"},
		{"shanghai year boundary", "2025-12-31T22:30:00+08:00", shanghai, "22:00", "07:00", true, "2026-01-01T07:00:00+08:00"},
		{"now given in UTC is read in the member's zone", "2025-03-10T15:30:00Z", shanghai, "22:00", "07:00", true, "2025-03-11T07:00:00+08:00"},
		{"same-day window inside", "2025-03-10T13:30:00+08:00", shanghai, "13:00", "14:00", true, "2025-03-10T14:00:00+08:00"},
		{"same-day window before", "2025-03-10T12:59:00+08:00", shanghai, "13:00", "14:00", false, ""},
		{"same-day window after", "2025-03-10T14:00:00+08:00", shanghai, "13:00", "14:00", false, ""},

		// No quiet hours.
		{"empty start", "2025-03-10T23:00:00+08:00", shanghai, "", "07:00", false, ""},
		{"empty end", "2025-03-10T23:00:00+08:00", shanghai, "22:00", "", false, ""},
		{"zero-length", "2025-03-10T22:00:00+08:00", shanghai, "22:00", "22:00", false, ""},
		{"invalid", "2025-03-10T23:00:00+08:00", shanghai, "25:00", "07:00", false, ""},
		{"nil zone is UTC", "2025-03-10T23:00:00Z", nil, "22:00", "07:00", true, "2025-03-11T07:00:00Z"},

		// Europe/Berlin, spring forward 2025-03-30 02:00 CET -> 03:00 CEST.
		{"berlin spring night is 7h long", "2025-03-29T23:00:00+01:00", berlin, "22:00", "07:00", true, "2025-03-30T07:00:00+02:00"},
		{"berlin end in the skipped hour ends at the jump", "2025-03-29T23:00:00+01:00", berlin, "22:00", "02:30", true, "2025-03-30T03:00:00+02:00"},
		{"berlin just before the jump", "2025-03-30T01:59:00+01:00", berlin, "22:00", "02:30", true, "2025-03-30T03:00:00+02:00"},
		{"berlin after the jump, window over", "2025-03-30T03:00:00+02:00", berlin, "22:00", "02:30", false, ""},
		{"berlin start in the skipped hour", "2025-03-30T03:10:00+02:00", berlin, "02:30", "06:00", true, "2025-03-30T06:00:00+02:00"},
		// Europe/Berlin, fall back 2025-10-26 03:00 CEST -> 02:00 CET.
		{"berlin autumn night is 9h long", "2025-10-25T23:00:00+02:00", berlin, "22:00", "07:00", true, "2025-10-26T07:00:00+01:00"},
		{"berlin repeated hour, first pass", "2025-10-26T02:15:00+02:00", berlin, "01:00", "02:30", true, "2025-10-26T02:30:00+02:00"},
		{"berlin repeated hour, second pass", "2025-10-26T02:15:00+01:00", berlin, "01:00", "02:30", true, "2025-10-26T02:30:00+01:00"},
		{"berlin repeated hour, after end on second pass", "2025-10-26T02:45:00+01:00", berlin, "01:00", "02:30", false, ""},

		// America/New_York, spring forward 2025-03-09 02:00 EST -> 03:00 EDT.
		{"new york spring", "2025-03-08T23:30:00-05:00", newYork, "23:00", "07:00", true, "2025-03-09T07:00:00-04:00"},
		{"new york end in the skipped hour", "2025-03-08T22:30:00-05:00", newYork, "22:00", "02:15", true, "2025-03-09T03:00:00-04:00"},
		// America/New_York, fall back 2025-11-02 02:00 EDT -> 01:00 EST.
		{"new york autumn, end in repeated hour", "2025-11-01T23:00:00-04:00", newYork, "22:00", "01:30", true, "2025-11-02T01:30:00-04:00"},
		{"new york autumn, second pass", "2025-11-02T01:10:00-05:00", newYork, "22:00", "01:30", true, "2025-11-02T01:30:00-05:00"},
		{"new york autumn morning", "2025-11-02T00:30:00-04:00", newYork, "22:00", "07:00", true, "2025-11-02T07:00:00-05:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := utc(tt.now)
			hold, until := QuietUntil(now, tt.tz, tt.start, tt.end)
			want := now
			if tt.until != "" {
				want = utc(tt.until)
			}
			if hold != tt.hold || !until.Equal(want) {
				t.Errorf("QuietUntil(%s) = %v, %s; want %v, %s", tt.now, hold, until.UTC().Format(time.RFC3339), tt.hold, want.UTC().Format(time.RFC3339))
			}
			if hold && !until.After(now) {
				t.Errorf("held until %s, not after now %s", until, now)
			}
		})
	}
}

func TestValidateQuietHours(t *testing.T) {
	tests := []struct {
		start, end string
		ok         bool
	}{
		{"", "", true},
		{"22:00", "07:00", true},
		{"00:00", "23:59", true},
		{"22:00", "", false},
		{"24:00", "07:00", false},
		{"7:00", "08:00", false},
		{"07:60", "08:00", false},
		{"ab:cd", "08:00", false},
	}
	for _, tt := range tests {
		if err := ValidateQuietHours(tt.start, tt.end); (err == nil) != tt.ok {
			t.Errorf("ValidateQuietHours(%q, %q) = %v, want ok=%v", tt.start, tt.end, err, tt.ok)
		}
	}
}
