package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// UsersByEmails finds the accounts of many normalized addresses at once.
func (s *Store) UsersByEmails(ctx context.Context, emails []string) (map[string]domain.User, error) {
	out := make(map[string]domain.User, len(emails))
	const per = 500
	for start := 0; start < len(emails); start += per {
		part := emails[start:min(start+per, len(emails))]
		rows, err := s.r.QueryContext(ctx, s.rebind("SELECT "+userCols+" FROM users WHERE email IN ("+placeholders(len(part))+")"), anySlice(part)...)
		if err != nil {
			return nil, wrap("UsersByEmails", err)
		}
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				rows.Close()
				return nil, wrap("UsersByEmails", err)
			}
			u.PasswordHash = ""
			out[u.Email] = u
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrap("UsersByEmails", err)
		}
	}
	return out, nil
}

// ImportMembers adds many invited people in one transaction: the accounts
// of those new to the server, their pending memberships, groups and invites,
// and the jobs they cause (invitation emails). Rows are inserted many per
// statement, so thousands take seconds, not minutes. Every row must be new
// to the program (the caller checked); a row that is not fails the whole
// import with a conflict, so a race with another import changes nothing.
func (s *Store) ImportMembers(ctx context.Context, programID string, nms []NewMember, now time.Time, jobs []NewJob) error {
	var users, members, groups, invites [][]any
	for _, nm := range nms {
		if nm.CreateUser {
			u := nm.User
			users = append(users, []any{u.ID, u.Email, u.Name, "", u.Timezone, u.Locale, false, "", "", ms(u.CreatedAt)})
		}
		members = append(members, []any{programID, nm.User.ID, string(nm.Role), ms(now), nm.InviteHash != "", nm.User.Name, nm.User.Timezone})
		for _, g := range nm.GroupIDs {
			groups = append(groups, []any{g, nm.User.ID, programID})
		}
		if nm.InviteHash != "" {
			invites = append(invites, []any{nm.InviteHash, programID, nm.User.ID, ms(now), ms(now.Add(nm.InviteTTL))})
		}
	}
	var jobRows [][]any
	for _, j := range jobs {
		if j.MaxAttempts == 0 {
			j.MaxAttempts = 10
		}
		jobRows = append(jobRows, []any{j.Kind, j.Payload, ms(j.RunAt), j.MaxAttempts, ms(now)})
	}
	return wrap("ImportMembers", s.tx(ctx, func(tx *sql.Tx) error {
		if err := lockManagers(ctx, s, tx, programID); err != nil {
			return err
		}
		for _, t := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"users", strings.Split(userCols, ", "), users},
			{"memberships", []string{"program_id", "user_id", "role", "created_at", "pending", "invited_name", "invited_timezone"}, members},
			{"group_members", []string{"group_id", "user_id", "program_id"}, groups},
			{"invites", []string{"code_hash", "program_id", "user_id", "created_at", "expires_at"}, invites},
			{"jobs", []string{"kind", "payload", "run_at", "max_attempts", "created_at"}, jobRows},
		} {
			if err := insertMany(ctx, s, tx, t.table, t.cols, t.rows); err != nil {
				if isUniqueViolation(err) {
					return domain.Errorf(domain.CodeConflict, "someone joined or was added while this import ran; import the file again")
				}
				return err
			}
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
}
