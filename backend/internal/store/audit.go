package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// AuditEntry is one manager action: who did what to which object, when.
type AuditEntry struct {
	ID         int64
	ProgramID  string
	At         time.Time
	ActorID    string
	ActorName  string
	Action     string // e.g. activity.create, member.role
	ObjectKind string
	ObjectID   string
	Detail     string
	// Args are the entry's facts by name (an email, a role, counts), for
	// clients to word the entry in their language; Detail says it in
	// English.
	Args    map[string]string
	written bool
}

// MaxAuditDetail bounds an entry's detail text.
const MaxAuditDetail = 500

type auditKey struct{}

// WithAudit attaches an entry to ctx: the next write transaction run with
// ctx that commits records it, in that transaction, so the log and the
// change it describes are saved together or not at all. The caller may fill
// ObjectID and Detail until then.
func WithAudit(ctx context.Context, e *AuditEntry) context.Context {
	return context.WithValue(ctx, auditKey{}, e)
}

// AuditPending returns ctx's entry if no transaction has recorded it yet.
func AuditPending(ctx context.Context) *AuditEntry {
	e, _ := ctx.Value(auditKey{}).(*AuditEntry)
	if e == nil || e.written {
		return nil
	}
	return e
}

// writeAudit inserts ctx's pending entry inside tx; committed reports
// back through the returned func so the entry is marked only once saved.
func writeAudit(ctx context.Context, s *Store, tx *sql.Tx) (committed func(), err error) {
	e := AuditPending(ctx)
	if e == nil {
		return func() {}, nil
	}
	if err := insertAudit(ctx, s, tx, e); err != nil {
		return nil, err
	}
	return func() { e.written = true }, nil
}

func insertAudit(ctx context.Context, s *Store, q querier, e *AuditEntry) error {
	detail := e.Detail
	if r := []rune(detail); len(r) > MaxAuditDetail {
		detail = string(r[:MaxAuditDetail-1]) + "…"
	}
	args := ""
	if len(e.Args) > 0 {
		bounded := make(map[string]string, len(e.Args))
		for k, v := range e.Args {
			if r := []rune(v); len(r) > MaxAuditDetail {
				v = string(r[:MaxAuditDetail-1]) + "…"
			}
			bounded[k] = v
		}
		b, err := json.Marshal(bounded)
		if err != nil {
			return err
		}
		args = string(b)
	}
	_, err := q.ExecContext(ctx, s.q("INSERT INTO audit_log (program_id, at, actor_id, actor_name, action, object_kind, object_id, detail, args) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
		e.ProgramID, ms(e.At), e.ActorID, e.ActorName, e.Action, e.ObjectKind, e.ObjectID, detail, args)
	return err
}

// RecordAudit saves ctx's entry on its own when the change it describes
// was not written through a transaction that could carry it.
func (s *Store) RecordAudit(ctx context.Context) error {
	e := AuditPending(ctx)
	if e == nil {
		return nil
	}
	if err := insertAudit(ctx, s, s.w, e); err != nil {
		return wrap("RecordAudit", err)
	}
	e.written = true
	return nil
}

// AuditLog lists a program's entries newest first, those before id
// beforeID (0: from the newest), at most limit.
func (s *Store) AuditLog(ctx context.Context, programID string, beforeID int64, limit int) ([]AuditEntry, error) {
	query := "SELECT id, at, actor_id, actor_name, action, object_kind, object_id, detail, args FROM audit_log WHERE program_id = ?"
	args := []any{programID}
	if beforeID > 0 {
		query += " AND id < ?"
		args = append(args, beforeID)
	}
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, s.q(query+" ORDER BY id DESC LIMIT ?"), args...)
	if err != nil {
		return nil, wrap("AuditLog", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		e := AuditEntry{ProgramID: programID, written: true}
		var at int64
		var args string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.ObjectKind, &e.ObjectID, &e.Detail, &args); err != nil {
			return nil, wrap("AuditLog", err)
		}
		if args != "" {
			if err := json.Unmarshal([]byte(args), &e.Args); err != nil {
				return nil, wrap("AuditLog", err)
			}
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, wrap("AuditLog", rows.Err())
}

// Cancel drops an entry not yet recorded: the request changed nothing.
func (e *AuditEntry) Cancel() { e.written = true }

// execOne runs one write statement. When ctx carries an audit entry, the
// statement and the entry share a transaction (a change and its entry are
// saved together or not at all). With what set, the statement must change
// a row, else what is not found (and nothing is recorded).
func (s *Store) execOne(ctx context.Context, what, query string, args ...any) error {
	check := func(res sql.Result, err error) error {
		if err != nil || what == "" {
			return err // the caller's translation (a name taken) sees the driver's error
		}
		return mustAffect(res, nil, what)
	}
	if AuditPending(ctx) == nil {
		return check(s.w.ExecContext(ctx, s.q(query), args...))
	}
	return s.tx(ctx, func(tx *sql.Tx) error { return check(tx.ExecContext(ctx, s.q(query), args...)) })
}
