package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/links"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktokstage"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

func (s *Server) perform(c *call, in client.Perform) (client.PerformResult, error) {
	f := domain.Fields{}
	in.ClientActionID = strings.TrimSpace(in.ClientActionID)
	if in.ClientActionID == "" {
		f.Add("client_action_id", "is required: a random id the app keeps, so a retry is the same perform")
	} else if len(in.ClientActionID) > domain.MaxKeyLength {
		f.Add("client_action_id", "must be at most 100 characters")
	}
	if in.Surface == "" {
		in.Surface = domain.SurfaceMobile
	}
	if in.Surface != domain.SurfaceMobile && in.Surface != domain.SurfaceWeb && in.Surface != domain.SurfaceDesktop {
		f.Add("surface", "must be mobile, web or desktop")
	}
	if err := f.Err(); err != nil {
		return client.PerformResult{}, err
	}
	return s.performActivity(c, c.path("aid"), in.ClientActionID, in.Surface)
}

// performActivity is the one perform path: the app's POST …/perform and the
// share page's POST /s/{token}/perform both end here, as c.user in
// c.programID. Points once per member (the store's key decides, and its
// conflict answers "already performed"); the perform, its points, a TikTok
// video's staging and the member's tracked links are one write, committed
// with concurrent performs (store.PerformWithLinks).
func (s *Server) performActivity(c *call, activityID, clientActionID, surface string) (client.PerformResult, error) {
	now := c.now
	a, err := s.performable(c, activityID, now)
	if err != nil {
		return client.PerformResult{}, err
	}
	loc := s.programZone(c)
	rec := store.PerformRecord{
		ProgramID: c.programID, ActivityID: a.ID, UserID: c.user.ID,
		ClientActionID: clientActionID, Surface: surface, Points: a.Points, At: now,
		EntryID: domain.NewID("pte"),
		Periods: store.Periods{Month: domain.PeriodStart(domain.PeriodMonth, now, loc), Week: domain.PeriodStart(domain.PeriodWeek, now, loc)},
	}
	spec, _ := domain.LookupType(a.Type)
	if spec.Network == "tiktok" {
		// Points now, staging in the background (PRODUCT.md): both in
		// the perform's transaction.
		job := tiktokstage.Job(c.programID, a.ID, c.user.ID, now)
		rec.Stage = &job
	}
	text, urls := s.shareSource(c, a)
	out, err := s.store.PerformWithLinks(c.ctx, store.PerformRequest{PerformRecord: rec, URLs: urls, NewCode: links.NewCode})
	if err != nil {
		return client.PerformResult{}, err
	}
	var staging *client.TikTokStaging
	if rec.Stage != nil {
		s.wakeJobs()
		if st, err := s.store.Staging(c.ctx, a.ID, c.user.ID); err == nil {
			v := toStaging(st)
			staging = &v
		}
	}
	if out.Awarded > 0 {
		s.notify().Event(c.ctx, c.user.ID, wire.EventPointsChanged, wire.PointsChanged{ProgramID: c.programID, ActivityID: a.ID, PointsAwarded: out.Awarded, PointsTotal: out.Balance})
	}
	return client.PerformResult{ActivityID: a.ID, PointsAwarded: out.Awarded, PointsTotal: out.Balance,
		AlreadyPerformed: out.AlreadyPerformed, Share: s.shareWith(c, a, text, out.Codes), TikTok: staging}, nil
}

// performable returns the activity a member may perform now. It comes from
// the feed cache, current by the content version read with the member's
// audience in one query; an activity the cache does not hold or the rules
// refuse is read from the database, where a member who already performed it
// is answered "already performed" rather than refused: offline replays
// must not turn into errors after the activity ends.
func (s *Server) performable(c *call, activityID string, now time.Time) (*domain.Activity, error) {
	aud, version, err := s.audience(c)
	if err != nil {
		return nil, err
	}
	set, err := s.currentActivities(c.ctx, c.programID, version, now)
	if err != nil {
		return nil, err
	}
	if a := set.byID[activityID]; a != nil && s.checkPerformable(c, a, aud, now) == nil {
		return a, nil
	}
	a, err := s.store.Activity(c.ctx, c.programID, activityID)
	if err != nil {
		return nil, err
	}
	already, err := s.store.Performed(c.ctx, a.ID, c.user.ID)
	if err != nil {
		return nil, err
	}
	if !already {
		if err := s.checkPerformable(c, &a, aud, now); err != nil {
			return nil, err
		}
	}
	return &a, nil
}

// audienceVersion is a member's audience with the content version it was
// read at.
type audienceVersion struct {
	aud     domain.Audience
	version int64
}

// audience is the caller's audience and the program's content version, read
// in one query; on PostgreSQL kept while the store's changes say no content
// changed (store.Changes), so a perform reads nothing before its write.
func (s *Server) audience(c *call) (domain.Audience, int64, error) {
	changes := s.store.Changes()
	av, err := readKept(&s.feeds.audiences, changes, memberKey{c.programID, c.user.ID}, changes.MarkContent(), func() (audienceVersion, error) {
		aud, version, err := s.store.AudienceVersion(c.ctx, c.programID, c.user.ID)
		return audienceVersion{aud, version}, err
	})
	return av.aud, av.version, err
}

// checkPerformable says why a member in audience aud cannot perform an
// activity now.
func (s *Server) checkPerformable(c *call, a *domain.Activity, aud domain.Audience, now time.Time) error {
	switch {
	case !domain.Targets(a, aud):
		return domain.Errorf(domain.CodeNotFound, "this activity is not in your feed")
	case a.Removed():
		return domain.Errorf(wire.CodeActivityRemoved, "a manager withdrew this activity")
	case now.Before(a.StartsAt):
		return domain.Errorf(wire.CodeActivityNotStarted, "this activity has not started yet")
	case !a.EndsAt.IsZero() && !now.Before(a.EndsAt):
		return domain.Errorf(wire.CodeActivityExpired, "this activity has ended")
	}
	if spec, _ := domain.LookupType(a.Type); spec.Network == "tiktok" {
		if s.o.TikTok == nil {
			return domain.Errorf(wire.CodeTikTokNotConnected, "connect your TikTok account first")
		}
		ok, err := s.o.TikTok.Connected(c.ctx, c.user.ID)
		if err != nil {
			return err
		}
		if !ok {
			return domain.Errorf(wire.CodeTikTokNotConnected, "connect your TikTok account first")
		}
	}
	return nil
}

// share is what the app hands to the network, with the member's own links.
func (s *Server) share(c *call, a *domain.Activity) (client.Share, error) {
	text, urls := s.shareSource(c, a)
	var codes map[string]string
	if len(urls) > 0 {
		var err error
		if codes, err = s.store.EnsureLinks(c.ctx, c.programID, a.ID, c.user.ID, urls, links.NewCode, c.now); err != nil {
			return client.Share{}, err
		}
	}
	return s.shareWith(c, a, text, codes), nil
}

// shareSource is the activity's text to share and the URLs in it to track
// for this member: none when they opted out of tracking.
func (s *Server) shareSource(c *call, a *domain.Activity) (string, []string) {
	text := a.Message
	if spec, _ := domain.LookupType(a.Type); spec.Network == "tiktok" {
		text = a.Instructions
	}
	if c.user.TrackingOptOut {
		return text, nil
	}
	return text, links.UniqueURLs(text)
}

// shareWith is the share with text's URLs replaced by the member's codes.
func (s *Server) shareWith(c *call, a *domain.Activity, text string, codes map[string]string) client.Share {
	if len(codes) > 0 {
		text = links.Rewrite(text, func(u string) string { return s.o.PublicURL + "/l/" + codes[u] })
	}
	sh := client.Share{Text: text}
	if a.MediaID != "" {
		spec, _ := domain.LookupType(a.Type)
		sh.MediaURL = s.o.PublicURL + "/api/v1/programs/" + url.PathEscape(c.programID) + "/media/" + url.PathEscape(a.MediaID)
		sh.MediaType = "image"
		if strings.HasSuffix(spec.MediaKind, "video") {
			sh.MediaType = "video"
		}
	}
	return sh
}

// programZone is the program's time zone, from the cache the leaderboard
// keeps (forgotten when the program changes); UTC if it cannot be read.
func (s *Server) programZone(c *call) *time.Location {
	if pz, err := s.cachedProgram(c); err == nil {
		return pz.loc
	}
	return time.UTC
}

func (s *Server) handoff(c *call, _ none) (client.Handoff, error) {
	a, err := s.store.Activity(c.ctx, c.programID, c.path("aid"))
	if err != nil {
		return client.Handoff{}, err
	}
	now := c.now
	aud, err := s.store.Audience(c.ctx, c.programID, c.user.ID)
	if err != nil {
		return client.Handoff{}, err
	}
	if !domain.Visible(&a, aud, now) {
		return client.Handoff{}, domain.Errorf(domain.CodeNotFound, "this activity is not in your feed")
	}
	link, err := s.shareLink(c, &a, c.user.ID)
	if err != nil {
		return client.Handoff{}, err
	}
	h := client.Handoff{ID: domain.NewID("hnd"), ActivityID: a.ID, CreatedAt: now.UTC().Truncate(time.Millisecond), ShareURL: link.URL}
	n := s.notify()
	// The push is queued in the handoff's own transaction: a recorded
	// handoff is never left without it. The phones it goes to are counted
	// there too, as the push job will find them (phone platforms only: a
	// handoff never goes to a browser).
	if h.Devices, err = s.store.CreateHandoff(c.ctx, h.ID, c.programID, a.ID, c.user.ID, now, phonePlatforms,
		n.HandoffJobs(c.programID, a.ID, c.user.ID)...); err != nil {
		return client.Handoff{}, err
	}
	if s.o.Jobs != nil {
		s.o.Jobs.Wake()
	}
	n.Event(c.ctx, c.user.ID, wire.EventHandoff, wire.Handoff{ProgramID: c.programID, ActivityID: a.ID})
	return h, nil
}

// phonePlatforms are the push platforms of phones: a handoff's push goes
// to these (notify's handleDirect), never to Web Push.
var phonePlatforms = []string{string(push.PlatformFCM), string(push.PlatformAPNs)}

func toEntry(e store.Entry) client.PointEntry {
	return client.PointEntry{ID: e.ID, Kind: e.Kind, Points: e.Points, ActivityID: e.ActivityID, RedemptionID: e.RedemptionID, Reason: e.Reason, CreatedAt: e.CreatedAt}
}

func (s *Server) myPoints(c *call, _ none) (client.Points, error) {
	limit, err := intParam(c, "limit", 200, 1, 1000)
	if err != nil {
		return client.Points{}, err
	}
	entries, err := s.store.Entries(c.ctx, c.programID, c.user.ID, limit)
	if err != nil {
		return client.Points{}, err
	}
	total, err := s.store.Balance(c.ctx, c.programID, c.user.ID)
	return client.Points{Total: total, Entries: list(entries, toEntry).Items}, err
}

func (s *Server) adjust(c *call, in client.Adjustment) (client.PointEntry, error) {
	f := domain.Fields{}
	if in.Points == 0 {
		f.Add("points", "must not be zero")
	} else if in.Points < -100000 || in.Points > 100000 {
		f.Add("points", "must be between -100000 and 100000")
	}
	if strings.TrimSpace(in.Reason) == "" {
		f.Add("reason", "is required: members see it in their points history")
	}
	if err := f.Err(); err != nil {
		return client.PointEntry{}, err
	}
	if _, err := s.store.Member(c.ctx, c.programID, in.MemberID); err != nil {
		return client.PointEntry{}, err
	}
	now := c.now
	loc := s.programZone(c)
	e := store.Entry{ID: domain.NewID("pte"), ProgramID: c.programID, UserID: in.MemberID, Kind: store.EntryAdjustment,
		Points: in.Points, Reason: strings.TrimSpace(in.Reason), CreatedBy: c.user.ID, CreatedAt: now.UTC().Truncate(time.Millisecond)}
	c.audited(e.UserID, fmt.Sprintf("%+d points: %s", e.Points, auditText(e.Reason)), "points", fmt.Sprintf("%+d", e.Points), "reason", auditText(e.Reason))
	return toEntry(e), s.store.Adjust(c.ctx, e, store.Periods{Month: domain.PeriodStart(domain.PeriodMonth, now, loc), Week: domain.PeriodStart(domain.PeriodWeek, now, loc)})
}

func intParam(c *call, name string, def, lo, hi int) (int, error) {
	v := c.query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention",
			Fields: map[string]string{name: "must be a whole number from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi)}}
	}
	return n, nil
}

func (s *Server) leaderboard(c *call, _ none) (client.Leaderboard, error) {
	pz, err := s.cachedProgram(c)
	if err != nil {
		return client.Leaderboard{}, err
	}
	if !pz.p.LeaderboardEnabled {
		return client.Leaderboard{}, domain.Errorf(wire.CodeLeaderboardDisabled, "the leaderboard is switched off for this program")
	}
	period := c.query("period")
	if period == "" {
		period = domain.PeriodAll
	}
	if period != domain.PeriodAll && period != domain.PeriodMonth && period != domain.PeriodWeek {
		return client.Leaderboard{}, &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention", Fields: map[string]string{"period": "must be all, month or week"}}
	}
	limit, err := intParam(c, "limit", 50, 1, 500)
	if err != nil {
		return client.Leaderboard{}, err
	}
	group := c.query("group")
	start := domain.PeriodStart(period, c.now, pz.loc)
	// The caller's own points (and the group checked) come before a board
	// is built for a group that may not exist.
	k := boardKey{program: c.programID, period: period, group: group, start: start.UnixMilli()}
	mine, err := s.boardPoints(c, k, start)
	if err != nil {
		return client.Leaderboard{}, err
	}
	b, err := s.board(c.ctx, k, start, c.now)
	if err != nil {
		return client.Leaderboard{}, err
	}
	page, err := b.page(limit)
	if err != nil {
		return client.Leaderboard{}, err
	}
	var since *time.Time
	if period != domain.PeriodAll {
		since = optTime(start.UTC())
	}
	writeJSON(c.w, http.StatusOK, rawJSON(leaderboardJSON(period, group, since, page, client.MyRank{Points: mine, Rank: b.rankOf(mine)})))
	return client.Leaderboard{}, errHandled
}

// leaderboardJSON writes client.Leaderboard as encoding/json would, around
// entries already encoded (board.page): encoding/json would check and copy
// them again, which cost as much as encoding them. The same fields in the
// same order make the same bytes (TestLeaderboardJSONIsTheClientsType).
func leaderboardJSON(period, group string, since *time.Time, entries []byte, me client.MyRank) []byte {
	b := make([]byte, 0, len(entries)+160)
	b = append(b, `{"period":`...)
	b = appendJSONString(b, period)
	if group != "" {
		b = append(b, `,"group_id":`...)
		b = appendJSONString(b, group)
	}
	b = append(b, `,"since":`...)
	if since == nil {
		b = append(b, "null"...)
	} else {
		t, _ := since.MarshalJSON() // fails only for years past 9999
		b = append(b, t...)
	}
	b = append(b, `,"entries":`...)
	b = append(b, entries...)
	b = append(b, `,"me":{"points":`...)
	b = strconv.AppendInt(b, int64(me.Points), 10)
	b = append(b, `,"rank":`...)
	b = strconv.AppendInt(b, int64(me.Rank), 10)
	return append(b, "}}\n"...)
}
