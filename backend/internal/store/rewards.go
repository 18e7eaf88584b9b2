package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Reward is an item of a program's catalog.
type Reward struct {
	ID, ProgramID      string
	Title, Description string
	Cost               int
	Quantity           *int // nil: unlimited
	Remaining          *int
	Active             bool
}

func scanReward(row interface{ Scan(...any) error }) (Reward, error) {
	var r Reward
	var q, rem sql.NullInt64
	err := row.Scan(&r.ID, &r.ProgramID, &r.Title, &r.Description, &r.Cost, &q, &rem, &r.Active)
	if q.Valid {
		v := int(q.Int64)
		r.Quantity = &v
	}
	if rem.Valid {
		v := int(rem.Int64)
		r.Remaining = &v
	}
	return r, err
}

const rewardCols = "id, program_id, title, description, cost, quantity, remaining, active"

func nullInt(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

// CreateReward adds a reward; its remaining stock starts at its quantity.
func (s *Store) CreateReward(ctx context.Context, r Reward, now time.Time) error {
	err := s.execOne(ctx, "", "INSERT INTO rewards ("+rewardCols+", created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		r.ID, r.ProgramID, r.Title, r.Description, r.Cost, nullInt(r.Quantity), nullInt(r.Quantity), r.Active, ms(now))
	return wrap("CreateReward", err)
}

// Rewards lists a program's catalog.
func (s *Store) Rewards(ctx context.Context, programID string, activeOnly bool) ([]Reward, error) {
	q := "SELECT " + rewardCols + " FROM rewards WHERE program_id = ?"
	if activeOnly {
		q += " AND active"
	}
	rows, err := s.r.QueryContext(ctx, s.q(q+" ORDER BY cost, title, id"), programID)
	if err != nil {
		return nil, wrap("Rewards", err)
	}
	defer rows.Close()
	out := []Reward{}
	for rows.Next() {
		r, err := scanReward(rows)
		if err != nil {
			return nil, wrap("Rewards", err)
		}
		out = append(out, r)
	}
	return out, wrap("Rewards", rows.Err())
}

// Reward returns one reward.
func (s *Store) Reward(ctx context.Context, programID, id string) (Reward, error) {
	r, err := scanReward(s.r.QueryRowContext(ctx, s.q("SELECT "+rewardCols+" FROM rewards WHERE program_id = ? AND id = ?"), programID, id))
	return r, wrap("Reward", translate(err, "reward"))
}

// UpdateReward saves a reward. A new quantity moves the remaining stock by
// the same amount, never below zero.
func (s *Store) UpdateReward(ctx context.Context, r Reward) error {
	return wrap("UpdateReward", s.tx(ctx, func(tx *sql.Tx) error {
		old, err := scanReward(tx.QueryRowContext(ctx, s.q("SELECT "+rewardCols+" FROM rewards WHERE program_id = ? AND id = ?"), r.ProgramID, r.ID))
		if err != nil {
			return translate(err, "reward")
		}
		remaining := r.Quantity
		if r.Quantity != nil && old.Quantity != nil && old.Remaining != nil {
			v := max(0, *old.Remaining+(*r.Quantity-*old.Quantity))
			remaining = &v
		}
		_, err = tx.ExecContext(ctx, s.q("UPDATE rewards SET title = ?, description = ?, cost = ?, quantity = ?, remaining = ?, active = ? WHERE program_id = ? AND id = ?"),
			r.Title, r.Description, r.Cost, nullInt(r.Quantity), nullInt(remaining), r.Active, r.ProgramID, r.ID)
		return err
	}))
}

// Redemption is a member's claim of a reward.
type Redemption struct {
	ID, ProgramID, RewardID, RewardTitle string
	UserID, UserName                     string
	ClientActionID                       string
	Cost                                 int
	Status                               string // pending, fulfilled, rejected
	Note                                 string
	CreatedAt, DecidedAt                 time.Time
}

// Redeem spends a member's points on a reward. In one transaction: the
// redemption (idempotent on the member's client_action_id), the balance taken
// only if it covers the cost, the stock taken only if some is left. Under any
// number of concurrent redeems neither goes below zero.
func (s *Store) Redeem(ctx context.Context, rd Redemption, entryID string) (Redemption, error) {
	var out Redemption
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO redemptions (id, program_id, reward_id, user_id, client_action_id, cost, status, created_at)
			SELECT ?, ?, r.id, ?, ?, r.cost, 'pending', ? FROM rewards r WHERE r.program_id = ? AND r.id = ?
			ON CONFLICT (user_id, client_action_id) DO NOTHING`),
			rd.ID, rd.ProgramID, rd.UserID, rd.ClientActionID, ms(rd.CreatedAt), rd.ProgramID, rd.RewardID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// Either a retry of one already made, or no such reward.
			prev, err := s.redemptionWhere(ctx, tx, "d.user_id = ? AND d.client_action_id = ?", rd.UserID, rd.ClientActionID)
			if err != nil {
				return err
			}
			if len(prev) == 0 {
				return domain.NotFound("reward")
			}
			out = prev[0]
			return nil
		}
		var cost int
		var active bool
		if err := tx.QueryRowContext(ctx, s.q("SELECT cost, active FROM rewards WHERE id = ?"), rd.RewardID).Scan(&cost, &active); err != nil {
			return err
		}
		if !active {
			return domain.Errorf(wire.CodeRewardUnavailable, "this reward is not available any more")
		}
		res, err = tx.ExecContext(ctx, s.q("UPDATE point_balances SET points = points - ? WHERE program_id = ? AND user_id = ? AND points >= ?"), cost, rd.ProgramID, rd.UserID, cost)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 && cost > 0 {
			have, _ := balance(ctx, s, tx, rd.ProgramID, rd.UserID)
			return domain.Errorf(wire.CodeInsufficientPoints, "this reward costs %d points and you have %d", cost, have)
		}
		res, err = tx.ExecContext(ctx, s.q("UPDATE rewards SET remaining = remaining - 1 WHERE id = ? AND remaining IS NOT NULL AND remaining > 0"), rd.RewardID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var limited bool
			if err := tx.QueryRowContext(ctx, s.q("SELECT remaining IS NOT NULL FROM rewards WHERE id = ?"), rd.RewardID).Scan(&limited); err != nil {
				return err
			}
			if limited {
				return domain.Errorf(wire.CodeOutOfStock, "this reward is out of stock")
			}
		}
		if err := insertEntry(ctx, s, tx, Entry{ID: entryID, ProgramID: rd.ProgramID, UserID: rd.UserID, Kind: EntryRedemption,
			Points: -cost, RedemptionID: rd.ID, CreatedAt: rd.CreatedAt}); err != nil {
			return err
		}
		made, err := s.redemptionWhere(ctx, tx, "d.id = ?", rd.ID)
		if err != nil {
			return err
		}
		out = made[0]
		return nil
	})
	return out, wrap("Redeem", err)
}

func (s *Store) redemptionWhere(ctx context.Context, q querier, where string, args ...any) ([]Redemption, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT d.id, d.program_id, d.reward_id, r.title, d.user_id, u.name, d.client_action_id, d.cost, d.status, d.note, d.created_at, d.decided_at
		FROM redemptions d JOIN rewards r ON r.id = d.reward_id JOIN users u ON u.id = d.user_id WHERE `+where+` ORDER BY d.created_at DESC, d.id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Redemption{}
	for rows.Next() {
		var d Redemption
		var at int64
		var decided sql.NullInt64
		if err := rows.Scan(&d.ID, &d.ProgramID, &d.RewardID, &d.RewardTitle, &d.UserID, &d.UserName, &d.ClientActionID, &d.Cost, &d.Status, &d.Note, &at, &decided); err != nil {
			return nil, err
		}
		d.CreatedAt, d.DecidedAt = fromMS(at), fromNullMS(decided)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Redemptions lists a program's redemptions, or one member's when userID is set.
func (s *Store) Redemptions(ctx context.Context, programID, userID string) ([]Redemption, error) {
	if userID != "" {
		v, err := s.redemptionWhere(ctx, s.r, "d.program_id = ? AND d.user_id = ?", programID, userID)
		return v, wrap("Redemptions", err)
	}
	v, err := s.redemptionWhere(ctx, s.r, "d.program_id = ?", programID)
	return v, wrap("Redemptions", err)
}

// Decide fulfils or rejects a pending redemption; a rejection refunds the
// points and returns the item to stock, in the same transaction.
func (s *Store) Decide(ctx context.Context, programID, id, status, note string, at time.Time, refundEntryID string) (Redemption, error) {
	var out Redemption
	err := s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.redemptionWhere(ctx, tx, "d.program_id = ? AND d.id = ?", programID, id)
		if err != nil {
			return err
		}
		if len(cur) == 0 {
			return domain.NotFound("redemption")
		}
		res, err := tx.ExecContext(ctx, s.q("UPDATE redemptions SET status = ?, note = ?, decided_at = ? WHERE id = ? AND status = 'pending'"), status, note, ms(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.CodeConflict, "this redemption was already %s", cur[0].Status)
		}
		if status == wire.RedemptionRejected {
			d := cur[0]
			if err := addEntry(ctx, s, tx, Entry{ID: refundEntryID, ProgramID: programID, UserID: d.UserID, Kind: EntryRefund,
				Points: d.Cost, RedemptionID: d.ID, Reason: note, CreatedAt: at}, Periods{}); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q("UPDATE rewards SET remaining = remaining + 1 WHERE id = ? AND remaining IS NOT NULL"), d.RewardID); err != nil {
				return err
			}
		}
		done, err := s.redemptionWhere(ctx, tx, "d.id = ?", id)
		if err != nil {
			return err
		}
		out = done[0]
		return nil
	})
	return out, wrap("Decide", err)
}
