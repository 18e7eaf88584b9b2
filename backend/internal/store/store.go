// Package store keeps Chorus's data in SQLite (the default, embedded) or
// PostgreSQL. One implementation serves both: queries are written once with
// `?` placeholders and the few dialect differences live in dialect.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// Store is the database. Safe for concurrent use.
type Store struct {
	d dialect
	// w takes writes; on SQLite it is a single connection, because SQLite
	// has one writer anyway and queueing in Go beats spinning on busy locks.
	w *sql.DB
	// r takes reads; on PostgreSQL it is the same pool as w.
	r *sql.DB

	rebound sync.Map // query text -> dialect text
	stmts   sync.Map // query text -> *sql.Stmt on r, for the hot reads

	performs performWriter // group commit of performs (perform_batch.go)
	ckpt     *checkpointer // SQLite only (checkpoint.go)

	changesOnce    sync.Once
	ch             *Changes // changes.go
	pendingTouches sync.Map // *sql.Tx -> *touches, counted at commit
}

// Options says which database to open.
type Options struct {
	DataDir     string // SQLite file chorus.db inside, when DatabaseURL is empty
	DatabaseURL string // postgres://…
}

// Open opens and migrates the database.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.DatabaseURL != "" {
		v, err := OpenPostgres(ctx, o.DatabaseURL)
		return v, wrap("Open", err)
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, wrap("Open", fmt.Errorf("create data directory: %w", err))
	}
	v, err := OpenSQLite(ctx, filepath.Join(o.DataDir, "chorus.db"))
	return v, wrap("Open", err)
}

// OpenSQLite opens (creating if needed) and migrates a SQLite database file.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	// synchronous(FULL): an acknowledged write (a perform, a point) survives
	// power loss, not only a process crash.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	// The writer's cache (64 MB) holds the hot indexes of performs, the
	// ledger and the totals between group commits; its savepoints (one per
	// perform in a group commit) journal in memory, not in a temporary file.
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate&_pragma=cache_size(-64000)&_pragma=temp_store(2)"+
		fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", walAutocheckpoint))
	if err != nil {
		return nil, wrap("OpenSQLite", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	// Readers keep a page cache and no memory map: every commit invalidated
	// the map, and remapping it cost the readers 40% of the CPU under
	// performs (page faults), more than the reads it saved.
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)&_pragma=cache_size(-32000)")
	if err != nil {
		w.Close()
		return nil, wrap("OpenSQLite", err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s := &Store{d: sqliteDialect, w: w, r: r}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, wrap("OpenSQLite", err)
	}
	if s.ckpt, err = startCheckpointer(path, pragmas); err != nil {
		s.Close()
		return nil, wrap("OpenSQLite", err)
	}
	return s, nil
}

// OpenPostgres connects to and migrates a PostgreSQL database.
func OpenPostgres(ctx context.Context, url string) (*Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, wrap("OpenPostgres", err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, wrap("OpenPostgres", fmt.Errorf("connect to PostgreSQL: %w", err))
	}
	s := &Store{d: postgresDialect, w: db, r: db}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, wrap("OpenPostgres", err)
	}
	return s, nil
}

// Close closes the connections.
func (s *Store) Close() error {
	s.Changes().close()
	s.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	err := s.ckpt.close()
	err = errors.Join(err, s.w.Close())
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return wrap("Close", err)
}

// Dialect names the database kind: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return wrap("Ping", s.hotRow(ctx, "SELECT 1").Scan(&one))
}

// q rewrites a query written with ? placeholders for the dialect; queries
// are constants, so their rewrites are cached.
func (s *Store) q(query string) string {
	if !s.d.dollar {
		return query
	}
	if v, ok := s.rebound.Load(query); ok {
		return v.(string)
	}
	out := s.rebind(query)
	s.rebound.Store(query, out)
	return out
}

// hot runs a read query through a statement prepared once: the queries every
// request makes (session, membership, feed) would otherwise be parsed anew
// each time.
func (s *Store) hot(query string) (*sql.Stmt, error) {
	if v, ok := s.stmts.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := s.r.Prepare(s.q(query))
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

func (s *Store) hotRow(ctx context.Context, query string, args ...any) rowScanner {
	st, err := s.hot(query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

type rowScanner interface{ Scan(...any) error }

type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tx runs fn in a write transaction.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		s.afterCommit(tx, false)
		return err
	}
	audited, err := writeAudit(ctx, s, tx)
	if err != nil {
		_ = tx.Rollback()
		s.afterCommit(tx, false)
		return fmt.Errorf("audit log: %w", err)
	}
	err = tx.Commit()
	// A failed commit may still have committed (the answer was lost):
	// counting a change that did not happen only costs a cache a read.
	s.afterCommit(tx, true)
	if err != nil {
		return fmt.Errorf("commit: %w", translate(err, "record"))
	}
	audited()
	return nil
}

// translate turns driver errors into domain errors at the store's edge.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return domain.NotFound(what)
	}
	if isUniqueViolation(err) {
		return domain.Errorf(domain.CodeConflict, "%s already exists", what)
	}
	return err
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// nullMS stores a zero time as NULL.
func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// maxInList is the most ids one IN (…) list binds: well under SQLite's
// 32,766 bound parameters (PostgreSQL allows 65,535), with room for the
// query's other arguments. Longer lists are queried in chunks (see chunks).
const maxInList = 10000

// placeholders returns "?,?,?" for n arguments.
func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Optimize brings the database to where one that has been running a while
// would be after a large import: the planner's statistics and, on
// PostgreSQL, the visibility map that lets index-only scans skip the table
// (VACUUM ANALYZE; PRAGMA optimize on SQLite), and the import's pages
// written to the data files (a checkpoint), so the writes that follow do not
// pay for it. PostgreSQL's autovacuum and checkpointer do the same in time.
func (s *Store) Optimize(ctx context.Context) error {
	steps := []string{"PRAGMA optimize", "PRAGMA wal_checkpoint(TRUNCATE)"}
	if s.d.name == "postgres" {
		steps = []string{"VACUUM ANALYZE", "CHECKPOINT"}
	}
	for _, q := range steps {
		_, err := s.w.ExecContext(ctx, q)
		var pe *pgconn.PgError
		if q == "CHECKPOINT" && errors.As(err, &pe) && pe.Code == "42501" {
			// Only superusers and pg_checkpoint may; the checkpointer
			// will get there on its own.
			err = nil
		}
		if err != nil {
			return wrap("Optimize", err)
		}
	}
	return nil
}
