package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrations are ordered NNNN_name.sql files shared by both dialects; the
// {{…}} markers in dialect.go cover their differences. A file named
// NNNN_name.postgres.sql holds what only PostgreSQL has (triggers that
// NOTIFY): on SQLite its number is recorded as applied and nothing runs.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(d dialect) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		text := string(b)
		if strings.HasSuffix(e.Name(), ".postgres.sql") && d.name != "postgres" {
			text = ""
		}
		for k, v := range d.schema {
			text = strings.ReplaceAll(text, k, v)
		}
		out = append(out, migration{version: v, name: e.Name(), sql: text})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations(s.d)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if s.d.name == "postgres" {
			// Several instances may start at once against one database.
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7351001)"); err != nil {
				return fmt.Errorf("lock for migrations: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		applied := map[int]bool{}
		rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
		if err != nil {
			return err
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			applied[v] = true
		}
		rows.Close()
		for _, m := range ms {
			if applied[m.version] {
				continue
			}
			if m.sql != "" {
				if _, err := tx.ExecContext(ctx, m.sql); err != nil {
					return fmt.Errorf("migration %s: %w", m.name, err)
				}
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"), m.version, m.name, time.Now().UnixMilli()); err != nil {
				return err
			}
		}
		return nil
	})
}
