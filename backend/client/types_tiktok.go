package client

import "time"

// TikTokConnect is where the member's browser goes to connect TikTok.
type TikTokConnect struct {
	AuthorizeURL string `json:"authorize_url"`
}

// SocialAccount is a connected account, as the member sees it.
type SocialAccount struct {
	Network     string    `json:"network"` // "tiktok"
	Status      string    `json:"status"`  // connected, reconnect_needed
	DisplayName string    `json:"display_name"`
	AvatarURL   string    `json:"avatar_url"`
	ConnectedAt time.Time `json:"connected_at"`
}

// TikTokStaging is how staging a TikTok video to the member's inbox goes:
// pending, uploading, processing, staged (in the TikTok inbox) or failed.
type TikTokStaging struct {
	Status     string `json:"status"`
	FailReason string `json:"fail_reason,omitempty"`
}

// TikTokReport counts an activity's stagings.
type TikTokReport struct {
	Pending int            `json:"pending"` // queued, uploading or processing
	Staged  int            `json:"staged"`
	Failed  int            `json:"failed"`
	Reasons map[string]int `json:"reasons"` // failure reason -> members
}
