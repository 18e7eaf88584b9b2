package domain

// Limits on what one request may carry. The API's wire types (backend/client)
// name them in struct tags — `maxLength:"name"` on a string field, or on a
// list for each of its items, and `maxItems:"ids"` on a list — and the server
// both checks every decoded request against them and publishes them in its
// OpenAPI document (maxLength, maxItems), so each number lives here only.
// Lengths count characters (Unicode code points), as JSON Schema does.
const (
	MaxNameLength        = 200  // a person, group, channel, campaign, program or reward
	MaxDescriptionLength = 2000 // descriptions, notes, reasons
	MaxEmailLength       = 254  // the longest address SMTP carries
	MaxPasswordLength    = 256
	MaxIDLength          = 64  // an id the server made (usr_…, grp_…)
	MaxKeyLength         = 100 // an idempotency key (client_action_id), an invite code
	MaxWordLength        = 64  // a value from a list (role, type, kind), a time zone, a time
	MaxLocaleLength      = 35  // a language tag such as zh-Hans
	MaxFilenameLength    = 255
	MaxURLLength         = 2048 // a Web Push endpoint
	MaxTokenLength       = 4096 // a push registration token, a subscription key

	// MaxIDs caps short lists of ids: an activity's groups or channels, a
	// member's groups.
	MaxIDs = 1000
	// MaxMembers caps the people of one list: who is in a group or a
	// private channel. Big enough for a large company; the store writes
	// such lists in batches under the databases' parameter limits.
	MaxMembers = 100000
)

// limits are the names the struct tags use.
var limits = map[string]int{
	"name":        MaxNameLength,
	"text":        MaxMessageLength, // activity messages and instructions
	"description": MaxDescriptionLength,
	"email":       MaxEmailLength,
	"password":    MaxPasswordLength,
	"id":          MaxIDLength,
	"key":         MaxKeyLength,
	"word":        MaxWordLength,
	"locale":      MaxLocaleLength,
	"filename":    MaxFilenameLength,
	"url":         MaxURLLength,
	"token":       MaxTokenLength,
	"ids":         MaxIDs,
	"members":     MaxMembers,
}

// Limit returns the limit a struct tag names; ok is false for a name that
// is not one.
func Limit(name string) (n int, ok bool) {
	n, ok = limits[name]
	return n, ok
}
