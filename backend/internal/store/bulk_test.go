package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// The batched insert splits rows over statements (6,000 rows of five
// columns fit in one) and, as an upsert, replaces rows that are there.
func TestBatchedInsert(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		const n = 6001
		jobs := make([][]any, n)
		for i := range jobs {
			jobs[i] = []any{"bulk-test", "{}", t0.UnixMilli(), 3, t0.UnixMilli()}
		}
		must(t, st.BulkInsert(ctx, "jobs", []string{"kind", "payload", "run_at", "max_attempts", "created_at"}, jobs))
		pending, done, failed, err := st.JobCounts(ctx, "bulk-test")
		must(t, err)
		if pending != n || done != 0 || failed != 0 {
			t.Fatalf("jobs: %d pending, %d done, %d failed; want %d pending", pending, done, failed, n)
		}

		// 7,500 rows of four columns fill one statement: 7,501 take two.
		const m = 7501
		held := make([]store.Delivery, m)
		ids := make([]string, m)
		for i := range held {
			ids[i] = fmt.Sprintf("dev%05d", i)
			held[i] = store.Delivery{DeviceID: ids[i], Outcome: "held"}
		}
		must(t, st.RecordDeliveries(ctx, "key", held, t0))
		later := t0.Add(time.Minute)
		sent := []store.Delivery{{DeviceID: ids[0], Outcome: "sent"}, {DeviceID: ids[m-1], Outcome: "sent"}}
		must(t, st.RecordDeliveries(ctx, "key", sent, later))
		got, err := st.Deliveries(ctx, "key", ids)
		must(t, err)
		if len(got) != m {
			t.Fatalf("%d deliveries recorded, want %d", len(got), m)
		}
		for i, want := range map[int]store.DeliveryRecord{0: {"sent", later}, 1: {"held", t0}, m - 1: {"sent", later}} {
			if g := got[ids[i]]; g.Outcome != want.Outcome || !g.At.Equal(want.At) {
				t.Errorf("device %d: %+v, want %+v", i, g, want)
			}
		}
	})
}
