package store

import (
	"context"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// CreateCampaign inserts a campaign.
func (s *Store) CreateCampaign(ctx context.Context, c domain.Campaign, now time.Time) error {
	err := s.execOne(ctx, "", "INSERT INTO campaigns (id, program_id, name, description, created_at) VALUES (?, ?, ?, ?, ?)", c.ID, c.ProgramID, c.Name, c.Description, ms(now))
	return wrap("CreateCampaign", err)
}

// Campaigns lists a program's campaigns.
func (s *Store) Campaigns(ctx context.Context, programID string) ([]domain.Campaign, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT id, name, description FROM campaigns WHERE program_id = ? ORDER BY created_at DESC, id"), programID)
	if err != nil {
		return nil, wrap("Campaigns", err)
	}
	defer rows.Close()
	out := []domain.Campaign{}
	for rows.Next() {
		c := domain.Campaign{ProgramID: programID}
		if err := rows.Scan(&c.ID, &c.Name, &c.Description); err != nil {
			return nil, wrap("Campaigns", err)
		}
		out = append(out, c)
	}
	return out, wrap("Campaigns", rows.Err())
}

// Campaign returns one campaign.
func (s *Store) Campaign(ctx context.Context, programID, id string) (domain.Campaign, error) {
	c := domain.Campaign{ProgramID: programID, ID: id}
	err := s.r.QueryRowContext(ctx, s.q("SELECT name, description FROM campaigns WHERE program_id = ? AND id = ?"), programID, id).Scan(&c.Name, &c.Description)
	return c, wrap("Campaign", translate(err, "campaign"))
}

// UpdateCampaign saves a campaign.
func (s *Store) UpdateCampaign(ctx context.Context, c domain.Campaign) error {
	return wrap("UpdateCampaign", s.execOne(ctx, "campaign", "UPDATE campaigns SET name = ?, description = ? WHERE program_id = ? AND id = ?", c.Name, c.Description, c.ProgramID, c.ID))
}

// DeleteCampaign deletes a campaign; its activities stay, without a campaign.
func (s *Store) DeleteCampaign(ctx context.Context, programID, id string) error {
	return wrap("DeleteCampaign", s.execOne(ctx, "campaign", "DELETE FROM campaigns WHERE program_id = ? AND id = ?", programID, id))
}
