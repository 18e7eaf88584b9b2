package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// A store error names the operation that failed and still matches its
// sentinel or domain code, on both databases.
func TestErrorsNameTheOperation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		_, err := st.Group(ctx, "prg_none", "grp_none")
		if !domain.HasCode(err, domain.CodeNotFound) || !strings.HasPrefix(err.Error(), "store: Group: ") {
			t.Fatalf("missing group: %v", err)
		}

		gone, cancel := context.WithCancel(ctx)
		cancel()
		_, err = st.Memberships(gone, "usr_none")
		if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "store: Memberships: ") {
			t.Fatalf("cancelled read: %v", err)
		}

	})
}

func TestNoListenOnSQLite(t *testing.T) {
	err := storetest.SQLite(t).ListenLiveEvents(ctx, func() {}, func() {})
	if !errors.Is(err, store.ErrNoListen) || err.Error() != "store: ListenLiveEvents: LISTEN needs PostgreSQL" {
		t.Fatalf("got %v", err)
	}
}
