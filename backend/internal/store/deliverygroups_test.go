package store_test

import (
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// Groups of outcomes recorded in one transaction land as if recorded one
// after the other: per key, later groups replacing earlier ones (also for
// a device in two groups of one commit, which PostgreSQL would refuse in a
// single upsert), deferrals stored at their time.
func TestRecordDeliveryGroups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		later, retry := t0.Add(time.Second), t0.Add(time.Hour)
		must(t, st.RecordDeliveryGroups(ctx, nil))
		must(t, st.RecordDeliveryGroups(ctx, []store.DeliveryGroup{{Key: "empty", Now: t0}}))
		must(t, st.RecordDeliveryGroups(ctx, []store.DeliveryGroup{
			{Key: "act:a", Now: t0, Deliveries: []store.Delivery{{DeviceID: "d1", Outcome: store.OutcomeSent}, {DeviceID: "d2", Outcome: store.OutcomeHeld}}},
			{Key: "act:b", Now: t0, Deliveries: []store.Delivery{{DeviceID: "d1", Outcome: store.OutcomeRejected}}},
			{Key: "act:a", Now: later, Deliveries: []store.Delivery{{DeviceID: "d2", Outcome: store.OutcomeSent}, {DeviceID: "d3", Outcome: store.OutcomeDeferred, NotBefore: retry}}},
		}))
		a, err := st.Deliveries(ctx, "act:a", []string{"d1", "d2", "d3", "d4"})
		must(t, err)
		want := map[string]store.DeliveryRecord{"d1": {store.OutcomeSent, t0}, "d2": {store.OutcomeSent, later}, "d3": {store.OutcomeDeferred, retry}}
		if len(a) != len(want) {
			t.Fatalf("act:a: %v, want %v", a, want)
		}
		for id, w := range want {
			if g := a[id]; g.Outcome != w.Outcome || !g.At.Equal(w.At) {
				t.Errorf("act:a %s: %+v, want %+v", id, g, w)
			}
		}
		b, err := st.Deliveries(ctx, "act:b", []string{"d1", "d2"})
		must(t, err)
		if len(b) != 1 || b["d1"].Outcome != store.OutcomeRejected {
			t.Errorf("act:b: %v, want d1 rejected only", b)
		}
		if e, err := st.Deliveries(ctx, "empty", []string{"d1"}); err != nil || len(e) != 0 {
			t.Errorf("empty group: %v, %v", e, err)
		}
	})
}
