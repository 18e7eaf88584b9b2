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
	// Both databases cap bound parameters (SQLite 32766, PostgreSQL 65535).
	per := max(1, 30000/len(cols))
	return wrap("BulkInsert", s.tx(ctx, func(tx *sql.Tx) error {
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
			if _, err := tx.ExecContext(ctx, s.rebind(b.String()), args...); err != nil {
				return err
			}
		}
		return nil
	}))
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
