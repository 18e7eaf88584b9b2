package httpapi

import (
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

func toReward(r store.Reward) client.Reward {
	return client.Reward{ID: r.ID, Title: r.Title, Description: r.Description, Cost: r.Cost, Quantity: r.Quantity, Remaining: r.Remaining, Active: r.Active}
}

func toRedemption(d store.Redemption) client.Redemption {
	return client.Redemption{ID: d.ID, RewardID: d.RewardID, RewardTitle: d.RewardTitle, MemberID: d.UserID, MemberName: d.UserName,
		Cost: d.Cost, Status: d.Status, Note: d.Note, CreatedAt: d.CreatedAt, DecidedAt: optTime(d.DecidedAt)}
}

// rewardsOn refuses members while rewards are switched off; managers keep
// their catalog to prepare it before switching on.
func (s *Server) rewardsOn(c *call) error {
	if c.fullManager() {
		return nil
	}
	p, err := s.store.Program(c.ctx, c.programID)
	if err != nil {
		return err
	}
	if !p.RewardsEnabled {
		return domain.Errorf(wire.CodeRewardsDisabled, "rewards are switched off for this program")
	}
	return nil
}

func (s *Server) rewards(c *call, _ none) (client.List[client.Reward], error) {
	if err := s.rewardsOn(c); err != nil {
		return client.List[client.Reward]{}, err
	}
	rs, err := s.store.Rewards(c.ctx, c.programID, !c.fullManager())
	return list(rs, toReward), err
}

func applyReward(r *store.Reward, in client.RewardInput, creating bool) error {
	f := domain.Fields{}
	if in.Title != nil {
		r.Title = strings.TrimSpace(*in.Title)
	}
	if r.Title == "" {
		f.Add("title", "is required")
	}
	if in.Description != nil {
		r.Description = strings.TrimSpace(*in.Description)
	}
	if in.Cost != nil {
		r.Cost = *in.Cost
	}
	if r.Cost < 1 || r.Cost > 1000000 {
		f.Add("cost", "must be between 1 and 1000000 points")
	}
	if in.Quantity != nil {
		switch q := *in.Quantity; {
		case q < 0:
			f.Add("quantity", "must not be negative")
		case q == 0 && !creating:
			r.Quantity = nil // unlimited
		default:
			r.Quantity = &q
		}
	}
	if in.Active != nil {
		r.Active = *in.Active
	}
	return f.Err()
}

func (s *Server) createReward(c *call, in client.RewardInput) (client.Reward, error) {
	r := store.Reward{ID: domain.NewID("rwd"), ProgramID: c.programID, Active: true}
	if err := applyReward(&r, in, true); err != nil {
		return client.Reward{}, err
	}
	r.Remaining = r.Quantity
	c.audited(r.ID, r.Title)
	return toReward(r), s.store.CreateReward(c.ctx, r, c.now)
}

func (s *Server) updateReward(c *call, in client.RewardInput) (client.Reward, error) {
	r, err := s.store.Reward(c.ctx, c.programID, c.path("rid"))
	if err != nil {
		return client.Reward{}, err
	}
	if err := applyReward(&r, in, false); err != nil {
		return client.Reward{}, err
	}
	if err := s.store.UpdateReward(c.ctx, r); err != nil {
		return client.Reward{}, err
	}
	r, err = s.store.Reward(c.ctx, c.programID, r.ID)
	return toReward(r), err
}

func (s *Server) redeem(c *call, in client.Redeem) (client.Redemption, error) {
	if err := s.rewardsOn(c); err != nil {
		return client.Redemption{}, err
	}
	if id := strings.TrimSpace(in.ClientActionID); id == "" || len(id) > domain.MaxKeyLength {
		return client.Redemption{}, &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention",
			Fields: map[string]string{"client_action_id": "is required (at most 100 characters), so a retry is the same redemption"}}
	}
	d, err := s.store.Redeem(c.ctx, store.Redemption{ID: domain.NewID("rdm"), ProgramID: c.programID, RewardID: c.path("rid"),
		UserID: c.user.ID, ClientActionID: strings.TrimSpace(in.ClientActionID), CreatedAt: c.now.UTC().Truncate(time.Millisecond)}, domain.NewID("pte"))
	return toRedemption(d), err
}

func (s *Server) redemptions(c *call, _ none) (client.List[client.Redemption], error) {
	if err := s.rewardsOn(c); err != nil {
		return client.List[client.Redemption]{}, err
	}
	who := c.user.ID
	if c.fullManager() && c.query("mine") == "" {
		who = ""
	}
	ds, err := s.store.Redemptions(c.ctx, c.programID, who)
	return list(ds, toRedemption), err
}

func (s *Server) fulfil(c *call, in client.Decision) (client.Redemption, error) {
	d, err := s.store.Decide(c.ctx, c.programID, c.path("id"), wire.RedemptionFulfilled, strings.TrimSpace(in.Note), c.now, "")
	return toRedemption(d), err
}

func (s *Server) reject(c *call, in client.Decision) (client.Redemption, error) {
	d, err := s.store.Decide(c.ctx, c.programID, c.path("id"), wire.RedemptionRejected, strings.TrimSpace(in.Note), c.now, domain.NewID("pte"))
	return toRedemption(d), err
}
