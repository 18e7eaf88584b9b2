package notify

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// Concurrent batches sharing commits: each flush returns only when its own
// records are committed, and every record lands once under its key.
func TestRecorderSharesCommits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		r := &recorder{st: st}
		now := time.Now().Truncate(time.Millisecond)
		const jobs, flushes, per = 6, 15, 40
		var wg sync.WaitGroup
		errs := make(chan error, jobs*flushes)
		for j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := fmt.Sprintf("act:%d", j)
				buf := make([]store.Delivery, 0, per)
				for f := range flushes {
					ids := make([]string, per)
					for i := range per {
						ids[i] = fmt.Sprintf("dev_%d_%03d", f, i)
						buf = append(buf, store.Delivery{DeviceID: ids[i], Outcome: store.OutcomeSent})
					}
					if err := r.record(ctx, key, buf, now); err != nil {
						errs <- err
						return
					}
					buf = buf[:0] // reused at once, as sendAll does
					got, err := st.Deliveries(ctx, key, ids)
					if err != nil || len(got) != per {
						errs <- fmt.Errorf("%s flush %d: %d of %d recorded when record returned (%v)", key, f, len(got), per, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for j := range jobs {
			var ids []string
			for f := range flushes {
				for i := range per {
					ids = append(ids, fmt.Sprintf("dev_%d_%03d", f, i))
				}
			}
			got, err := st.Deliveries(ctx, fmt.Sprintf("act:%d", j), ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != flushes*per {
				t.Errorf("act:%d: %d recorded, want %d", j, len(got), flushes*per)
			}
		}
		if len(r.queue) != 0 || r.writing {
			t.Errorf("recorder left with %d queued, writing %v", len(r.queue), r.writing)
		}
	})
}
