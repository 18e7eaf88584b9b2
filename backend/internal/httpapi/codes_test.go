package httpapi

import (
	"net/http"
	"slices"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Every error code the API may answer has its own status in the one
// table, and the table knows no code outside backend/wire: a code added on
// one side only fails here, not in a client that falls back to 500.
func TestEveryCodeHasAStatus(t *testing.T) {
	for _, code := range wire.Codes() {
		st, ok := statusOf[code]
		if !ok {
			t.Errorf("%s has no HTTP status in statusOf", code)
			continue
		}
		if st < 400 || st > 599 || http.StatusText(st) == "" {
			t.Errorf("%s maps to %d, not an error status", code, st)
		}
		if StatusOf(code) != st {
			t.Errorf("StatusOf(%s) = %d, table says %d", code, StatusOf(code), st)
		}
	}
	for code := range statusOf {
		if !slices.Contains(wire.Codes(), code) {
			t.Errorf("statusOf has %q, which backend/wire does not declare", code)
		}
	}
	if StatusOf("no_such_code") != http.StatusInternalServerError {
		t.Error("an unknown code must answer 500")
	}
}
