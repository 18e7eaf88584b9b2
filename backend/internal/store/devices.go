package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// Device is one push registration.
type Device struct {
	ID       string
	UserID   string
	Platform string // fcm, apns, webpush
	// Token is the FCM or APNs token, or the Web Push endpoint.
	Token string
	// Subscription is a Web Push subscription's JSON ('' otherwise).
	Subscription string
	// Locale is the app's language at registration; '' means the member's.
	Locale    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

const deviceCols = "id, user_id, platform, token, subscription, locale, created_at, updated_at"

func scanDevice(row rowScanner, extra ...any) (Device, error) {
	var d Device
	var created, updated int64
	err := row.Scan(append([]any{&d.ID, &d.UserID, &d.Platform, &d.Token, &d.Subscription, &d.Locale, &created, &updated}, extra...)...)
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	return d, err
}

// SaveDevice registers a device, or refreshes the registration of the same
// (platform, token): its owner, subscription keys and locale follow the
// latest registration and its id stays. It returns the stored device.
func (s *Store) SaveDevice(ctx context.Context, d Device) (Device, error) {
	row := s.w.QueryRowContext(ctx, s.q(`INSERT INTO devices (`+deviceCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, token) DO UPDATE SET user_id = excluded.user_id, subscription = excluded.subscription,
			locale = excluded.locale, updated_at = excluded.updated_at
		RETURNING `+deviceCols),
		d.ID, d.UserID, d.Platform, d.Token, d.Subscription, d.Locale, ms(d.CreatedAt), ms(d.UpdatedAt))
	out, err := scanDevice(row)
	return out, translate(err, "device")
}

// Devices lists a person's registrations, oldest first.
func (s *Store) Devices(ctx context.Context, userID string) ([]Device, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT "+deviceCols+" FROM devices WHERE user_id = ? ORDER BY created_at, id"), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Device{}
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeleteDevice removes one of a person's registrations; another person's
// device is not found.
func (s *Store) DeleteDevice(ctx context.Context, userID, id string) error {
	res, err := s.w.ExecContext(ctx, s.q("DELETE FROM devices WHERE id = ? AND user_id = ?"), id, userID)
	return mustAffect(res, err, "device")
}

// DeleteDeadDevice removes a registration the push service called dead,
// unless it was registered again after notBefore (APNs tells when a token
// stopped being valid; a fresh registration of it must stay). A zero
// notBefore removes it whatever its age.
func (s *Store) DeleteDeadDevice(ctx context.Context, id string, notBefore time.Time) (bool, error) {
	q, args := "DELETE FROM devices WHERE id = ?", []any{id}
	if !notBefore.IsZero() {
		q += " AND updated_at <= ?"
		args = append(args, ms(notBefore))
	}
	res, err := s.w.ExecContext(ctx, s.q(q), args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// PushTarget is a device with what sending to it needs to know about its
// owner.
type PushTarget struct {
	Device
	UserLocale      string
	Timezone        string
	QuietHoursStart string
	QuietHoursEnd   string
}

const pushTargetSQL = "SELECT " + "d.id, d.user_id, d.platform, d.token, d.subscription, d.locale, d.created_at, d.updated_at" +
	", u.locale, u.timezone, u.quiet_hours_start, u.quiet_hours_end FROM devices d JOIN users u ON u.id = d.user_id"

func scanTargets(rows *sql.Rows) ([]PushTarget, error) {
	defer rows.Close()
	var out []PushTarget
	for rows.Next() {
		var t PushTarget
		d, err := scanDevice(rows, &t.UserLocale, &t.Timezone, &t.QuietHoursStart, &t.QuietHoursEnd)
		if err != nil {
			return nil, err
		}
		t.Device = d
		out = append(out, t)
	}
	return out, rows.Err()
}

// UserPushTargets lists a person's devices on the given platforms (all when
// none are given).
func (s *Store) UserPushTargets(ctx context.Context, userID string, platforms ...string) ([]PushTarget, error) {
	q := pushTargetSQL + " WHERE d.user_id = ?"
	args := []any{userID}
	if len(platforms) > 0 {
		q += " AND d.platform IN (" + placeholders(len(platforms)) + ")"
		args = append(args, anySlice(platforms)...)
	}
	rows, err := s.r.QueryContext(ctx, s.rebind(q+" ORDER BY d.id"), args...)
	if err != nil {
		return nil, err
	}
	return scanTargets(rows)
}

// PushTargets returns the devices with the given ids that still exist.
// (Membership is the caller's to check: see ProgramDevices and AudiencesOf.)
func (s *Store) PushTargets(ctx context.Context, deviceIDs []string) ([]PushTarget, error) {
	var out []PushTarget
	for _, chunk := range chunks(deviceIDs, 500) {
		rows, err := s.r.QueryContext(ctx, s.rebind(pushTargetSQL+" WHERE d.id IN ("+placeholders(len(chunk))+") ORDER BY d.id"), anySlice(chunk)...)
		if err != nil {
			return nil, err
		}
		ts, err := scanTargets(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

// DeviceRef names a device and its owner.
type DeviceRef struct{ ID, UserID string }

// ProgramDevices lists the devices of a program's members, by device id.
func (s *Store) ProgramDevices(ctx context.Context, programID string) ([]DeviceRef, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT d.id, d.user_id FROM devices d JOIN memberships m ON m.user_id = d.user_id WHERE m.program_id = ? ORDER BY d.id"), programID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DeviceRef
	for rows.Next() {
		var d DeviceRef
		if err := rows.Scan(&d.ID, &d.UserID); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Delivery outcomes.
const (
	OutcomeSent         = "sent"
	OutcomeRejected     = "rejected"
	OutcomeUnregistered = "unregistered"
	// OutcomeHeld: quiet hours; a later job sends it and records "sent".
	OutcomeHeld = "held"
)

// Delivery is what happened to one device under a push key.
type Delivery struct {
	DeviceID string
	Outcome  string
}

// Deliveries returns the outcomes recorded under key for the given devices.
func (s *Store) Deliveries(ctx context.Context, key string, deviceIDs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, chunk := range chunks(deviceIDs, 500) {
		rows, err := s.r.QueryContext(ctx, s.rebind("SELECT device_id, outcome FROM push_deliveries WHERE push_key = ? AND device_id IN ("+placeholders(len(chunk))+")"),
			append([]any{key}, anySlice(chunk)...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, outcome string
			if err := rows.Scan(&id, &outcome); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = outcome
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RecordDeliveries stores outcomes under key (a later outcome replaces
// "held") and enqueues follow-up jobs in the same transaction, so a device
// is either recorded as held and its release job exists, or neither.
func (s *Store) RecordDeliveries(ctx context.Context, key string, ds []Delivery, now time.Time, jobs ...NewJob) error {
	if len(ds) == 0 && len(jobs) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		const per = 500
		for start := 0; start < len(ds); start += per {
			part := ds[start:min(start+per, len(ds))]
			var b strings.Builder
			b.WriteString("INSERT INTO push_deliveries (push_key, device_id, outcome, at) VALUES ")
			args := make([]any, 0, 4*len(part))
			for i, d := range part {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString("(?, ?, ?, ?)")
				args = append(args, key, d.DeviceID, d.Outcome, ms(now))
			}
			b.WriteString(" ON CONFLICT (push_key, device_id) DO UPDATE SET outcome = excluded.outcome, at = excluded.at")
			if _, err := tx.ExecContext(ctx, s.rebind(b.String()), args...); err != nil {
				return err
			}
		}
		for _, j := range jobs {
			if err := enqueue(ctx, s, tx, j); err != nil {
				return err
			}
		}
		return nil
	})
}

// Announcement records that an activity's fan-out was planned.
type Announcement struct {
	ActivityID, ProgramID string
	Devices, Batches      int
	At                    time.Time
}

// StartAnnouncement records the announcement and enqueues its batch jobs in
// one transaction. It returns false, enqueueing nothing, when the activity
// was announced before.
func (s *Store) StartAnnouncement(ctx context.Context, a Announcement, jobs []NewJob) (bool, error) {
	started := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("INSERT INTO push_announcements (activity_id, program_id, devices, batches, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (activity_id) DO NOTHING"),
			a.ActivityID, a.ProgramID, a.Devices, a.Batches, ms(a.At))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		started = true
		for _, j := range jobs {
			if err := enqueue(ctx, s, tx, j); err != nil {
				return err
			}
		}
		return nil
	})
	return started, err
}

// Announced reports whether an activity's fan-out was planned.
func (s *Store) Announced(ctx context.Context, activityID string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM push_announcements WHERE activity_id = ?"), activityID).Scan(&n)
	return n > 0, err
}

// PruneDeliveries forgets delivery records older than before.
func (s *Store) PruneDeliveries(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, s.q("DELETE FROM push_deliveries WHERE at < ?"), ms(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func chunks(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > 0 {
		k := min(n, len(ids))
		out = append(out, ids[:k])
		ids = ids[k:]
	}
	return out
}
