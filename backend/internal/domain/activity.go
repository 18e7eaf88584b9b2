package domain

import (
	"strings"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/wire"
)

// ActivityType names what a member does; the registry stays open for more.
type ActivityType string

const (
	TypeWeChatPhoto ActivityType = wire.ActivityWeChatPhoto
	TypeWeChatVideo ActivityType = wire.ActivityWeChatVideo
	TypeTikTokVideo ActivityType = wire.ActivityTikTokVideo
)

// TypeSpec describes what an activity type needs.
type TypeSpec struct {
	Type                ActivityType
	Network             string // "wechat", "tiktok"
	Label               string
	NeedsMessage        bool
	NeedsMedia          bool
	MediaKind           string // the media rules kind a media_id must match
	DefaultInstructions string
}

var (
	typesMu sync.RWMutex
	types   = map[ActivityType]TypeSpec{}
)

// RegisterType adds an activity type; adding a network is one call here plus
// its perform path.
func RegisterType(s TypeSpec) {
	typesMu.Lock()
	defer typesMu.Unlock()
	types[s.Type] = s
}

// LookupType returns the spec of a registered type.
func LookupType(t ActivityType) (TypeSpec, bool) {
	typesMu.RLock()
	defer typesMu.RUnlock()
	s, ok := types[t]
	return s, ok
}

// TypeNames lists registered types, for error messages.
func TypeNames() []string {
	typesMu.RLock()
	defer typesMu.RUnlock()
	out := make([]string, 0, len(types))
	for t := range types {
		out = append(out, string(t))
	}
	sortStrings(out)
	return out
}

// DefaultTikTokInstructions is the text managers get when they leave it blank.
const DefaultTikTokInstructions = "Share this video on TikTok"

func init() {
	RegisterType(TypeSpec{Type: TypeWeChatPhoto, Network: "wechat", Label: "WeChat Photo", NeedsMessage: true, MediaKind: wire.ActivityWeChatPhoto})
	RegisterType(TypeSpec{Type: TypeWeChatVideo, Network: "wechat", Label: "WeChat Video", NeedsMessage: true, NeedsMedia: true, MediaKind: wire.ActivityWeChatVideo})
	RegisterType(TypeSpec{Type: TypeTikTokVideo, Network: "tiktok", Label: "TikTok Video", NeedsMedia: true, MediaKind: wire.ActivityTikTokVideo, DefaultInstructions: DefaultTikTokInstructions})
}

// Limits on activity fields.
const (
	MaxPoints        = 10000
	MaxMessageLength = 10000 // characters
)

// Activity is one thing for members to do.
type Activity struct {
	ID              string
	ProgramID       string
	Type            ActivityType
	Message         string
	Instructions    string
	MediaID         string
	GroupIDs        []string
	ChannelIDs      []string
	StartsAt        time.Time
	EndsAt          time.Time // zero: never expires
	Points          int
	CampaignID      string
	Featured        bool
	CreatedBy       string
	CreatorTimezone string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	RemovedAt       time.Time // zero: shown to members
}

// Removed reports whether a manager took the activity out of member view.
func (a *Activity) Removed() bool { return !a.RemovedAt.IsZero() }

// Live reports whether now is within [start, end) and it was not removed.
func (a *Activity) Live(now time.Time) bool {
	return !a.Removed() && !now.Before(a.StartsAt) && (a.EndsAt.IsZero() || now.Before(a.EndsAt))
}

// Status is how a manager's list describes an activity at now.
func (a *Activity) Status(now time.Time) string {
	switch {
	case a.Removed():
		return wire.StatusRemoved
	case now.Before(a.StartsAt):
		return wire.StatusScheduled
	case !a.EndsAt.IsZero() && !now.Before(a.EndsAt):
		return wire.StatusExpired
	}
	return wire.StatusLive
}

// ActivityInput is what a manager sends to create or edit an activity.
// Nil fields are "not given": on create they take defaults, on edit they keep
// the current value.
type ActivityInput struct {
	Type         *string
	Message      *string
	Instructions *string
	MediaID      *string
	GroupIDs     *[]string
	ChannelIDs   *[]string
	StartsAt     *string
	EndsAt       *string
	Points       *int
	CampaignID   *string
	Featured     *bool
}

// ApplyActivityInput validates in against the type's rules and applies it on
// top of base (a zero Activity for create). Times without an offset are read
// in loc, the creating manager's zone; a blank start means now. References to
// groups, channels and campaigns are checked by the caller, who has the store.
func ApplyActivityInput(base Activity, in ActivityInput, loc *time.Location, now time.Time) (Activity, error) {
	a := base
	f := Fields{}
	creating := base.ID == ""
	if in.Type != nil {
		if !creating && ActivityType(*in.Type) != base.Type {
			f.Add("type", "cannot be changed; create a new activity instead")
		}
		a.Type = ActivityType(strings.TrimSpace(*in.Type))
	}
	spec, ok := LookupType(a.Type)
	if !ok {
		if a.Type == "" {
			f.Add("type", "is required; one of "+strings.Join(TypeNames(), ", "))
		} else {
			f.Add("type", "must be one of "+strings.Join(TypeNames(), ", "))
		}
	}
	if in.Message != nil {
		a.Message = strings.TrimSpace(*in.Message)
	}
	if in.Instructions != nil {
		a.Instructions = strings.TrimSpace(*in.Instructions)
	}
	if in.MediaID != nil {
		a.MediaID = strings.TrimSpace(*in.MediaID)
	}
	if in.GroupIDs != nil {
		a.GroupIDs = uniqueNonEmpty(*in.GroupIDs)
	}
	if in.ChannelIDs != nil {
		a.ChannelIDs = uniqueNonEmpty(*in.ChannelIDs)
	}
	if in.CampaignID != nil {
		a.CampaignID = strings.TrimSpace(*in.CampaignID)
	}
	if in.Featured != nil {
		a.Featured = *in.Featured
	}
	if in.Points != nil {
		a.Points = *in.Points
	}
	if a.Points < 0 || a.Points > MaxPoints {
		f.Add("points", "must be between 0 and 10000")
	}
	if len([]rune(a.Message)) > MaxMessageLength {
		f.Add("message", "is longer than 10000 characters")
	}
	if len([]rune(a.Instructions)) > MaxMessageLength {
		f.Add("instructions", "is longer than 10000 characters")
	}
	if ok {
		if spec.NeedsMessage && a.Message == "" {
			f.Add("message", "is required for a "+spec.Label+" activity")
		}
		if spec.NeedsMedia && a.MediaID == "" {
			f.Add("media_id", "is required for a "+spec.Label+" activity: upload the video first")
		}
		if a.Instructions == "" {
			a.Instructions = spec.DefaultInstructions
		}
	}
	if in.StartsAt != nil {
		if strings.TrimSpace(*in.StartsAt) == "" {
			a.StartsAt = now
		} else if t, err := ParseTime(*in.StartsAt, loc); err != nil {
			f.Add("starts_at", err.Error())
		} else {
			a.StartsAt = t
		}
	} else if creating {
		a.StartsAt = now
	}
	if in.EndsAt != nil {
		if strings.TrimSpace(*in.EndsAt) == "" {
			a.EndsAt = time.Time{}
		} else if t, err := ParseTime(*in.EndsAt, loc); err != nil {
			f.Add("ends_at", err.Error())
		} else {
			a.EndsAt = t
		}
	}
	if _, bad := f["starts_at"]; !bad && !a.EndsAt.IsZero() {
		if _, bad := f["ends_at"]; !bad && !a.EndsAt.After(a.StartsAt) {
			f.Add("ends_at", "must be after starts_at")
		}
	}
	a.StartsAt = a.StartsAt.UTC().Truncate(time.Millisecond)
	if !a.EndsAt.IsZero() {
		a.EndsAt = a.EndsAt.UTC().Truncate(time.Millisecond)
	}
	return a, f.Err()
}

// ParseTime reads an RFC 3339 instant, or a wall-clock time without offset
// ("2026-11-21T09:00" or with seconds) in loc: managers type times in their
// own zone and should not have to know its offset on that date.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errString("must be a time like 2026-11-21T09:00:00+08:00, or 2026-11-21T09:00 in your own time zone")
}

type errString string

func (e errString) Error() string { return string(e) }

func uniqueNonEmpty(in []string) []string {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}
