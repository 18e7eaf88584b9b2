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

// SQLite opens a new SQLite store in a temp directory.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// PostgresURL returns a URL to a new empty schema, dropped when the test
// ends. Without a reachable server the test is skipped, unless
// CHORUS_REQUIRE_POSTGRES=1 (CI), where it fails.
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
		if os.Getenv("CHORUS_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL is required (CHORUS_REQUIRE_POSTGRES=1) but %s is not reachable: %v", base, err)
		}
		t.Skipf("PostgreSQL not reachable at %s (%v); CI sets CHORUS_REQUIRE_POSTGRES=1 so this fails there", base, err)
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
	st, err := store.Open(context.Background(), store.Options{DatabaseURL: PostgresURL(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
