package wire

// Live event kinds (client.Event.Kind, GET /api/v1/events). Each but
// EventReset carries the payload type of the same name as its Data.
const (
	EventFeedChanged     = "feed_changed"
	EventPointsChanged   = "points_changed"
	EventTikTokStatus    = "tiktok_status"
	EventTikTokConnected = "tiktok_connected"
	EventHandoff         = "handoff"
	// EventReset (no data): the events after the asked-for id are no longer
	// kept; reload what the events would have updated.
	EventReset = "reset"
)

// FeedChanged: an activity of the program was saved, removed or went live.
type FeedChanged struct {
	ProgramID  string `json:"program_id"`
	ActivityID string `json:"activity_id"`
	Reason     string `json:"reason"` // FeedSaved, FeedRemoved, FeedLive
}

// FeedChanged reasons.
const (
	FeedSaved   = "saved"
	FeedRemoved = "removed"
	FeedLive    = "live"
)

// PointsChanged: the member was awarded points.
type PointsChanged struct {
	ProgramID     string `json:"program_id"`
	ActivityID    string `json:"activity_id"`
	PointsAwarded int    `json:"points_awarded"`
	PointsTotal   int    `json:"points_total"`
}

// TikTokStatus: staging the member's TikTok video moved on.
type TikTokStatus struct {
	ProgramID  string `json:"program_id"`
	ActivityID string `json:"activity_id"`
	Status     string `json:"status"` // Staging…
	FailReason string `json:"fail_reason"`
}

// TikTokConnected: the member linked a TikTok account.
type TikTokConnected struct {
	DisplayName string `json:"display_name"`
}

// Handoff: the member asked to finish an activity on another device.
type Handoff struct {
	ProgramID  string `json:"program_id"`
	ActivityID string `json:"activity_id"`
}

// Push message kinds: the kind in the data a notification carries, which
// the app switches on when one is tapped. Handoff and TikTok status pushes
// carry the same words as their live events.
const (
	PushNewActivity  = "new_activity"
	PushHandoff      = EventHandoff
	PushTikTokStatus = EventTikTokStatus
)
