package httpapi

import (
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/media"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

func toMe(u domain.User, ms []domain.Membership) client.Me {
	me := client.Me{ID: u.ID, Email: u.Email, Name: u.Name, Timezone: u.Timezone, Locale: u.Locale, TrackingOptOut: u.TrackingOptOut,
		QuietHoursStart: u.QuietHoursStart, QuietHoursEnd: u.QuietHoursEnd, Memberships: []client.Membership{}}
	for _, m := range ms {
		me.Memberships = append(me.Memberships, client.Membership{ProgramID: m.ProgramID, ProgramName: m.ProgramName, Role: string(m.Role)})
	}
	return me
}

func toProgram(p domain.Program) client.Program {
	return client.Program{ID: p.ID, Name: p.Name, Timezone: p.Timezone, LeaderboardEnabled: p.LeaderboardEnabled, RewardsEnabled: p.RewardsEnabled}
}

func toMember(m domain.Member) client.Member {
	status := "active"
	if m.Invited {
		status = "invited"
	}
	gids := m.GroupIDs
	if gids == nil {
		gids = []string{}
	}
	return client.Member{ID: m.User.ID, Email: m.User.Email, Name: m.User.Name, Role: string(m.Role), Timezone: m.User.Timezone, GroupIDs: gids, Status: status}
}

func toGroup(g domain.Group) client.Group {
	return client.Group{ID: g.ID, Name: g.Name, MemberCount: g.MemberCount}
}

func toChannel(c domain.Channel) client.Channel {
	return client.Channel{ID: c.ID, Name: c.Name, Visibility: string(c.Visibility), MemberCount: c.MemberCount, Following: c.Following}
}

func toCampaign(c domain.Campaign) client.Campaign {
	return client.Campaign{ID: c.ID, Name: c.Name, Description: c.Description}
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// toMediaInfo describes a media file for clients.
func toMediaInfo(m store.Media) *client.MediaInfo {
	return &client.MediaInfo{ID: m.ID, Kind: m.Kind, ContentType: m.ContentType, Filename: m.Filename, SizeBytes: m.SizeBytes,
		SHA256: m.SHA256, Width: m.Width, Height: m.Height, DurationMS: m.DurationMS, Thumbnail: media.HasThumbnail(m)}
}

// mediaInfos are the media facts of an activity's media_id, by media id.
type mediaInfos map[string]*client.MediaInfo

// of is the facts of the activity's media (nil without media, or when
// the media is gone).
func (mi mediaInfos) of(a *domain.Activity) *client.MediaInfo {
	if a.MediaID == "" {
		return nil
	}
	return mi[a.MediaID]
}

func toActivity(a *domain.Activity, now time.Time, mi mediaInfos) client.Activity {
	return client.Activity{
		ID: a.ID, ProgramID: a.ProgramID, Type: string(a.Type), Status: a.Status(now),
		Message: a.Message, Instructions: a.Instructions, MediaID: a.MediaID,
		GroupIDs: orEmpty(a.GroupIDs), ChannelIDs: orEmpty(a.ChannelIDs),
		StartsAt: a.StartsAt, EndsAt: optTime(a.EndsAt), Points: a.Points, CampaignID: a.CampaignID, Featured: a.Featured,
		CreatedBy: a.CreatedBy, CreatorTimezone: a.CreatorTimezone, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, RemovedAt: optTime(a.RemovedAt),
		Media: mi.of(a),
	}
}

func toFeedItem(a *domain.Activity, performed bool, mi mediaInfos) client.FeedItem {
	spec, _ := domain.LookupType(a.Type)
	return client.FeedItem{ID: a.ID, Type: string(a.Type), Message: a.Message, Instructions: a.Instructions, MediaID: a.MediaID,
		StartsAt: a.StartsAt, EndsAt: optTime(a.EndsAt), Points: a.Points, Featured: a.Featured, CampaignID: a.CampaignID,
		Network: spec.Network, Performed: performed, Media: mi.of(a)}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func list[T, W any](items []T, conv func(T) W) client.List[W] {
	out := client.List[W]{Items: make([]W, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, conv(it))
	}
	return out
}
