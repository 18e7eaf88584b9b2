package httpapi

import (
	"net/http"
	"reflect"

	"github.com/chorus-advocacy/chorus/backend/wire"
)

// route is one endpoint: how it is reached, who may call it, what it takes
// and returns (for the OpenAPI document), and what it does.
type route struct {
	method, path string
	access       access
	summary      string
	status       int
	in, out      reflect.Type // nil: no body
	query        []param
	csv          bool   // also answers text/csv (?format=csv)
	audit        string // an audited manager action (roles.go)
	scoped       bool   // limited managers may call it too (roles.go)
	stream       bool   // also answers text/event-stream (Accept); the handler writes it
	serve        func(c *call) (any, error)
	// Raw routes (media uploads and files): doc describes their non-JSON
	// bodies in the OpenAPI document; pattern, if set, is the mux path.
	doc     func(op map[string]any)
	pattern string
}

type param struct{ name, desc string }

// none is the body type of requests and responses without one.
type none struct{}

// op adapts a typed handler: decodes In (unless none) and checks it against
// its type's limits (input.go), returns Out.
func op[In, Out any](fn func(c *call, in In) (Out, error)) (reflect.Type, reflect.Type, func(*call) (any, error)) {
	var in In
	var out Out
	inT, outT := reflect.TypeOf(in), reflect.TypeOf(out)
	if inT == reflect.TypeOf(none{}) {
		inT = nil
	}
	if outT == reflect.TypeOf(none{}) {
		outT = nil
	}
	var limit int64
	if inT != nil {
		checkTags(inT, map[reflect.Type]bool{})
		limit = bodyLimit(inT)
	}
	return inT, outT, func(c *call) (any, error) {
		var in In
		if inT != nil {
			if err := decode(c.r, &in, limit); err != nil {
				return nil, err
			}
			if err := checkInput(&in); err != nil {
				return nil, err
			}
		}
		out, err := fn(c, in)
		if err != nil {
			return nil, err
		}
		if outT == nil {
			c.w.WriteHeader(http.StatusNoContent)
			return nil, nil
		}
		return out, nil
	}
}

func r[In, Out any](method, path string, a access, summary string, fn func(c *call, in In) (Out, error), query ...param) route {
	in, out, serve := op(fn)
	status := http.StatusOK
	if method == http.MethodPost && out != nil {
		status = http.StatusCreated
	}
	if out == nil {
		status = http.StatusNoContent
	}
	return route{method: method, path: path, access: a, summary: summary, status: status, in: in, out: out, query: query, serve: serve}
}

// withStream marks a route that also streams server-sent events.
func withStream(rt route) route {
	rt.stream = true
	return rt
}

// withCSV marks a route that also answers text/csv.
func withCSV(rt route) route {
	rt.csv = true
	return rt
}

// withDoc adds to a route's OpenAPI description.
func withDoc(rt route, doc func(op map[string]any)) route {
	rt.doc = doc
	return rt
}

// ok marks a POST that acts on something existing (200, not 201).
func ok(rt route) route {
	rt.status = http.StatusOK
	return rt
}

func (s *Server) routeTable() []route {
	const p = "/api/v1/programs/{pid}"
	return []route{
		r("GET", "/healthz", public, "Liveness and database check", s.health),
		r("GET", "/livez", public, "Liveness only: answers without touching the database (the benchmarks' ceiling)", s.live),
		r("GET", "/l/{code}", public, "A tracked short link: redirects to its URL and counts the click", s.followLink),
		ok(r("POST", "/api/v1/auth/login", public, "Sign in with email and password", s.login)),
		r("POST", "/api/v1/auth/logout", signedIn, "End this session", s.logout),
		ok(r("POST", "/api/v1/invites/accept", public, "Accept an invite and join its program: a new account sets its name and first password; an existing one enters its password and changes nothing", s.acceptInvite)),
		accepted(r("POST", "/api/v1/auth/password/forgot", public, "Forgot password: emails a one-hour reset link if an account has the address (the same answer either way; limited per address and per email)", s.forgotPassword)),
		ok(r("POST", "/api/v1/auth/password/reset", public, "Set a new password with a reset token from the email: every session of the account ends, and the answer is a new one", s.resetPassword)),
		r("GET", "/api/v1/auth/sso", public, "Programs offering single sign-on: the sign-in screen's \"Sign in with …\" buttons", s.ssoList),
		r("POST", "/api/v1/auth/sso/start", public, "Start signing in with a program's OpenID provider: the URL to open in the browser (PKCE, state and nonce kept here)", s.startSSO,
			param{"program", "the program's id"}, param{"return", "where the browser goes at the end with sso_code (or sso_error): http://127.0.0.1:PORT/… of the desktop app, chorus:… of the phone app, or empty for the web build"}),
		withDoc(r("GET", "/oauth/sso/callback", public, "The OpenID provider sends the browser here: the ID token is checked (signature, issuer, audience, expiry, nonce), a verified email of an allowed domain joins as a member, and the browser goes on with a one-time code", s.ssoCallback,
			param{"code", "the authorization code"}, param{"state", "the flow's state"}, param{"error", "the provider's refusal"}), docSSOCallback),
		ok(r("POST", "/api/v1/auth/sso/exchange", public, "Trade the one-time code of a finished single sign-on (once, within a minute) for a session", s.exchangeSSO)),
		r("POST", "/api/v1/me/password", signedIn, "Change your password (the current one is checked): every other session of yours ends, this one stays", s.changePassword),
		r("GET", "/api/v1/me", signedIn, "The signed-in person and their programs", s.me),
		r("PATCH", "/api/v1/me", signedIn, "Change name, time zone, language or link tracking", s.updateMe),
		r("GET", "/api/v1/push/config", public, "Which push services the server sends through, and the Web Push (VAPID) public key browsers subscribe with", s.pushConfig),
		r("GET", "/api/v1/me/devices", signedIn, "The caller's push registrations", s.devices),
		r("POST", "/api/v1/me/devices", signedIn, "Register a device for push notifications (the same token again updates it)", s.registerDevice),
		r("DELETE", "/api/v1/me/devices/{id}", signedIn, "End a push registration", s.deleteDevice),
		withStream(r("GET", "/api/v1/events", signedIn, "Live events: server-sent events with Accept: text/event-stream (Last-Event-ID resumes; heartbeats every 15 s), otherwise a JSON poll", s.events,
			param{"last_event_id", "the last event seen (streams also read the Last-Event-ID header)"})),
		r("POST", "/api/v1/me/tiktok/connect", signedIn, "Start connecting TikTok: a URL to open in the browser", s.connectTikTok),
		r("GET", "/oauth/tiktok/start", public, "The app opens this in the member's browser: binds the consent to that browser (a cookie) and redirects to TikTok's consent page", s.tiktokStart,
			param{"state", "the consent's state, as the connect answer gave it"}, param{"return", "a share page path (/s/{token}) to come back to after consent"}),
		withDoc(r("GET", "/oauth/tiktok/callback", public, "TikTok sends the browser here after consent (back to the share page that started it, if one did)", s.tiktokCallback), docTikTokCallback),

		s.shareRoute("GET", "/s/{token}", "A member's share page for one activity: HTML for any phone's browser; the token is a capability for that page only", s.sharePage, docSharePage,
			param{"tiktok", "connected: back from connecting TikTok (the page then sends the video)"}),
		s.shareRoute("GET", "/s/{token}/media", "The share page's photo or video (Range, ETag)", s.shareMediaFile, docShareMedia("image/*", "video/*"),
			param{"download", "1: as an attachment under its file name"}),
		s.shareRoute("GET", "/s/{token}/thumbnail", "The share page's photo as a thumbnail, or its video's poster (JPEG)", s.shareThumbnail, docShareMedia("image/jpeg")),
		s.pictureRoute(),
		s.shareRoute("POST", "/s/{token}/perform", "I've posted it: performs the activity for the page's member (points once; surface web_share)", s.sharePerform, docSharePerform),
		s.shareRoute("GET", "/s/{token}/tiktok", "Add your TikTok account and send: starts connecting TikTok in this browser, then back to the page", s.shareTikTok, docShareTikTok),
		r("GET", "/api/v1/me/social-accounts", signedIn, "Connected accounts", s.socialAccounts),
		r("DELETE", "/api/v1/me/social-accounts/tiktok", signedIn, "Disconnect TikTok (revokes the grant)", s.disconnectTikTok),

		r("GET", p, member, "A program and its settings", s.program),
		audited(wire.AuditSettingsUpdate, r("PATCH", p, manager, "Change a program's settings", s.updateProgram)),
		r("GET", p+"/sso", owner, "Single sign-on settings (the client secret is never answered)", s.ssoSettings),
		audited(wire.AuditSettingsSso, r("PATCH", p+"/sso", owner, "Change single sign-on: issuer URL, client id and secret (sealed at rest), allowed email domains, whether passwords still sign in", s.setSSO)),

		scoped(withCSV(r("GET", p+"/members", manager, "List members (limited managers: those in their groups and channels)", s.members,
			param{"format", "csv: email, name, groups, timezone, language, role, status (imports again)"}))),
		audited(wire.AuditMemberImport, withDoc(r("POST", p+"/members/import", manager, "Add people in bulk from a CSV (text/csv; header row; email required, then name, groups separated by ;, timezone, language, role): an answer per row, bad rows never stop the good ones; invitations by email", s.importMembers,
			param{"dry_run", "1: check and answer what would happen, save nothing"}), docImport)),
		audited(wire.AuditMemberInvite, r("POST", p+"/members", manager, "Invite a person: a pending membership and an invite code, whether or not the address has an account (the answer shows only what was sent)", s.addMember)),
		audited(wire.AuditMemberUpdate, r("PATCH", p+"/members/{uid}", manager, "Change a member's role or groups", s.updateMember)),
		audited(wire.AuditMemberRemove, r("DELETE", p+"/members/{uid}", manager, "Take a person out of the program", s.removeMember)),

		scoped(r("GET", p+"/groups", manager, "List member groups", s.groups)),
		audited(wire.AuditGroupCreate, r("POST", p+"/groups", manager, "Create a member group", s.createGroup)),
		audited(wire.AuditGroupRename, r("PATCH", p+"/groups/{gid}", manager, "Rename a member group", s.renameGroup)),
		audited(wire.AuditGroupDelete, r("DELETE", p+"/groups/{gid}", manager, "Delete a member group", s.deleteGroup)),
		audited(wire.AuditGroupMembers, r("PUT", p+"/groups/{gid}/members", manager, "Replace a group's members", s.setGroupMembers)),

		r("GET", p+"/channels", member, "List channels (members: public ones and their private ones)", s.channels),
		audited(wire.AuditChannelCreate, r("POST", p+"/channels", manager, "Create a channel", s.createChannel)),
		audited(wire.AuditChannelUpdate, r("PATCH", p+"/channels/{cid}", manager, "Edit a channel", s.updateChannel)),
		audited(wire.AuditChannelDelete, r("DELETE", p+"/channels/{cid}", manager, "Delete a channel", s.deleteChannel)),
		audited(wire.AuditChannelMembers, r("PUT", p+"/channels/{cid}/members", manager, "Replace who is in a private channel", s.setChannelMembers)),
		ok(r("POST", p+"/channels/{cid}/follow", member, "Follow a public channel", s.follow)),
		r("DELETE", p+"/channels/{cid}/follow", member, "Unfollow a public channel", s.unfollow),

		scoped(r("GET", p+"/campaigns", manager, "List campaigns", s.campaigns)),
		audited(wire.AuditCampaignCreate, r("POST", p+"/campaigns", manager, "Create a campaign", s.createCampaign)),
		audited(wire.AuditCampaignUpdate, r("PATCH", p+"/campaigns/{id}", manager, "Edit a campaign", s.updateCampaign)),
		audited(wire.AuditCampaignDelete, r("DELETE", p+"/campaigns/{id}", manager, "Delete a campaign (its activities stay)", s.deleteCampaign)),

		scoped(r("GET", p+"/activities", manager, "List activities (limited managers: those within their groups and channels)", s.activities,
			param{"status", "live, scheduled, expired or removed"}, param{"campaign_id", "only this campaign's"},
			param{"type", "only this type"}, param{"q", "words in the message or instructions"})),
		scoped(audited(wire.AuditActivityCreate, r("POST", p+"/activities", manager, "Create an activity", s.createActivity))),
		scoped(r("GET", p+"/activities/{aid}", manager, "One activity", s.activity)),
		scoped(audited(wire.AuditActivityUpdate, r("PATCH", p+"/activities/{aid}", manager, "Edit an activity", s.updateActivity))),
		scoped(audited(wire.AuditActivityRemove, ok(r("POST", p+"/activities/{aid}/remove", manager, "Take an activity out of every member's view", s.removeActivity)))),

		withCSV(r("GET", p+"/audit", owner, "The audit log: who changed what, when (newest first, a page at a time)", s.auditLog,
			param{"before", "an entry id: the page of older entries"}, param{"limit", "entries per page (1 to 200, default 50)"}, param{"format", "csv: every entry (up to 50,000)"})),

		r("GET", p+"/feed", member, "What the caller sees now (managers: as_member)", s.feed,
			param{"as_member", "a member's id: managers see exactly that member's feed"}),
		r("GET", p+"/feed/{aid}", member, "One activity of the caller's feed", s.feedItem),

		ok(r("POST", p+"/activities/{aid}/perform", member, "Perform an activity: points once per member; idempotent", s.perform)),
		scoped(ok(r("POST", p+"/links/preview", manager, "A message with its links as members' short links will look", s.previewLinks))),
		s.previewImageRoute(p + "/links/preview/image"),
		ok(r("POST", p+"/activities/{aid}/tiktok/retry", member, "Stage a failed TikTok video again", s.retryTikTok)),
		r("POST", p+"/activities/{aid}/handoff", member, "Ask for an activity on the member's phone: how many phones the push went to, and the member's share page", s.handoff),
		ok(r("POST", p+"/activities/{aid}/share-link", member, "A member's share page for the activity (/s/{token}): the caller's own, or (managers) a member's", s.createShareLink)),
		r("GET", p+"/me/points", member, "The caller's points ledger and balance", s.myPoints, param{"limit", "most entries, newest first (default 200)"}),
		audited(wire.AuditPointsAdjust, r("POST", p+"/points/adjustments", manager, "Add or take points by hand, with a reason", s.adjust)),
		r("GET", p+"/leaderboard", member, "Leaderboard for a period", s.leaderboard,
			param{"period", "all, month or week (in the program's zone)"}, param{"group", "a member group's id"}, param{"limit", "rows (default 50)"}),
		r("GET", p+"/rewards", member, "The rewards catalog (members: active rewards)", s.rewards),
		audited(wire.AuditRewardCreate, r("POST", p+"/rewards", manager, "Add a reward", s.createReward)),
		audited(wire.AuditRewardUpdate, r("PATCH", p+"/rewards/{rid}", manager, "Edit a reward", s.updateReward)),
		r("POST", p+"/rewards/{rid}/redeem", member, "Spend points on a reward; idempotent", s.redeem),
		r("GET", p+"/redemptions", member, "Redemptions (managers: everyone's; members: their own)", s.redemptions, param{"mine", "managers: only their own"}),
		audited(wire.AuditRedemptionFulfil, ok(r("POST", p+"/redemptions/{id}/fulfil", manager, "Mark a redemption fulfilled", s.fulfil))),
		scoped(withCSV(r("GET", p+"/activities/{aid}/report", manager, "One activity's report", s.activityReport, param{"format", "csv for a CSV file"}))),
		scoped(withCSV(r("GET", p+"/reports/summary", manager, "Performs per activity and per member", s.summaryReport,
			param{"from", "YYYY-MM-DD (program zone) or RFC 3339"}, param{"to", "YYYY-MM-DD (inclusive) or RFC 3339"}, param{"format", "csv for a CSV file"}))),
		audited(wire.AuditRedemptionReject, ok(r("POST", p+"/redemptions/{id}/reject", manager, "Reject a redemption and refund its points", s.reject))),

		scoped(r("POST", p+"/media/uploads", manager, "Start a resumable upload: kind, file name and size (refused at once if they break the kind's rules)", s.createUpload)),
		scoped(raw("HEAD", p+"/media/uploads/{id}", manager, "Where an upload stands: Upload-Offset and Upload-Length headers", s.uploadStatus, docUploadStatus)),
		scoped(raw("PATCH", p+"/media/uploads/{id}", manager, "Append a chunk (application/offset+octet-stream) at Upload-Offset; 409 with the current offset on a mismatch", s.uploadChunk, docUploadChunk)),
		scoped(ok(r("POST", p+"/media/uploads/{id}/complete", manager, "Probe and check the uploaded file: its media id and facts, or the problems (422 media_refused)", s.completeUpload))),
		raw("GET", p+"/media/{mid}", member, "A media file (Range, ETag)", s.serveMedia, docMediaFile("image/*", "video/*")),
		muxPath(raw("GET", p+"/media/{mid}/thumbnail", member, "A photo's thumbnail or a video's poster (made when ffmpeg is on the server's PATH): a JPEG at most 320 px on its longer side", s.serveThumbnail, docMediaFile("image/jpeg")), p+"/media/{mid}/{variant}"),
	}
}
