package client

import "time"

// The wire types of the HTTP API (v1). The server encodes these very types,
// and its OpenAPI document is generated from them, so the three agree.

// ErrorBody is the shape of every error response.
type ErrorBody struct {
	Error Error `json:"error"`
}

// Error is an API error; Message is safe to show to a person.
type Error struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return e.Code + ": " + e.Message + " " + formatFields(e.Fields)
	}
	return e.Code + ": " + e.Message
}

// Health is GET /healthz.
type Health struct {
	Status   string `json:"status"`
	Database string `json:"database"`
}

// LoginRequest signs in with email and password.
type LoginRequest struct {
	Email    string `json:"email" maxLength:"email"`
	Password string `json:"password" maxLength:"password"`
}

// Session is a signed-in session.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      Me        `json:"user"`
}

// Me is the signed-in person.
type Me struct {
	ID             string `json:"id"`
	Email          string `json:"email"`
	Name           string `json:"name"`
	Timezone       string `json:"timezone"`
	Locale         string `json:"locale"`
	TrackingOptOut bool   `json:"tracking_opt_out"`
	// QuietHoursStart and QuietHoursEnd ("HH:MM" in Timezone; "" = none)
	// hold back new-activity pushes until the window ends.
	QuietHoursStart string `json:"quiet_hours_start"`
	QuietHoursEnd   string `json:"quiet_hours_end"`
	// NotifyPush: new activities are pushed to the person's phones and
	// browsers (handoffs always are: the person asked for them).
	NotifyPush bool `json:"notify_push"`
	// NotifyEmail and NotifyWeCom are NotifyAuto (only when no push reaches
	// the person), NotifyOn or NotifyOff.
	NotifyEmail string `json:"notify_email"`
	NotifyWeCom string `json:"notify_wecom"`
	// NotifyChannels are the channels that can reach the person now
	// (ChannelPush, ChannelEmail, ChannelWeCom): configured on the server
	// and, for email and WeCom, on in one of their programs.
	NotifyChannels []string     `json:"notify_channels"`
	Memberships    []Membership `json:"memberships"`
}

// Notification channel choices (Me.NotifyEmail, Me.NotifyWeCom).
const (
	NotifyAuto = "auto"
	NotifyOn   = "on"
	NotifyOff  = "off"
)

// Notification channels (Me.NotifyChannels).
const (
	ChannelPush  = "push"
	ChannelEmail = "email"
	ChannelWeCom = "wecom"
)

// Membership is one program the person belongs to.
type Membership struct {
	ProgramID   string `json:"program_id"`
	ProgramName string `json:"program_name"`
	Role        string `json:"role"`
}

// UpdateMe changes the signed-in person's profile; nil fields stay.
type UpdateMe struct {
	Name           *string `json:"name,omitempty" maxLength:"name"`
	Timezone       *string `json:"timezone,omitempty" maxLength:"word"`
	Locale         *string `json:"locale,omitempty" maxLength:"locale"`
	TrackingOptOut *bool   `json:"tracking_opt_out,omitempty"`
	// Quiet hours: both "HH:MM", or both "" to clear.
	QuietHoursStart *string `json:"quiet_hours_start,omitempty" maxLength:"word"`
	QuietHoursEnd   *string `json:"quiet_hours_end,omitempty" maxLength:"word"`
	// Channels: see Me.
	NotifyPush  *bool   `json:"notify_push,omitempty"`
	NotifyEmail *string `json:"notify_email,omitempty" maxLength:"word"`
	NotifyWeCom *string `json:"notify_wecom,omitempty" maxLength:"word"`
}

// AcceptInvite turns an invite code into an account and a session.
type AcceptInvite struct {
	Code     string `json:"code" maxLength:"key"`
	Name     string `json:"name" maxLength:"name"`
	Password string `json:"password" maxLength:"password"`
}

// Program is a program and its settings.
type Program struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	Timezone           string `json:"timezone"`
	LeaderboardEnabled bool   `json:"leaderboard_enabled"`
	RewardsEnabled     bool   `json:"rewards_enabled"`
	// EmailEnabled and WeComEnabled let new activities go out by email and
	// WeCom (where the server has the credentials and members choose it).
	EmailEnabled bool `json:"email_enabled"`
	WeComEnabled bool `json:"wecom_enabled"`
	// Slack and Teams incoming webhooks: set or not (the URLs are
	// credentials and are never answered).
	SlackWebhookSet bool `json:"slack_webhook_set"`
	TeamsWebhookSet bool `json:"teams_webhook_set"`
}

// UpdateProgram changes settings; nil fields stay.
type UpdateProgram struct {
	Name               *string `json:"name,omitempty" maxLength:"name"`
	Timezone           *string `json:"timezone,omitempty" maxLength:"word"`
	LeaderboardEnabled *bool   `json:"leaderboard_enabled,omitempty"`
	RewardsEnabled     *bool   `json:"rewards_enabled,omitempty"`
	EmailEnabled       *bool   `json:"email_enabled,omitempty"`
	WeComEnabled       *bool   `json:"wecom_enabled,omitempty"`
	// Incoming webhook URLs (https); "" removes one.
	SlackWebhookURL *string `json:"slack_webhook_url,omitempty" maxLength:"url"`
	TeamsWebhookURL *string `json:"teams_webhook_url,omitempty" maxLength:"url"`
}

// Member is a person in a program, as managers see them.
type Member struct {
	ID       string   `json:"id"`
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Role     string   `json:"role"`
	Timezone string   `json:"timezone"`
	GroupIDs []string `json:"group_ids"`
	Status   string   `json:"status"` // "active" or "invited"
	// WeComUserID is the member's WeCom (企业微信) user id in this program's
	// company: set by a manager, or matched by email when first needed.
	WeComUserID string `json:"wecom_user_id"`
	// Limited: a manager limited to ScopeGroupIDs and ScopeChannelIDs
	// (they create activities and see reports only for those audiences).
	Limited         bool     `json:"limited,omitempty"`
	ScopeGroupIDs   []string `json:"scope_group_ids,omitempty"`
	ScopeChannelIDs []string `json:"scope_channel_ids,omitempty"`
}

// AddMember invites a person to a program. Everyone gets an invite code
// (AddedMember.InviteCode) and stays "invited" until they accept it, whether
// or not the address already has an account: the answer shows only what the
// manager typed. Password is refused (422): only the person sets theirs.
type AddMember struct {
	Email    string   `json:"email" maxLength:"email"`
	Name     string   `json:"name" maxLength:"name"`
	Role     string   `json:"role,omitempty" maxLength:"word"`
	Timezone string   `json:"timezone,omitempty" maxLength:"word"`
	GroupIDs []string `json:"group_ids,omitempty" maxItems:"ids" maxLength:"id"`
	Password string   `json:"password,omitempty" maxLength:"password"`
}

// AddedMember is the answer to AddMember.
type AddedMember struct {
	Member     Member `json:"member"`
	InviteCode string `json:"invite_code,omitempty"`
}

// UpdateMember changes a member's role or groups; nil fields stay.
type UpdateMember struct {
	Role     *string   `json:"role,omitempty" maxLength:"word"`
	GroupIDs *[]string `json:"group_ids,omitempty" maxItems:"ids" maxLength:"id"`
	// WeComUserID: "" clears it (matched by email again when needed).
	WeComUserID *string `json:"wecom_user_id,omitempty" maxLength:"name"`
	// Owners only: limit a manager to some groups and channels (true, with
	// the lists) or lift the limit (false).
	Limited         *bool     `json:"limited,omitempty"`
	ScopeGroupIDs   *[]string `json:"scope_group_ids,omitempty" maxItems:"ids" maxLength:"id"`
	ScopeChannelIDs *[]string `json:"scope_channel_ids,omitempty" maxItems:"ids" maxLength:"id"`
}

// Group is a member group.
type Group struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	MemberCount int    `json:"member_count"`
}

// GroupInput creates or renames a group.
type GroupInput struct {
	Name string `json:"name" maxLength:"name"`
}

// SetMembers replaces who is in a group or private channel.
type SetMembers struct {
	UserIDs []string `json:"user_ids" maxItems:"members" maxLength:"id"`
}

// Channel is a content stream.
type Channel struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Visibility  string   `json:"visibility"`
	MemberCount int      `json:"member_count"`
	Following   bool     `json:"following"`
	MemberIDs   []string `json:"member_ids,omitempty"` // private channels, for managers
}

// ChannelInput creates a channel, or edits one (empty fields stay on edit).
type ChannelInput struct {
	Name       string `json:"name,omitempty" maxLength:"name"`
	Visibility string `json:"visibility,omitempty" maxLength:"word"`
}

// Campaign groups activities.
type Campaign struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// CampaignInput creates a campaign, or edits one (nil fields stay on edit).
type CampaignInput struct {
	Name        *string `json:"name,omitempty" maxLength:"name"`
	Description *string `json:"description,omitempty" maxLength:"description"`
}

// ActivityInput creates an activity, or edits one (nil fields stay on edit).
// Times are RFC 3339, or a wall-clock time like "2026-11-21T09:00" in the
// creating manager's zone; an empty starts_at means now, an empty ends_at
// means no end.
type ActivityInput struct {
	Type         *string   `json:"type,omitempty" maxLength:"word"`
	Message      *string   `json:"message,omitempty" maxLength:"text"`
	Instructions *string   `json:"instructions,omitempty" maxLength:"text"`
	MediaID      *string   `json:"media_id,omitempty" maxLength:"id"`
	GroupIDs     *[]string `json:"group_ids,omitempty" maxItems:"ids" maxLength:"id"`
	ChannelIDs   *[]string `json:"channel_ids,omitempty" maxItems:"ids" maxLength:"id"`
	StartsAt     *string   `json:"starts_at,omitempty" maxLength:"word"`
	EndsAt       *string   `json:"ends_at,omitempty" maxLength:"word"`
	Points       *int      `json:"points,omitempty"`
	CampaignID   *string   `json:"campaign_id,omitempty" maxLength:"id"`
	Featured     *bool     `json:"featured,omitempty"`
}

// Activity is an activity as managers see it.
type Activity struct {
	ID              string     `json:"id"`
	ProgramID       string     `json:"program_id"`
	Type            string     `json:"type"`
	Status          string     `json:"status"` // live, scheduled, expired, removed
	Message         string     `json:"message"`
	Instructions    string     `json:"instructions"`
	MediaID         string     `json:"media_id"`
	GroupIDs        []string   `json:"group_ids"`
	ChannelIDs      []string   `json:"channel_ids"`
	StartsAt        time.Time  `json:"starts_at"`
	EndsAt          *time.Time `json:"ends_at"`
	Points          int        `json:"points"`
	CampaignID      string     `json:"campaign_id"`
	Featured        bool       `json:"featured"`
	CreatedBy       string     `json:"created_by"`
	CreatorTimezone string     `json:"creator_timezone"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	RemovedAt       *time.Time `json:"removed_at"`
	// Media describes MediaID's file (nil without media).
	Media *MediaInfo `json:"media,omitempty"`
}

// FeedItem is an activity as a member sees it: no targeting details, which
// are the managers' business.
type FeedItem struct {
	ID           string         `json:"id"`
	Type         string         `json:"type"`
	Message      string         `json:"message"`
	Instructions string         `json:"instructions"`
	MediaID      string         `json:"media_id"`
	StartsAt     time.Time      `json:"starts_at"`
	EndsAt       *time.Time     `json:"ends_at"`
	Points       int            `json:"points"`
	Featured     bool           `json:"featured"`
	CampaignID   string         `json:"campaign_id"`
	Network      string         `json:"network"`   // "wechat", "tiktok"
	Performed    bool           `json:"performed"` // the member has done it (points given)
	TikTok       *TikTokStaging `json:"tiktok,omitempty"`
	// Media describes MediaID's file (nil without media).
	Media *MediaInfo `json:"media,omitempty"`
}

// Feed is what a member sees now.
type Feed struct {
	MemberID string `json:"member_id"`
	Timezone string `json:"timezone"` // the member's zone, for showing times
	// Locale is the member's interface language (a manager's preview of
	// another member's feed shows it in theirs).
	Locale string     `json:"locale"`
	Items  []FeedItem `json:"items"`
}

// List wraps every list response, so lists can gain paging fields later.
type List[T any] struct {
	Items []T `json:"items"`
}
