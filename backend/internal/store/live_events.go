package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// LiveEvent is an event for open apps. UserID set: for that person;
// ProgramID set: for every member of the program.
type LiveEvent struct {
	ID        int64
	UserID    string
	ProgramID string
	Kind      string
	Data      string // JSON object
	At        time.Time
}

// liveEventsLock serializes event inserts on PostgreSQL so ids become
// visible in id order: a reader that has seen id n never later finds a
// smaller id appear, which is what resuming "after n" relies on. (SQLite has
// one writer, so there it holds anyway.)
const liveEventsLock = 7351002

// AddLiveEvents stores events in one transaction. On PostgreSQL the
// transaction also notifies the other instances (LISTEN/NOTIFY), at commit.
func (s *Store) AddLiveEvents(ctx context.Context, evs []LiveEvent) error {
	if len(evs) == 0 {
		return nil
	}
	channel := ""
	if s.d.name == "postgres" {
		var err error
		if channel, err = s.channel(ctx, "chorus_events_"); err != nil {
			return wrap("AddLiveEvents", err)
		}
	}
	return wrap("AddLiveEvents", s.tx(ctx, func(tx *sql.Tx) error {
		if channel != "" {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", liveEventsLock); err != nil {
				return err
			}
		}
		rows := make([][]any, len(evs))
		for i, e := range evs {
			rows[i] = []any{e.UserID, e.ProgramID, e.Kind, e.Data, ms(e.At)}
		}
		if err := insertMany(ctx, s, tx, "live_events", []string{"user_id", "program_id", "kind", "data", "created_at"}, rows); err != nil {
			return err
		}
		if channel != "" {
			if _, err := tx.ExecContext(ctx, "SELECT pg_notify($1, '')", channel); err != nil {
				return err
			}
		}
		return nil
	}))
}

const liveEventCols = "id, user_id, program_id, kind, data, created_at"

func scanLiveEvents(rows *sql.Rows) ([]LiveEvent, error) {
	defer rows.Close()
	var out []LiveEvent
	for rows.Next() {
		var e LiveEvent
		var at int64
		if err := rows.Scan(&e.ID, &e.UserID, &e.ProgramID, &e.Kind, &e.Data, &at); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// LiveEventsAfter returns up to limit events with id > after, in id order.
func (s *Store) LiveEventsAfter(ctx context.Context, after int64, limit int) ([]LiveEvent, error) {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT "+liveEventCols+" FROM live_events WHERE id > ? ORDER BY id LIMIT ?"), after, limit)
	if err != nil {
		return nil, wrap("LiveEventsAfter", err)
	}
	v, err := scanLiveEvents(rows)
	return v, wrap("LiveEventsAfter", err)
}

// UserLiveEvents returns up to limit of a person's events (their own and
// their programs') with after < id <= upTo, in id order.
func (s *Store) UserLiveEvents(ctx context.Context, userID string, programIDs []string, after, upTo int64, limit int) ([]LiveEvent, error) {
	q := "SELECT " + liveEventCols + " FROM live_events WHERE id > ? AND id <= ? AND (user_id = ?"
	args := []any{after, upTo, userID}
	if len(programIDs) > 0 {
		q += " OR program_id IN (" + placeholders(len(programIDs)) + ")"
		args = append(args, anySlice(programIDs)...)
	}
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, s.rebind(q+") ORDER BY id LIMIT ?"), args...)
	if err != nil {
		return nil, wrap("UserLiveEvents", err)
	}
	v, err := scanLiveEvents(rows)
	return v, wrap("UserLiveEvents", err)
}

// LiveEventBounds returns the smallest and largest stored event ids (0, 0
// when there are none).
func (s *Store) LiveEventBounds(ctx context.Context) (lo, hi int64, err error) {
	var a, b sql.NullInt64
	err = s.r.QueryRowContext(ctx, "SELECT MIN(id), MAX(id) FROM live_events").Scan(&a, &b)
	return a.Int64, b.Int64, wrap("LiveEventBounds", err)
}

// PruneLiveEvents deletes events older than before.
func (s *Store) PruneLiveEvents(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, s.q("DELETE FROM live_events WHERE created_at < ?"), ms(before))
	if err != nil {
		return 0, wrap("PruneLiveEvents", err)
	}
	v, err := res.RowsAffected()
	return v, wrap("PruneLiveEvents", err)
}

// ErrNoListen is returned by ListenLiveEvents on SQLite, where every writer
// is in this process and tells its readers itself.
var ErrNoListen = errors.New("LISTEN needs PostgreSQL")

// ListenLiveEvents holds one connection LISTENing for events stored by any
// instance: ready is called once listening, then notified after each
// notification. It returns when ctx ends or the connection fails; the caller
// reconnects (and should read what it may have missed).
func (s *Store) ListenLiveEvents(ctx context.Context, ready, notified func()) error {
	if s.d.name != "postgres" {
		return wrap("ListenLiveEvents", ErrNoListen)
	}
	return wrap("ListenLiveEvents", s.listen(ctx, "chorus_events_", ready, func(string) { notified() }))
}

// errListenerGone ends a listening connection that stopped answering.
var errListenerGone = errors.New("store: the listening connection stopped answering")

// listen holds one connection LISTENing on this schema's channel named
// prefix: ready is called once listening, then heard with each
// notification's payload. A connection quiet for listenCheck is checked
// with a query, so one that died without a word is found. It returns when
// ctx ends or the connection fails.
func (s *Store) listen(ctx context.Context, prefix string, ready func(), heard func(payload string)) error {
	channel, err := s.channel(ctx, prefix)
	if err != nil {
		return err
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("store: not a pgx connection")
		}
		pc := sc.Conn()
		// Named, so an operator (or a test) can tell it in pg_stat_activity.
		name := "SET application_name = " + "'chorus: " + strings.ReplaceAll(channel, "'", "''") + "'"
		if _, err := pc.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()+"; "+name); err != nil {
			return errors.Join(err, driver.ErrBadConn)
		}
		ready()
		for {
			wctx, cancel := context.WithTimeout(ctx, listenCheck)
			n, err := pc.WaitForNotification(wctx)
			cancel()
			switch {
			case err == nil:
				heard(n.Payload)
				continue
			case ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) && !pc.IsClosed():
				cctx, cancel := context.WithTimeout(ctx, listenCheck)
				_, err = pc.Exec(cctx, "SELECT 1")
				cancel()
				if err == nil {
					continue
				}
				err = errors.Join(errListenerGone, err)
			}
			// A listening connection must not go back to the pool.
			return errors.Join(err, driver.ErrBadConn)
		}
	})
}

var channels sync.Map // channelKey -> channel name

type channelKey struct {
	s      *Store
	prefix string
}

// channel is a NOTIFY channel: one per schema, so databases shared by
// several deployments (or test schemas) do not hear each other. The
// triggers of migration 0019 name chorus_changes_ the same way.
func (s *Store) channel(ctx context.Context, prefix string) (string, error) {
	k := channelKey{s, prefix}
	if v, ok := channels.Load(k); ok {
		return v.(string), nil
	}
	var schema string
	if err := s.r.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return "", err
	}
	name := prefix + schema
	if len(name) > 63 {
		name = name[:63]
	}
	channels.Store(k, name)
	return name, nil
}
