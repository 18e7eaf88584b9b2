package httpapi_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// A request reads the clock once: with a clock that moves on every read (as
// a real one does between two reads, now and then past a millisecond), an
// activity with a blank start is live the moment it is created and edited,
// never "scheduled" a millisecond into its own future.
func TestOneClockReadPerRequest(t *testing.T) {
	var ticks atomic.Int64
	base := time.Now()
	e := apitest.New(t, storetest.SQLite(t), func(o *httpapi.Options) {
		o.Now = func() time.Time { return base.Add(time.Duration(ticks.Add(1)) * time.Millisecond) }
	})
	for i := 0; i < 5; i++ {
		a := photo(t, e, "now", 5, client.ActivityInput{})
		if a.Status != "live" {
			t.Fatalf("created with a blank start: %s (starts %v)", a.Status, a.StartsAt)
		}
		up := must[client.Activity](t)(e.Manager.UpdateActivity(ctx, e.ProgramID, a.ID, client.ActivityInput{Message: apitest.Ptr("now, edited")}))
		if up.Status != "live" {
			t.Fatalf("edited: %s", up.Status)
		}
	}
}
