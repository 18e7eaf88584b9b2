package client

// LinkPreview asks how a message's links will look once tracked.
type LinkPreview struct {
	Message string `json:"message" maxLength:"text"`
}

// LinkPreviewResult is the message with placeholder short links, and the
// URLs found (each member gets their own code for each). ImageURL is the
// first link's page preview image (og:image): the photo a WeChat Photo
// activity without one will get.
type LinkPreviewResult struct {
	Message  string   `json:"message"`
	URLs     []string `json:"urls"`
	ImageURL string   `json:"image_url,omitempty"`
}

// ClickCount counts clicks: all, from people (bots and preview fetchers
// excluded), and distinct visitors among the people.
type ClickCount struct {
	Total  int `json:"total"`
	People int `json:"people"`
	Unique int `json:"unique"`
}

// MemberClicks is one member's clicks on an activity's links.
type MemberClicks struct {
	MemberID string `json:"member_id"`
	Name     string `json:"name"`
	ClickCount
}

// ClickReport is an activity's clicks.
type ClickReport struct {
	ClickCount
	Bots      int            `json:"bots"`
	PerMember []MemberClicks `json:"per_member"`
}
