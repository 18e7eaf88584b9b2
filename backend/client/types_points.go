package client

import "time"

// Perform is a member doing an activity. ClientActionID is the client's
// idempotency key: a retry with the same key is the same perform.
type Perform struct {
	ClientActionID string `json:"client_action_id" maxLength:"key"`
	Surface        string `json:"surface" maxLength:"word"` // "mobile", "web" or "desktop"
}

// Share is what the app hands to the network: the text to paste and the
// media to pass on.
type Share struct {
	Text      string `json:"text"`
	MediaURL  string `json:"media_url"`
	MediaType string `json:"media_type"` // "image", "video" or ""
}

// PerformResult answers a perform. A repeat gives already_performed=true and
// points_awarded=0.
type PerformResult struct {
	ActivityID       string         `json:"activity_id"`
	PointsAwarded    int            `json:"points_awarded"`
	PointsTotal      int            `json:"points_total"`
	AlreadyPerformed bool           `json:"already_performed"`
	Share            Share          `json:"share"`
	TikTok           *TikTokStaging `json:"tiktok,omitempty"` // TikTok activities: the staging
}

// Handoff asks for an activity to be opened on the member's phone.
type Handoff struct {
	ID         string    `json:"id"`
	ActivityID string    `json:"activity_id"`
	CreatedAt  time.Time `json:"created_at"`
	// Devices is how many of the member's phones the push was queued for:
	// say "sent" only when it is above zero.
	Devices int `json:"devices"`
	// ShareURL is the member's share page for the activity (/s/{token}):
	// any phone's browser can do the activity there; show it as a QR code.
	ShareURL string `json:"share_url"`
}

// ShareLinkInput asks for a share page link: the caller's own, or (a
// manager) a member's of the program.
type ShareLinkInput struct {
	MemberID string `json:"member_id,omitempty" maxLength:"id"`
}

// ShareLink is a member's share page for one activity: a capability for
// that member and activity only, until ExpiresAt.
type ShareLink struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PointEntry is one line of the append-only points ledger.
type PointEntry struct {
	ID           string    `json:"id"`
	Kind         string    `json:"kind"` // activity, redemption, refund, adjustment
	Points       int       `json:"points"`
	ActivityID   string    `json:"activity_id,omitempty"`
	RedemptionID string    `json:"redemption_id,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Points is a member's ledger and total.
type Points struct {
	Total   int          `json:"total"`
	Entries []PointEntry `json:"entries"`
}

// Adjustment is a manager's manual change of a member's points.
type Adjustment struct {
	MemberID string `json:"member_id" maxLength:"id"`
	Points   int    `json:"points"`
	Reason   string `json:"reason" maxLength:"description"`
}

// LeaderboardEntry is one row of the board; ties share a rank.
type LeaderboardEntry struct {
	MemberID string `json:"member_id"`
	Name     string `json:"name"`
	Points   int    `json:"points"`
	Rank     int    `json:"rank"`
}

// MyRank is the caller's place on the board.
type MyRank struct {
	Points int `json:"points"`
	Rank   int `json:"rank"`
}

// Leaderboard is GET /leaderboard.
type Leaderboard struct {
	Period  string             `json:"period"` // all, month, week
	GroupID string             `json:"group_id,omitempty"`
	Since   *time.Time         `json:"since"` // start of the period in the program's zone; null for all
	Entries []LeaderboardEntry `json:"entries"`
	Me      MyRank             `json:"me"`
}

// Reward is an item of the rewards catalog.
type Reward struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Cost        int    `json:"cost"`
	Quantity    *int   `json:"quantity"`  // null: unlimited
	Remaining   *int   `json:"remaining"` // null: unlimited
	Active      bool   `json:"active"`
}

// RewardInput creates a reward, or edits one (nil fields stay on edit).
type RewardInput struct {
	Title       *string `json:"title,omitempty" maxLength:"name"`
	Description *string `json:"description,omitempty" maxLength:"description"`
	Cost        *int    `json:"cost,omitempty"`
	Quantity    *int    `json:"quantity,omitempty"` // 0 on edit clears to unlimited
	Active      *bool   `json:"active,omitempty"`
}

// Redeem spends points on a reward; ClientActionID makes a retry safe.
type Redeem struct {
	ClientActionID string `json:"client_action_id" maxLength:"key"`
}

// Redemption is a member's claim of a reward.
type Redemption struct {
	ID          string     `json:"id"`
	RewardID    string     `json:"reward_id"`
	RewardTitle string     `json:"reward_title"`
	MemberID    string     `json:"member_id"`
	MemberName  string     `json:"member_name"`
	Cost        int        `json:"cost"`
	Status      string     `json:"status"` // pending, fulfilled, rejected
	Note        string     `json:"note"`
	CreatedAt   time.Time  `json:"created_at"`
	DecidedAt   *time.Time `json:"decided_at"`
}

// Decision fulfils or rejects a redemption, with an optional note.
type Decision struct {
	Note string `json:"note,omitempty" maxLength:"description"`
}

// DayCount is performs on one day (in the program's zone).
type DayCount struct {
	Date     string `json:"date"` // YYYY-MM-DD
	Performs int    `json:"performs"`
}

// ActivityReport is what happened with one activity.
type ActivityReport struct {
	ActivityID     string         `json:"activity_id"`
	Type           string         `json:"type"`
	Status         string         `json:"status"`
	Message        string         `json:"message"`
	Eligible       int            `json:"eligible"` // members it is sent to now (0 unless live)
	Performed      int            `json:"performed"`
	PerformedShare float64        `json:"performed_share"` // performed / eligible
	PointsGiven    int            `json:"points_given"`
	BySurface      map[string]int `json:"by_surface"`
	OverTime       []DayCount     `json:"over_time"`
	TikTok         *TikTokReport  `json:"tiktok,omitempty"`
	Clicks         ClickReport    `json:"clicks"`
}

// ActivitySummary is one activity's line of the summary.
type ActivitySummary struct {
	ActivityID string     `json:"activity_id"`
	Type       string     `json:"type"`
	Message    string     `json:"message"`
	Performs   int        `json:"performs"`
	Points     int        `json:"points"`
	Clicks     ClickCount `json:"clicks"`
}

// MemberSummary is one member's line of the summary.
type MemberSummary struct {
	MemberID string     `json:"member_id"`
	Name     string     `json:"name"`
	Email    string     `json:"email"`
	Performs int        `json:"performs"`
	Points   int        `json:"points"`
	Clicks   ClickCount `json:"clicks"`
}

// SummaryReport is performs per activity and per member in [from, to).
type SummaryReport struct {
	From       *time.Time        `json:"from"`
	To         *time.Time        `json:"to"`
	Activities []ActivitySummary `json:"activities"`
	Members    []MemberSummary   `json:"members"`
}
