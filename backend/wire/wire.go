// Package wire holds the words the Chorus API's two sides share: error
// codes, live-event kinds and their payloads, activity types, roles,
// visibilities, redemption and TikTok staging statuses. The server, its
// notifier and the app all spell them from here, so a word changes in one
// place. It imports nothing, so anything may import it.
package wire

// Error codes (client.Error.Code). Clients translate by code; the server
// answers each with one HTTP status (httpapi.StatusOf), shown beside it.
const (
	CodeBadRequest       = "bad_request"            // 400
	CodeValidation       = "validation_failed"      // 422: Fields says which
	CodeUnauthorized     = "unauthorized"           // 401
	CodeForbidden        = "forbidden"              // 403
	CodeNotFound         = "not_found"              // 404
	CodeConflict         = "conflict"               // 409
	CodeTooLarge         = "body_too_large"         // 413
	CodeUnsupportedMedia = "unsupported_media_type" // 415
	CodeRateLimited      = "rate_limited"           // 429, with Retry-After
	CodeInternal         = "internal"               // 500

	CodeActivityNotStarted  = "activity_not_started" // 409
	CodeActivityExpired     = "activity_expired"     // 409
	CodeActivityRemoved     = "activity_removed"     // 409
	CodeTikTokNotConnected  = "tiktok_not_connected" // 409: connect TikTok first
	CodeTikTokUnavailable   = "tiktok_unavailable"   // 404: TikTok is not set up on this server
	CodeLeaderboardDisabled = "leaderboard_disabled" // 403
	CodeRewardsDisabled     = "rewards_disabled"     // 403
	CodeSSORequired         = "sso_required"         // 403: sign in with the program's single sign-on

	CodeInsufficientPoints = "insufficient_points" // 409
	CodeOutOfStock         = "out_of_stock"        // 409
	CodeRewardUnavailable  = "reward_unavailable"  // 409

	// CodeMediaRefused (422): the file breaks its kind's rules. The error's
	// Fields map each problem code (mediacheck: unsupported_format,
	// too_large, too_long, too_short, resolution_too_low, unreadable) to
	// its message.
	CodeMediaRefused = "media_refused"
	// CodeOffsetMismatch (409): the chunk did not start where the upload
	// stands; the response's Upload-Offset header says where it does.
	CodeOffsetMismatch = "offset_mismatch"
	// CodeUploadIncomplete (409): complete before every byte arrived.
	CodeUploadIncomplete = "upload_incomplete"
	// CodeThumbnailUnavailable (404): no small image for this media: a
	// video without a poster (the server makes one only with ffmpeg on
	// its PATH), or a photo too large to decode.
	CodeThumbnailUnavailable = "thumbnail_unavailable"
)

// Codes lists every error code above, for tests that hold the server to
// answering each with a status and clients to translating each.
func Codes() []string {
	return []string{
		CodeBadRequest, CodeValidation, CodeUnauthorized, CodeForbidden, CodeNotFound, CodeConflict,
		CodeTooLarge, CodeUnsupportedMedia, CodeRateLimited, CodeInternal,
		CodeActivityNotStarted, CodeActivityExpired, CodeActivityRemoved, CodeTikTokNotConnected,
		CodeTikTokUnavailable, CodeLeaderboardDisabled, CodeRewardsDisabled, CodeSSORequired,
		CodeInsufficientPoints, CodeOutOfStock, CodeRewardUnavailable,
		CodeMediaRefused, CodeOffsetMismatch, CodeUploadIncomplete, CodeThumbnailUnavailable,
	}
}

// Activity types (client.Activity.Type).
const (
	ActivityWeChatPhoto = "wechat_photo"
	ActivityWeChatVideo = "wechat_video"
	ActivityTikTokVideo = "tiktok_video"
)

// ActivityTypes are the types a manager can create, in the order offered.
func ActivityTypes() []string {
	return []string{ActivityWeChatPhoto, ActivityWeChatVideo, ActivityTikTokVideo}
}

// Activity statuses: how a manager's list describes an activity now
// (client.Activity.Status, and the status filter of the activities list).
const (
	StatusLive      = "live"
	StatusScheduled = "scheduled"
	StatusExpired   = "expired"
	StatusRemoved   = "removed"
)

// ActivityStatuses are the statuses, in the order a filter offers them.
func ActivityStatuses() []string {
	return []string{StatusLive, StatusScheduled, StatusExpired, StatusRemoved}
}

// Roles of a program member. An owner is a manager who also decides roles,
// settings and sign-in.
const (
	RoleOwner   = "owner"
	RoleManager = "manager"
	RoleMember  = "member"
)

// Channel visibilities.
const (
	VisibilityPublic  = "public"  // members follow or unfollow
	VisibilityPrivate = "private" // managers choose who is in
)

// Redemption statuses (client.Redemption.Status).
const (
	RedemptionPending   = "pending"
	RedemptionFulfilled = "fulfilled"
	RedemptionRejected  = "rejected"
)

// TikTok staging statuses (client.TikTokStaging.Status).
const (
	StagingPending    = "pending"    // queued
	StagingUploading  = "uploading"  // upload initialised, chunks going up
	StagingProcessing = "processing" // uploaded; TikTok is processing
	StagingStaged     = "staged"     // in the member's TikTok inbox
	StagingFailed     = "failed"
)

// Import problems (client.ImportProblem.Code): why a row of a members
// import was refused. Clients word each by code, with its Value.
const (
	ImportNotCSV       = "not_csv"         // the row could not be read as CSV
	ImportBadEmail     = "bad_email"       // not an email address
	ImportEmailTooLong = "email_too_long"  // Value: the limit
	ImportDuplicate    = "duplicate_email" // Value: the line that has it first
	ImportNameTooLong  = "name_too_long"   // Value: the limit
	ImportUnknownGroup = "unknown_group"   // Value: the group's name
	ImportBadTimezone  = "bad_timezone"    // Value: what was written
	ImportBadLanguage  = "bad_language"    // Value: what was written
	ImportBadRole      = "bad_role"        // Value: what was written
	ImportOwnerOnly    = "owner_only"      // only an owner makes owners
)

// ImportProblems lists the import problems above.
func ImportProblems() []string {
	return []string{ImportNotCSV, ImportBadEmail, ImportEmailTooLong, ImportDuplicate, ImportNameTooLong,
		ImportUnknownGroup, ImportBadTimezone, ImportBadLanguage, ImportBadRole, ImportOwnerOnly}
}

// Audit log actions (client.AuditEntry.Action): what a manager did, as
// object.verb; the object kind is the part before the dot.
const (
	AuditActivityCreate   = "activity.create"
	AuditActivityUpdate   = "activity.update"
	AuditActivityRemove   = "activity.remove"
	AuditMemberInvite     = "member.invite"
	AuditMemberUpdate     = "member.update"
	AuditMemberRemove     = "member.remove"
	AuditMemberImport     = "member.import"
	AuditGroupCreate      = "group.create"
	AuditGroupRename      = "group.rename"
	AuditGroupDelete      = "group.delete"
	AuditGroupMembers     = "group.members"
	AuditChannelCreate    = "channel.create"
	AuditChannelUpdate    = "channel.update"
	AuditChannelDelete    = "channel.delete"
	AuditChannelMembers   = "channel.members"
	AuditCampaignCreate   = "campaign.create"
	AuditCampaignUpdate   = "campaign.update"
	AuditCampaignDelete   = "campaign.delete"
	AuditPointsAdjust     = "points.adjust"
	AuditRewardCreate     = "reward.create"
	AuditRewardUpdate     = "reward.update"
	AuditRedemptionFulfil = "redemption.fulfil"
	AuditRedemptionReject = "redemption.reject"
	AuditSettingsUpdate   = "settings.update"
	AuditSettingsSso      = "settings.sso"
)

// AuditActions lists the audit log actions above.
func AuditActions() []string {
	return []string{
		AuditActivityCreate, AuditActivityUpdate, AuditActivityRemove, AuditMemberInvite, AuditMemberUpdate, AuditMemberRemove, AuditMemberImport, AuditGroupCreate, AuditGroupRename, AuditGroupDelete, AuditGroupMembers, AuditChannelCreate, AuditChannelUpdate, AuditChannelDelete, AuditChannelMembers, AuditCampaignCreate, AuditCampaignUpdate, AuditCampaignDelete, AuditPointsAdjust, AuditRewardCreate, AuditRewardUpdate, AuditRedemptionFulfil, AuditRedemptionReject, AuditSettingsUpdate, AuditSettingsSso,
	}
}
