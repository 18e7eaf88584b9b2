package links

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// Sink stores clicks.
type Sink interface {
	InsertClicks(ctx context.Context, cs []store.Click) error
}

// Recorder takes clicks off the redirect path: a redirect only hands its
// click to a buffer; a background writer stores the buffer every second (or
// at 1,000 clicks) in one transaction. Close stores everything left, so a
// graceful shutdown loses nothing; a SIGKILL loses at most the last second.
type Recorder struct {
	sink  Sink
	log   *slog.Logger
	every time.Duration
	in    chan store.Click
	done  chan struct{}
	once  sync.Once
}

// NewRecorder starts a recorder.
func NewRecorder(sink Sink, log *slog.Logger, every time.Duration) *Recorder {
	r := &Recorder{sink: sink, log: log, every: every, in: make(chan store.Click, 1<<16), done: make(chan struct{})}
	go r.loop()
	return r
}

// Record queues a click. When the buffer is full (the database stalled),
// it waits for room rather than drop the click.
func (r *Recorder) Record(c store.Click) { r.in <- c }

// Close stores what is queued and stops.
func (r *Recorder) Close() {
	r.once.Do(func() { close(r.in) })
	<-r.done
}

const batchSize = 1000

func (r *Recorder) loop() {
	defer close(r.done)
	t := time.NewTicker(r.every)
	defer t.Stop()
	var batch []store.Click
	flush := func() {
		if len(batch) == 0 {
			return
		}
		// A failed write is tried again with the next flush, so a short
		// database outage delays clicks instead of losing them.
		for attempt := 0; ; attempt++ {
			err := r.sink.InsertClicks(context.Background(), batch)
			if err == nil {
				break
			}
			r.log.Error("store clicks", "count", len(batch), "attempt", attempt+1, "err", err)
			if attempt == 4 {
				r.log.Error("clicks lost", "count", len(batch))
				break
			}
			time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
		}
		batch = batch[:0]
	}
	for {
		select {
		case c, ok := <-r.in:
			if !ok {
				flush()
				return
			}
			batch = append(batch, c)
			if len(batch) >= batchSize {
				flush()
			}
		case <-t.C:
			flush()
		}
	}
}
