package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// BulkInsert inserts many rows into table in one transaction, many rows per
// statement. It is for seeding large fixtures (benchmarks, imports): it skips
// the per-row rules of the other methods, so callers bring valid rows.
func (s *Store) BulkInsert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	return wrap("BulkInsert", s.tx(ctx, func(tx *sql.Tx) error {
		return insertMany(ctx, s, tx, table, cols, rows)
	}))
}

// insertMany inserts rows into table inside tx, many rows per statement:
// one round trip per few thousand rows instead of one per row.
func insertMany(ctx context.Context, s *Store, tx *sql.Tx, table string, cols []string, rows [][]any) error {
	return upsertMany(ctx, s, tx, table, cols, rows, "")
}

// upsertMany is insertMany with onConflict ("ON CONFLICT (…) DO …", the same
// words on both databases) ending every statement.
func upsertMany(ctx context.Context, s *Store, tx *sql.Tx, table string, cols []string, rows [][]any, onConflict string) error {
	if len(rows) == 0 {
		return nil
	}
	// Both databases cap bound parameters (SQLite 32766, PostgreSQL 65535).
	per := max(1, 30000/len(cols))
	one := "(" + placeholders(len(cols)) + ")"
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, (end-start)*len(cols))
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			b.WriteString(one)
			args = append(args, rows[i]...)
		}
		if onConflict != "" {
			b.WriteString(" " + onConflict)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(b.String()), args...); err != nil {
			return err
		}
	}
	return nil
}

// rebind is q without the cache: bulk statements are all different.
func (s *Store) rebind(query string) string {
	if !s.d.dollar {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$")
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// BulkDelete removes a fixture's rows where col = value.
func (s *Store) BulkDelete(ctx context.Context, table, col string, value any) error {
	_, err := s.w.ExecContext(ctx, s.rebind("DELETE FROM "+table+" WHERE "+col+" = ?"), value)
	return wrap("BulkDelete", err)
}
