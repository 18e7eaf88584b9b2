// Package storetest opens fresh stores for tests: a SQLite file in a temp
// directory, and a PostgreSQL schema of its own in the test database.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// DefaultPostgres is used when CHORUS_TEST_POSTGRES is not set.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Each runs fn as a subtest on SQLite and on PostgreSQL.
func Each(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// EachTwice runs fn on SQLite and on PostgreSQL with two stores open on one
// new database, as two instances of the server would have.
func EachTwice(t *testing.T, fn func(t *testing.T, a, b *store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		fn(t, Open(t, store.Options{DataDir: dir}), Open(t, store.Options{DataDir: dir}))
	})
	t.Run("postgres", func(t *testing.T) {
		url := PostgresURL(t)
		fn(t, Open(t, store.Options{DatabaseURL: url}), Open(t, store.Options{DatabaseURL: url}))
	})
}

// Open opens a store, closed when the test ends.
func Open(t testing.TB, o store.Options) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// SQLite opens a new SQLite store in a temp directory.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, store.Options{DataDir: t.TempDir()})
}

// PostgresURL returns a URL to a new empty schema, dropped when the test
// ends. PostgreSQL is part of the project's test setup (every machine of its
// kind runs one), so a server that cannot be reached fails the test rather
// than skipping half of the conformance suite unseen.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("CHORUS_TEST_POSTGRES")
	if base == "" {
		base = DefaultPostgres
	}
	db, err := sql.Open("pgx", base)
	if err == nil {
		err = db.PingContext(context.Background())
	}
	if err != nil {
		t.Fatalf("PostgreSQL is needed at %s (set CHORUS_TEST_POSTGRES to another server): %v", base, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres opens a store on a new schema.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, store.Options{DatabaseURL: PostgresURL(t)})
}
