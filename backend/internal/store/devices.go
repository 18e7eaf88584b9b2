package store

import (
	"context"
	"database/sql"
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

// DeviceLimit is how many push registrations one person keeps: plenty for
// every phone, tablet and browser someone uses, while one member cannot
// make a fan-out send to thousands of endpoints of their choosing.
const DeviceLimit = 20

// SaveDevice registers a device, or refreshes the registration of the same
// (platform, token): its owner, subscription keys and locale follow the
// latest registration and its id stays. It returns the stored device.
//
// With limit > 0 the owner keeps at most limit devices: when the
// registration takes them beyond it, their least recently updated other
// devices are removed (the oldest phones and browsers, most likely long
// gone) rather than the registration refused, so a member is never stuck
// without pushes on the device in hand. Refreshing a registered token is an
// update, not one more device. The count and the removal happen in the
// registration's transaction, with the owner's row locked on PostgreSQL
// (SQLite has one writer), so concurrent registrations cannot exceed the
// limit. limit <= 0: no limit (seeding, tests).
func (s *Store) SaveDevice(ctx context.Context, d Device, limit int) (Device, error) {
	var out Device
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if limit > 0 && s.d.name == "postgres" {
			// Serializes this person's registrations; NO KEY UPDATE leaves
			// other rows' foreign-key checks against the user unblocked.
			if _, err := tx.ExecContext(ctx, s.q("SELECT id FROM users WHERE id = ? FOR NO KEY UPDATE"), d.UserID); err != nil {
				return err
			}
		}
		row := tx.QueryRowContext(ctx, s.q(`INSERT INTO devices (`+deviceCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (platform, token) DO UPDATE SET user_id = excluded.user_id, subscription = excluded.subscription,
				locale = excluded.locale, updated_at = excluded.updated_at
			RETURNING `+deviceCols),
			d.ID, d.UserID, d.Platform, d.Token, d.Subscription, d.Locale, ms(d.CreatedAt), ms(d.UpdatedAt))
		var err error
		if out, err = scanDevice(row); err != nil {
			return translate(err, "device")
		}
		if limit <= 0 {
			return nil
		}
		return evictDevices(ctx, s, tx, out.UserID, out.ID, limit)
	})
	return out, wrap("SaveDevice", err)
}

// evictDevices removes a person's least recently updated devices other
// than keep until they have at most limit.
func evictDevices(ctx context.Context, s *Store, tx *sql.Tx, userID, keep string, limit int) error {
	rows, err := tx.QueryContext(ctx, s.q("SELECT id FROM devices WHERE user_id = ? AND id <> ? ORDER BY updated_at DESC, created_at DESC, id DESC"), userID, keep)
	if err != nil {
		return err
	}
	var others []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		others = append(others, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(others) < limit {
		return nil
	}
	evict := others[limit-1:]
	for _, chunk := range chunks(evict, 500) {
		if _, err := tx.ExecContext(ctx, s.rebind("DELETE FROM devices WHERE id IN ("+placeholders(len(chunk))+")"), anySlice(chunk)...); err != nil {
			return err
		}
	}
	return nil
}

// Devices lists a person's registrations, oldest first.
func (s *Store) Devices(ctx context.Context, userID string) ([]Device, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT "+deviceCols+" FROM devices WHERE user_id = ? ORDER BY created_at, id"), userID)
	if err != nil {
		return nil, wrap("Devices", err)
	}
	defer rows.Close()
	out := []Device{}
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, wrap("Devices", err)
		}
		out = append(out, d)
	}
	return out, wrap("Devices", rows.Err())
}

// DeleteDevice removes one of a person's registrations; another person's
// device is not found.
func (s *Store) DeleteDevice(ctx context.Context, userID, id string) error {
	res, err := s.w.ExecContext(ctx, s.q("DELETE FROM devices WHERE id = ? AND user_id = ?"), id, userID)
	return wrap("DeleteDevice", mustAffect(res, err, "device"))
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
		return false, wrap("DeleteDeadDevice", err)
	}
	n, err := res.RowsAffected()
	return n > 0, wrap("DeleteDeadDevice", err)
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
		return nil, wrap("UserPushTargets", err)
	}
	v, err := scanTargets(rows)
	return v, wrap("UserPushTargets", err)
}

// PushTargets returns the devices with the given ids that still exist.
// (Membership is the caller's to check: see ProgramDevices and AudiencesOf.)
func (s *Store) PushTargets(ctx context.Context, deviceIDs []string) ([]PushTarget, error) {
	var out []PushTarget
	for _, chunk := range chunks(deviceIDs, 500) {
		rows, err := s.r.QueryContext(ctx, s.rebind(pushTargetSQL+" WHERE d.id IN ("+placeholders(len(chunk))+") ORDER BY d.id"), anySlice(chunk)...)
		if err != nil {
			return nil, wrap("PushTargets", err)
		}
		ts, err := scanTargets(rows)
		if err != nil {
			return nil, wrap("PushTargets", err)
		}
		out = append(out, ts...)
	}
	return out, nil
}

// DeviceRef names a device and its owner.
type DeviceRef struct{ ID, UserID string }

// ProgramDevices lists the devices of a program's members, by device id:
// not of people merely invited, who have not said yes to the program, nor
// of those who turned new-activity pushes off.
func (s *Store) ProgramDevices(ctx context.Context, programID string) ([]DeviceRef, error) {
	var out []DeviceRef
	err := s.EachProgramDevice(ctx, programID, func(d DeviceRef) error {
		out = append(out, d)
		return nil
	})
	return out, err
}

// EachProgramDevice calls fn for each device ProgramDevices lists, in the
// same order, without holding them all: a fan-out plans 100,000 of them.
// An error from fn stops the walk and is returned as it is.
func (s *Store) EachProgramDevice(ctx context.Context, programID string, fn func(DeviceRef) error) error {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT d.id, d.user_id FROM devices d JOIN memberships m ON m.user_id = d.user_id JOIN users u ON u.id = d.user_id WHERE m.program_id = ? AND NOT m.pending AND u.notify_push ORDER BY d.id"), programID)
	if err != nil {
		return wrap("EachProgramDevice", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d DeviceRef
		if err := rows.Scan(&d.ID, &d.UserID); err != nil {
			return wrap("EachProgramDevice", err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return wrap("EachProgramDevice", rows.Err())
}

// Delivery outcomes.
const (
	OutcomeSent         = "sent"
	OutcomeRejected     = "rejected"
	OutcomeUnregistered = "unregistered"
	// OutcomeHeld: quiet hours; a later job sends it and records "sent".
	OutcomeHeld = "held"
	// OutcomeDeferred: the push service asked to wait before sending to
	// this device again (429, Retry-After); the row's time is when it may
	// be sent (Delivery.NotBefore), and the job runs again then.
	OutcomeDeferred = "deferred"
)

// Delivery is what happened to one device under a push key.
type Delivery struct {
	DeviceID string
	Outcome  string
	// NotBefore is when a deferred device may be sent to; it is stored as
	// the row's time instead of the time of recording.
	NotBefore time.Time
}

// DeliveryRecord is a recorded outcome: At is when it was recorded, or for
// OutcomeDeferred when the device may be sent to.
type DeliveryRecord struct {
	Outcome string
	At      time.Time
}

// Deliveries returns the outcomes recorded under key for the given devices.
func (s *Store) Deliveries(ctx context.Context, key string, deviceIDs []string) (map[string]DeliveryRecord, error) {
	out := map[string]DeliveryRecord{}
	for _, chunk := range chunks(deviceIDs, 500) {
		rows, err := s.r.QueryContext(ctx, s.rebind("SELECT device_id, outcome, at FROM push_deliveries WHERE push_key = ? AND device_id IN ("+placeholders(len(chunk))+")"),
			append([]any{key}, anySlice(chunk)...)...)
		if err != nil {
			return nil, wrap("Deliveries", err)
		}
		for rows.Next() {
			var id, outcome string
			var at int64
			if err := rows.Scan(&id, &outcome, &at); err != nil {
				rows.Close()
				return nil, wrap("Deliveries", err)
			}
			out[id] = DeliveryRecord{Outcome: outcome, At: fromMS(at)}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrap("Deliveries", err)
		}
	}
	return out, nil
}

// RecordDeliveries stores outcomes under key (a later outcome replaces
// "held" or "deferred") and enqueues follow-up jobs in the same transaction, so a device
// is either recorded as held and its release job exists, or neither.
func (s *Store) RecordDeliveries(ctx context.Context, key string, ds []Delivery, now time.Time, jobs ...NewJob) error {
	if len(ds) == 0 && len(jobs) == 0 {
		return nil
	}
	return wrap("RecordDeliveries", s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.upsertDeliveries(ctx, tx, key, ds, now); err != nil {
			return err
		}
		for _, j := range jobs {
			if err := enqueue(ctx, s, tx, j); err != nil {
				return err
			}
		}
		return nil
	}))
}

// DeliveryGroup is outcomes recorded under one key at one time.
type DeliveryGroup struct {
	Key        string
	Deliveries []Delivery
	Now        time.Time
}

// RecordDeliveryGroups stores several groups of outcomes, as
// RecordDeliveries each, in one transaction: the fan-out's concurrent
// batches share a commit instead of paying one each.
func (s *Store) RecordDeliveryGroups(ctx context.Context, groups []DeliveryGroup) error {
	n := 0
	for _, g := range groups {
		n += len(g.Deliveries)
	}
	if n == 0 {
		return nil
	}
	return wrap("RecordDeliveryGroups", s.tx(ctx, func(tx *sql.Tx) error {
		for _, g := range groups {
			// One statement per group: a device may be in two groups
			// under the same key, which PostgreSQL refuses in one upsert.
			if err := s.upsertDeliveries(ctx, tx, g.Key, g.Deliveries, g.Now); err != nil {
				return err
			}
		}
		return nil
	}))
}

func (s *Store) upsertDeliveries(ctx context.Context, tx *sql.Tx, key string, ds []Delivery, now time.Time) error {
	rows := make([][]any, len(ds))
	for i, d := range ds {
		at := now
		if !d.NotBefore.IsZero() {
			at = d.NotBefore
		}
		rows[i] = []any{key, d.DeviceID, d.Outcome, ms(at)}
	}
	return upsertMany(ctx, s, tx, "push_deliveries", []string{"push_key", "device_id", "outcome", "at"}, rows,
		"ON CONFLICT (push_key, device_id) DO UPDATE SET outcome = excluded.outcome, at = excluded.at")
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
	return started, wrap("StartAnnouncement", err)
}

// Announced reports whether an activity's fan-out was planned.
func (s *Store) Announced(ctx context.Context, activityID string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM push_announcements WHERE activity_id = ?"), activityID).Scan(&n)
	return n > 0, wrap("Announced", err)
}

// PruneDeliveries forgets delivery records older than before.
func (s *Store) PruneDeliveries(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, s.q("DELETE FROM push_deliveries WHERE at < ?"), ms(before))
	if err != nil {
		return 0, wrap("PruneDeliveries", err)
	}
	v, err := res.RowsAffected()
	return v, wrap("PruneDeliveries", err)
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
