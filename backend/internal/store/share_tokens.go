package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// ShareToken is a member's share page capability for one activity. Hash is
// the hash of the raw token, which the API derives from Nonce with its key.
type ShareToken struct {
	Hash, ProgramID, ActivityID, UserID, Nonce string
	CreatedAt, ExpiresAt                       time.Time
	RevokedAt                                  time.Time // zero: not revoked
}

// Usable says whether the token still opens its page at now.
func (t ShareToken) Usable(now time.Time) bool {
	return t.RevokedAt.IsZero() && now.Before(t.ExpiresAt)
}

const shareTokenCols = "token_hash, program_id, activity_id, user_id, nonce, created_at, expires_at, revoked_at"

func scanShareToken(row rowScanner) (ShareToken, error) {
	var t ShareToken
	var created, expires int64
	var revoked sql.NullInt64
	err := row.Scan(&t.Hash, &t.ProgramID, &t.ActivityID, &t.UserID, &t.Nonce, &created, &expires, &revoked)
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = fromMS(created), fromMS(expires), fromNullMS(revoked)
	return t, err
}

// ShareTokenByHash finds a token by its hash, usable or not (the page tells
// an expired or revoked link from an unknown one).
func (s *Store) ShareTokenByHash(ctx context.Context, hash string) (ShareToken, error) {
	t, err := scanShareToken(s.r.QueryRowContext(ctx, s.q("SELECT "+shareTokenCols+" FROM share_tokens WHERE token_hash = ?"), hash))
	return t, wrap("ShareTokenByHash", translate(err, "share link"))
}

// EnsureShareToken returns the member's usable token for the activity, or
// stores t as it when there is none: when there is only an expired or
// revoked one, or one that current rejects (made with another key), t
// takes its place. Concurrent calls end with one row, which all return.
func (s *Store) EnsureShareToken(ctx context.Context, t ShareToken, now time.Time, current func(ShareToken) bool) (ShareToken, error) {
	var out ShareToken
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sel := s.q("SELECT " + shareTokenCols + " FROM share_tokens WHERE activity_id = ? AND user_id = ?")
		old, err := scanShareToken(tx.QueryRowContext(ctx, sel, t.ActivityID, t.UserID))
		switch {
		case err == nil && old.Usable(now) && current(old):
			out = old
			return nil
		case err == nil:
			if _, err := tx.ExecContext(ctx, s.q("DELETE FROM share_tokens WHERE token_hash = ?"), old.Hash); err != nil {
				return err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO share_tokens (`+shareTokenCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
			ON CONFLICT (activity_id, user_id) DO NOTHING`),
			t.Hash, t.ProgramID, t.ActivityID, t.UserID, t.Nonce, ms(t.CreatedAt), ms(t.ExpiresAt)); err != nil {
			return err
		}
		out, err = scanShareToken(tx.QueryRowContext(ctx, sel, t.ActivityID, t.UserID))
		return translate(err, "share link")
	})
	if err != nil {
		return ShareToken{}, wrap("EnsureShareToken", err)
	}
	if out.Hash == "" {
		return ShareToken{}, wrap("EnsureShareToken", domain.NotFound("share link"))
	}
	return out, nil
}

// revokeShareTokens ends share links in a transaction: where is a condition
// on share_tokens with its arguments.
func revokeShareTokens(ctx context.Context, s *Store, tx *sql.Tx, now time.Time, where string, args ...any) error {
	_, err := tx.ExecContext(ctx, s.q("UPDATE share_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND "+where), append([]any{ms(now)}, args...)...)
	return err
}
