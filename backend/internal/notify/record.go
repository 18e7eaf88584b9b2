package notify

import (
	"context"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// recorder commits the delivery records of every fan-out batch running in
// this process together. A batch's flush still returns only once its
// records are committed (so what was recorded is never resent), but
// flushes that arrive while a commit is under way wait for the next one
// and share it: one commit, and on SQLite one sync and one reader-cache
// invalidation, for several batches instead of one each.
type recorder struct {
	st *store.Store

	mu      sync.Mutex
	queue   []*recordReq
	writing bool
}

type recordReq struct {
	group store.DeliveryGroup
	done  chan error
}

// record stores ds under key, committed together with whatever other
// batches record meanwhile. The caller whose request finds no commit under
// way writes, for itself and for everyone who queued behind it, until the
// queue is empty; the others wait for their answer.
func (r *recorder) record(ctx context.Context, key string, ds []store.Delivery, now time.Time) error {
	if len(ds) == 0 {
		return nil
	}
	req := &recordReq{group: store.DeliveryGroup{Key: key, Deliveries: ds, Now: now}, done: make(chan error, 1)}
	r.mu.Lock()
	r.queue = append(r.queue, req)
	if r.writing {
		r.mu.Unlock()
		return <-req.done
	}
	r.writing = true
	for len(r.queue) > 0 {
		reqs := r.queue
		r.queue = nil
		r.mu.Unlock()
		groups := make([]store.DeliveryGroup, len(reqs))
		for i, q := range reqs {
			groups[i] = q.group
		}
		// Every flush runs detached from its job's cancellation (see
		// sendAll), so one caller's context serves the others.
		err := r.st.RecordDeliveryGroups(context.WithoutCancel(ctx), groups)
		for _, q := range reqs {
			q.done <- err
		}
		r.mu.Lock()
	}
	r.writing = false
	r.mu.Unlock()
	return <-req.done
}
