package store_test

import (
	"fmt"
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

// A fan-out batch's devices are found in chunks, whether they lie together
// or not, out of order, repeated or deleted, with their owners' settings.
func TestPushTargets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a, b := user("a@x.test"), user("b@x.test")
		b.Timezone, b.Locale = "Asia/Shanghai", "zh-Hans"
		must(t, st.CreateUser(ctx, a))
		must(t, st.CreateUser(ctx, b))
		const n = 1300
		rows := make([][]any, n)
		for i := range rows {
			owner := a.ID
			if i%2 == 1 {
				owner = b.ID
			}
			rows[i] = []any{fmt.Sprintf("dev_%05d", i), owner, "fcm", fmt.Sprintf("tok-%05d", i), "", "", t0.UnixMilli(), t0.UnixMilli()}
		}
		must(t, st.BulkInsert(ctx, "devices", []string{"id", "user_id", "platform", "token", "subscription", "locale", "created_at", "updated_at"}, rows))
		must(t, st.DeleteDevice(ctx, a.ID, "dev_00100"))
		check := func(name string, ids []string, want map[string]bool) {
			t.Helper()
			ts, err := st.PushTargets(ctx, ids)
			must(t, err)
			got := map[string]bool{}
			for _, tg := range ts {
				if got[tg.ID] {
					t.Errorf("%s: %s twice", name, tg.ID)
				}
				got[tg.ID] = true
				var i int
				fmt.Sscanf(tg.ID, "dev_%d", &i)
				wantTZ := "UTC"
				if i%2 == 1 {
					wantTZ = "Asia/Shanghai"
				}
				if tg.Token != fmt.Sprintf("tok-%05d", i) || tg.Timezone != wantTZ {
					t.Errorf("%s: %s has token %q zone %q", name, tg.ID, tg.Token, tg.Timezone)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s: %d targets, want %d", name, len(got), len(want))
			}
			for id := range want {
				if !got[id] {
					t.Errorf("%s: %s missing", name, id)
				}
			}
		}
		var dense []string
		wantDense := map[string]bool{}
		for i := 1; i < 1200; i++ { // three chunks, one deleted device
			id := fmt.Sprintf("dev_%05d", i)
			dense = append(dense, id)
			if i != 100 {
				wantDense[id] = true
			}
		}
		check("dense", dense, wantDense)
		sparse := []string{"dev_01299", "dev_00000", "dev_00650", "dev_00000", "dev_00100", "dev_99999"}
		check("sparse", sparse, map[string]bool{"dev_01299": true, "dev_00000": true, "dev_00650": true})
		check("none", nil, map[string]bool{})
	})
}
