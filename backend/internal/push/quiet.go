package push

import (
	"errors"
	"fmt"
	"time"
)

// QuietUntil applies a member's quiet hours to a new-activity push. start
// and end are wall-clock times "HH:MM" in the member's zone tz; the window is
// [start, end) and wraps midnight when end < start. An empty, invalid or
// zero-length (start == end) window means no quiet hours.
//
// When now falls inside the window it returns hold = true and the first
// instant after now at which the member's clock reads end. Wall-clock
// arithmetic matters on DST days: a window ending at 02:30 on the night
// clocks skip 02:00–03:00 ends at 03:00, and on the night 02:00–03:00 repeats
// the earliest 02:30 still ahead of now is used. Outside the window it
// returns false and now.
func QuietUntil(now time.Time, tz *time.Location, start, end string) (hold bool, until time.Time) {
	if start == "" || end == "" {
		return false, now
	}
	s, err1 := ParseClock(start)
	e, err2 := ParseClock(end)
	if err1 != nil || err2 != nil || s == e {
		return false, now
	}
	if tz == nil {
		tz = time.UTC
	}
	local := now.In(tz)
	x := local.Hour()*60 + local.Minute()
	y, mo, d := local.Date()

	var endDay int // 0 = today, 1 = tomorrow (local calendar)
	switch {
	case s < e && x >= s && x < e:
		endDay = 0
	case s > e && x < e:
		endDay = 0
	case s > e && x >= s:
		endDay = 1
	default:
		return false, now
	}
	return true, wallClockAfter(y, mo, d+endDay, e/60, e%60, tz, now)
}

// ParseClock parses "HH:MM" (24-hour) into minutes after midnight.
func ParseClock(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("quiet hours: %q is not HH:MM", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 23 || m > 59 || h < 0 || m < 0 {
		return 0, fmt.Errorf("quiet hours: %q is not HH:MM", s)
	}
	return h*60 + m, nil
}

// ValidateQuietHours checks settings before they are stored; QuietUntil
// itself silently ignores bad values so a bad row never blocks pushes.
func ValidateQuietHours(start, end string) error {
	if start == "" && end == "" {
		return nil
	}
	if start == "" || end == "" {
		return errors.New("quiet hours: set both start and end, or neither")
	}
	if _, err := ParseClock(start); err != nil {
		return err
	}
	_, err := ParseClock(end)
	return err
}

// wallClockAfter returns the earliest instant after `after` whose wall clock
// in loc reads y-mo-d hh:mm, or — when that wall time does not exist because
// the clocks jump over it — the instant of the jump.
func wallClockAfter(y int, mo time.Month, d, hh, mm int, loc *time.Location, after time.Time) time.Time {
	naive := time.Date(y, mo, d, hh, mm, 0, 0, time.UTC)
	y, mo, d = naive.Date() // normalised (d+1 may overflow the month)

	// Offsets well before and after the target; DST transitions are months
	// apart, so at most one lies between them.
	_, offPre := naive.Add(-36 * time.Hour).In(loc).Zone()
	_, offPost := naive.Add(36 * time.Hour).In(loc).Zone()

	var best time.Time
	for _, off := range []int{offPre, offPost} {
		u := naive.Add(-time.Duration(off) * time.Second)
		l := u.In(loc)
		ly, lmo, ld := l.Date()
		if ly != y || lmo != mo || ld != d || l.Hour() != hh || l.Minute() != mm {
			continue
		}
		if !u.After(after) {
			continue
		}
		if best.IsZero() || u.Before(best) {
			best = u
		}
	}
	if !best.IsZero() {
		return best
	}
	// The wall time falls in a gap: read with the later (larger) offset it
	// lands before the jump, whose instant is the end of that zone period.
	off := offPost
	if offPre > off {
		off = offPre
	}
	u := naive.Add(-time.Duration(off) * time.Second).In(loc)
	if _, zoneEnd := u.ZoneBounds(); !zoneEnd.IsZero() && zoneEnd.After(after) {
		return zoneEnd
	}
	// Unreachable with real zone data; never hold a push forever.
	return after
}
