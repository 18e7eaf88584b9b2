package store

import (
	"context"
	"database/sql"
	"time"
)

// CreatePasswordReset stores a reset token's hash for a person, valid until
// expires, and queues the jobs it causes (its email) in the same
// transaction. Tokens that ended more than a day ago leave the table.
func (s *Store) CreatePasswordReset(ctx context.Context, tokenHash, userID string, now, expires time.Time, jobs ...NewJob) error {
	return wrap("CreatePasswordReset", s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM password_resets WHERE expires_at < ?"), ms(now.Add(-24*time.Hour))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)"),
			tokenHash, userID, ms(now), ms(expires)); err != nil {
			return err
		}
		return enqueueAll(ctx, s, tx, jobs)
	}))
}

// PasswordReset is a stored reset token.
type PasswordReset struct {
	UserID    string
	ExpiresAt time.Time
	UsedAt    time.Time
}

// PasswordReset returns the reset stored under a token hash.
func (s *Store) PasswordReset(ctx context.Context, tokenHash string) (PasswordReset, error) {
	var r PasswordReset
	var exp int64
	var used sql.NullInt64
	err := s.r.QueryRowContext(ctx, s.q("SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = ?"), tokenHash).Scan(&r.UserID, &exp, &used)
	r.ExpiresAt, r.UsedAt = fromMS(exp), fromNullMS(used)
	return r, wrap("PasswordReset", translate(err, "password reset"))
}

// UsePasswordReset spends a reset token, once and before it expires, on
// the account's new password hash: in one transaction the token (and every
// other open token of the account) is marked used, the password set, every
// session ended and the jobs queued. A token already used, expired or
// unknown is not found.
func (s *Store) UsePasswordReset(ctx context.Context, tokenHash, userID, hash string, now time.Time, jobs ...NewJob) error {
	return wrap("UsePasswordReset", s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND user_id = ? AND used_at IS NULL AND expires_at > ?"),
			ms(now), tokenHash, userID, ms(now))
		if err := mustAffect(res, err, "password reset"); err != nil {
			return err
		}
		if err := setPassword(ctx, s, tx, userID, hash, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM sessions WHERE user_id = ?"), userID); err != nil {
			return err
		}
		return enqueueAll(ctx, s, tx, jobs)
	}))
}

// ChangePassword sets a person's new password hash (they proved the old
// one) and ends every session of theirs except keepSession, in one
// transaction with the jobs it causes. It returns the hashes of the sessions
// it ended, so their live event streams can be closed.
func (s *Store) ChangePassword(ctx context.Context, userID, hash, keepSession string, now time.Time, jobs ...NewJob) ([]string, error) {
	var ended []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ended = nil
		if err := setPassword(ctx, s, tx, userID, hash, now); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, s.q("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ? RETURNING token_hash"), userID, keepSession)
		if err != nil {
			return err
		}
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return err
			}
			ended = append(ended, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return enqueueAll(ctx, s, tx, jobs)
	})
	return ended, wrap("ChangePassword", err)
}

// setPassword writes a password hash and spends the account's open reset
// tokens: a link mailed before the change must not undo it.
func setPassword(ctx context.Context, s *Store, q querier, userID, hash string, now time.Time) error {
	res, err := q.ExecContext(ctx, s.q("UPDATE users SET password_hash = ? WHERE id = ?"), hash, userID)
	if err := mustAffect(res, err, "user"); err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, s.q("UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL"), ms(now), userID)
	return err
}
