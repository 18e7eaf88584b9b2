package store

import (
	"database/sql"
	"errors"
	"testing"
)

func TestWrapNamesOnce(t *testing.T) {
	if wrap("Outer", nil) != nil {
		t.Fatal("nil must stay nil")
	}
	err := wrap("Outer", wrap("Inner", sql.ErrNoRows))
	if err.Error() != "store: Inner: "+sql.ErrNoRows.Error() || !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("got %v", err)
	}
}
