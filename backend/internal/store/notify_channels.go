package store

import (
	"context"
	"strings"
	"time"
)

// NotifyPrefs is a person's choice of notification channels.
type NotifyPrefs struct {
	Push  bool
	Email string // auto, on, off
	WeCom string // auto, on, off
}

// Channel choices of NotifyPrefs.Email and .WeCom.
const (
	NotifyAuto = "auto" // only when no push reaches the person
	NotifyOn   = "on"
	NotifyOff  = "off"
)

// OutcomeSkipped: a member the channel was planned for but does not reach
// (their choice changed, WeCom does not know them).
const OutcomeSkipped = "skipped"

// ValidNotifyChoice says whether v is a channel choice.
func ValidNotifyChoice(v string) bool { return v == NotifyAuto || v == NotifyOn || v == NotifyOff }

// NotifyPrefs returns a person's channel choices.
func (s *Store) NotifyPrefs(ctx context.Context, userID string) (NotifyPrefs, error) {
	var p NotifyPrefs
	err := s.r.QueryRowContext(ctx, s.q("SELECT notify_push, notify_email, notify_wecom FROM users WHERE id = ?"), userID).Scan(&p.Push, &p.Email, &p.WeCom)
	return p, wrap("NotifyPrefs", translate(err, "user"))
}

// SetNotifyPrefs saves a person's channel choices.
func (s *Store) SetNotifyPrefs(ctx context.Context, userID string, p NotifyPrefs) error {
	res, err := s.w.ExecContext(ctx, s.q("UPDATE users SET notify_push = ?, notify_email = ?, notify_wecom = ? WHERE id = ?"), p.Push, p.Email, p.WeCom, userID)
	return wrap("SetNotifyPrefs", mustAffect(res, err, "user"))
}

// UnsubscribeEmail turns a person's new-activity email off (the one-click
// unsubscribe of the email itself). A person who is gone is not an error.
func (s *Store) UnsubscribeEmail(ctx context.Context, userID string) error {
	_, err := s.w.ExecContext(ctx, s.q("UPDATE users SET notify_email = ? WHERE id = ?"), NotifyOff, userID)
	return wrap("UnsubscribeEmail", err)
}

// ProgramChannels are a program's notification channel settings. The
// webhook URLs are as stored: sealed by the caller (” = none).
type ProgramChannels struct {
	EmailEnabled bool
	WeComEnabled bool
	SlackWebhook string
	TeamsWebhook string
}

// ProgramChannels returns a program's channel settings.
func (s *Store) ProgramChannels(ctx context.Context, programID string) (ProgramChannels, error) {
	var c ProgramChannels
	err := s.r.QueryRowContext(ctx, s.q("SELECT email_enabled, wecom_enabled, slack_webhook, teams_webhook FROM programs WHERE id = ?"), programID).
		Scan(&c.EmailEnabled, &c.WeComEnabled, &c.SlackWebhook, &c.TeamsWebhook)
	return c, wrap("ProgramChannels", translate(err, "program"))
}

// SetProgramChannels saves a program's channel settings.
func (s *Store) SetProgramChannels(ctx context.Context, programID string, c ProgramChannels) error {
	res, err := s.w.ExecContext(ctx, s.q("UPDATE programs SET email_enabled = ?, wecom_enabled = ?, slack_webhook = ?, teams_webhook = ? WHERE id = ?"),
		c.EmailEnabled, c.WeComEnabled, c.SlackWebhook, c.TeamsWebhook, programID)
	return wrap("SetProgramChannels", mustAffect(res, err, "program"))
}

// UserChannelsOn says whether any of a person's programs (as a member, not
// merely invited) has email and WeCom on.
func (s *Store) UserChannelsOn(ctx context.Context, userID string) (email, wecom bool, err error) {
	var e, w int
	err = s.r.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(CASE WHEN p.email_enabled THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN p.wecom_enabled THEN 1 ELSE 0 END), 0)
		FROM memberships m JOIN programs p ON p.id = m.program_id WHERE m.user_id = ? AND NOT m.pending`), userID).Scan(&e, &w)
	return e > 0, w > 0, wrap("UserChannelsOn", err)
}

// MemberWeComIDs returns the WeCom user ids of a program's members that
// have one (by user id).
func (s *Store) MemberWeComIDs(ctx context.Context, programID string) (map[string]string, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT user_id, wecom_user_id FROM memberships WHERE program_id = ? AND wecom_user_id <> ''"), programID)
	if err != nil {
		return nil, wrap("MemberWeComIDs", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var u, w string
		if err := rows.Scan(&u, &w); err != nil {
			return nil, wrap("MemberWeComIDs", err)
		}
		out[u] = w
	}
	return out, wrap("MemberWeComIDs", rows.Err())
}

// SetMemberWeComID sets (or with "" clears) a member's WeCom user id in a
// program; someone not in the program is not found. Clearing also forgets
// a failed match, so the next activity matches by email again.
func (s *Store) SetMemberWeComID(ctx context.Context, programID, userID, wecomID string) error {
	res, err := s.w.ExecContext(ctx, s.q("UPDATE memberships SET wecom_user_id = ?, wecom_lookup_at = 0 WHERE program_id = ? AND user_id = ?"), wecomID, programID, userID)
	return wrap("SetMemberWeComID", mustAffect(res, err, "member"))
}

// NoteWeComLookup records that matching a member by email found nobody at
// at, so it is not tried again soon.
func (s *Store) NoteWeComLookup(ctx context.Context, programID, userID string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, s.q("UPDATE memberships SET wecom_lookup_at = ? WHERE program_id = ? AND user_id = ? AND wecom_user_id = ''"), ms(at), programID, userID)
	return wrap("NoteWeComLookup", err)
}

// MatchMemberWeComID stores a WeCom id found by email, unless a manager
// set one in the meantime.
func (s *Store) MatchMemberWeComID(ctx context.Context, programID, userID, wecomID string) error {
	_, err := s.w.ExecContext(ctx, s.q("UPDATE memberships SET wecom_user_id = ? WHERE program_id = ? AND user_id = ? AND wecom_user_id = ''"), wecomID, programID, userID)
	return wrap("MatchMemberWeComID", err)
}

// Recipient is a program member as the email and WeCom channels see them.
type Recipient struct {
	UserID, Email, Name, Locale, Timezone string
	QuietHoursStart, QuietHoursEnd        string
	Prefs                                 NotifyPrefs
	WeComUserID                           string
	WeComLookupAt                         time.Time
	// PushDevices counts the person's registrations on the platforms the
	// caller asked about.
	PushDevices int
}

const recipientSQL = `SELECT u.id, u.email, u.name, u.locale, u.timezone, u.quiet_hours_start, u.quiet_hours_end,
	u.notify_push, u.notify_email, u.notify_wecom, m.wecom_user_id, m.wecom_lookup_at,
	(SELECT COUNT(*) FROM devices d WHERE d.user_id = u.id AND d.platform IN (%s))
	FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.program_id = ? AND NOT m.pending`

// Recipients lists a program's members (not those merely invited) with
// their channel choices and how many devices they have on the given push
// platforms; with userIDs, only those of them still members.
func (s *Store) Recipients(ctx context.Context, programID string, platforms []string, userIDs ...string) ([]Recipient, error) {
	if len(platforms) == 0 {
		platforms = []string{""} // counts nothing
	}
	base := fmtIn(recipientSQL, len(platforms))
	args := append(anySlice(platforms), programID)
	if userIDs == nil {
		v, err := s.scanRecipients(ctx, s.rebind(base+" ORDER BY u.id"), args)
		return v, wrap("Recipients", err)
	}
	var out []Recipient
	for _, chunk := range chunks(userIDs, 500) {
		rs, err := s.scanRecipients(ctx, s.rebind(base+" AND u.id IN ("+placeholders(len(chunk))+") ORDER BY u.id"), append(append([]any{}, args...), anySlice(chunk)...))
		if err != nil {
			return nil, wrap("Recipients", err)
		}
		out = append(out, rs...)
	}
	return out, nil
}

func (s *Store) scanRecipients(ctx context.Context, q string, args []any) ([]Recipient, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap("Recipients", err)
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		var lookup int64
		if err := rows.Scan(&r.UserID, &r.Email, &r.Name, &r.Locale, &r.Timezone, &r.QuietHoursStart, &r.QuietHoursEnd,
			&r.Prefs.Push, &r.Prefs.Email, &r.Prefs.WeCom, &r.WeComUserID, &lookup, &r.PushDevices); err != nil {
			return nil, wrap("Recipients", err)
		}
		if lookup > 0 {
			r.WeComLookupAt = fromMS(lookup)
		}
		out = append(out, r)
	}
	return out, wrap("Recipients", rows.Err())
}

func fmtIn(q string, n int) string { return strings.Replace(q, "%s", placeholders(n), 1) }
