package httpapi

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

func (s *Server) activities(c *call, _ none) (client.List[client.Activity], error) {
	status := c.query("status")
	if status != "" && !slices.Contains(wire.ActivityStatuses(), status) {
		return client.List[client.Activity]{}, &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention",
			Fields: map[string]string{"status": "must be live, scheduled, expired or removed"}}
	}
	as, err := s.store.Activities(c.ctx, c.programID, store.ActivityFilter{CampaignID: c.query("campaign_id"), Type: c.query("type")})
	if err != nil {
		return client.List[client.Activity]{}, err
	}
	now := c.now
	words := strings.Fields(strings.ToLower(c.query("q")))
	kept := as[:0:0]
	for _, a := range as {
		if status != "" && a.Status(now) != status {
			continue
		}
		if !matchesAll(strings.ToLower(a.Message+" "+a.Instructions), words) {
			continue
		}
		if c.inScope(a) != nil {
			continue
		}
		kept = append(kept, a)
	}
	mi, err := s.mediaInfos(c.ctx, c.programID, kept...)
	if err != nil {
		return client.List[client.Activity]{}, err
	}
	out := client.List[client.Activity]{Items: make([]client.Activity, 0, len(kept))}
	for _, a := range kept {
		out.Items = append(out.Items, toActivity(a, now, mi))
	}
	return out, nil
}

// mediaInfos loads the media facts of activities in one query.
func (s *Server) mediaInfos(ctx context.Context, programID string, as ...*domain.Activity) (mediaInfos, error) {
	ids := make([]string, 0, len(as))
	for _, a := range as {
		if a.MediaID != "" {
			ids = append(ids, a.MediaID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	ms, err := s.store.MediaByIDs(ctx, programID, ids)
	if err != nil {
		return nil, err
	}
	mi := make(mediaInfos, len(ms))
	for id, m := range ms {
		mi[id] = toMediaInfo(m)
	}
	return mi, nil
}

// withMedia is an activity as managers see it, with its media's facts.
func (s *Server) withMedia(c *call, a *domain.Activity) (client.Activity, error) {
	mi, err := s.mediaInfos(c.ctx, c.programID, a)
	if err != nil {
		return client.Activity{}, err
	}
	return toActivity(a, c.now, mi), nil
}

func matchesAll(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

func toInput(in client.ActivityInput) domain.ActivityInput {
	return domain.ActivityInput{Type: in.Type, Message: in.Message, Instructions: in.Instructions, MediaID: in.MediaID,
		GroupIDs: in.GroupIDs, ChannelIDs: in.ChannelIDs, StartsAt: in.StartsAt, EndsAt: in.EndsAt, Points: in.Points,
		CampaignID: in.CampaignID, Featured: in.Featured}
}

func (s *Server) createActivity(c *call, in client.ActivityInput) (client.Activity, error) {
	now := c.now
	a, err := s.applyActivity(c, domain.Activity{}, in)
	if err != nil {
		return client.Activity{}, err
	}
	a.ID, a.ProgramID, a.CreatedBy, a.CreatorTimezone = domain.NewID("act"), c.programID, c.user.ID, c.user.Timezone
	a.CreatedAt, a.UpdatedAt = now, now
	if err := c.inScope(&a); err != nil {
		return client.Activity{}, err
	}
	c.audited(a.ID, auditText(a.Message))
	if err := s.store.CreateActivity(c.ctx, a, s.activityJobs(a)...); err != nil {
		return client.Activity{}, err
	}
	s.activitySaved(c, a)
	return s.withMedia(c, &a)
}

// applyActivity validates input on top of base: the pure rules first, then
// that every referenced group, channel and campaign is this program's; all
// problems come back together.
func (s *Server) applyActivity(c *call, base domain.Activity, in client.ActivityInput) (domain.Activity, error) {
	loc, ok := domain.LoadLocation(c.user.Timezone)
	if !ok {
		loc, _ = domain.LoadLocation("UTC")
	}
	a, err := domain.ApplyActivityInput(base, toInput(in), loc, c.now)
	fields := domain.Fields{}
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.CodeValidation {
		fields = de.Fields
	} else if err != nil {
		return a, err
	}
	refs, rerr := s.store.CheckActivityRefs(c.ctx, c.programID, a)
	if rerr != nil {
		return a, rerr
	}
	for k, v := range refs {
		fields.Add(k, v)
	}
	if err := s.checkActivityMedia(c, a, fields); err != nil {
		return a, err
	}
	return a, fields.Err()
}

func (s *Server) activity(c *call, _ none) (client.Activity, error) {
	a, err := s.store.Activity(c.ctx, c.programID, c.path("aid"))
	if err != nil {
		return client.Activity{}, err
	}
	if err := c.inScope(&a); err != nil {
		return client.Activity{}, err
	}
	return s.withMedia(c, &a)
}

func (s *Server) updateActivity(c *call, in client.ActivityInput) (client.Activity, error) {
	base, err := s.store.Activity(c.ctx, c.programID, c.path("aid"))
	if err != nil {
		return client.Activity{}, err
	}
	if err := c.inScope(&base); err != nil {
		return client.Activity{}, err
	}
	a, err := s.applyActivity(c, base, in)
	if err != nil {
		return client.Activity{}, err
	}
	// Kept within the scope after the change too: no widening an
	// activity to people the manager does not manage.
	if err := c.inScope(&a); err != nil {
		return client.Activity{}, err
	}
	c.audited("", auditText(a.Message))
	a.UpdatedAt = c.now
	if err := s.store.UpdateActivity(c.ctx, a, s.activityJobs(a)...); err != nil {
		return client.Activity{}, err
	}
	s.activitySaved(c, a)
	return s.withMedia(c, &a)
}

// activityJobs are the jobs a saved activity causes: its announcement and
// its link-preview photo, queued in the activity's own transaction.
func (s *Server) activityJobs(a domain.Activity) []store.NewJob {
	return append(s.notify().ActivityJobs(a), s.linkPreviewJobs(a)...)
}

// activitySaved tells open apps and wakes the job runner; the activity and
// its jobs are saved already, so a failure here is logged, not returned.
func (s *Server) activitySaved(c *call, a domain.Activity) {
	s.wakeJobs()
	if err := s.notify().ActivitySaved(c.ctx, a); err != nil {
		s.log.Error("notify activity saved", "activity", a.ID, "err", err)
	}
}

func (s *Server) removeActivity(c *call, _ none) (client.Activity, error) {
	if c.scope != nil {
		base, err := s.store.Activity(c.ctx, c.programID, c.path("aid"))
		if err != nil {
			return client.Activity{}, err
		}
		if err := c.inScope(&base); err != nil {
			return client.Activity{}, err
		}
	}
	if err := s.store.RemoveActivity(c.ctx, c.programID, c.path("aid"), c.now); err != nil {
		return client.Activity{}, err
	}
	a, err := s.store.Activity(c.ctx, c.programID, c.path("aid"))
	if err != nil {
		return client.Activity{}, err
	}
	s.activitySaved(c, a) // open feeds reload; a removed activity is announced to nobody
	return s.withMedia(c, &a)
}
