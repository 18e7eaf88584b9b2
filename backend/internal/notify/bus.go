package notify

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// Bus carries live events to open apps. Events are written to the
// live_events table (so a reconnecting app resumes from its Last-Event-ID,
// on any instance) by one writer goroutine in batches; every instance reads
// new rows in id order and hands them to its subscribers. On PostgreSQL the
// writing transaction NOTIFYs the other instances; on SQLite every writer is
// in this process and wakes the reader itself.
//
// Events are hints ("your feed changed, reload it"): one lost to a crash
// between Publish and the write costs an app a refresh it would do on
// reconnect anyway. They are not worth a durable job each.
type Bus struct {
	st        *store.Store
	log       *slog.Logger
	now       func() time.Time
	retention time.Duration
	poll      time.Duration

	in   chan store.LiveEvent
	poke chan struct{}

	// dispatchMu is held while a round of events is handed out and while
	// a subscriber joins, so a joining subscriber's backlog ends exactly
	// where live delivery starts.
	dispatchMu sync.Mutex
	last       int64 // highest id handed out, under dispatchMu
	ready      chan struct{}
	readyOnce  sync.Once

	mu       sync.Mutex
	users    map[string]map[*Subscription]struct{}
	programs map[string]map[*Subscription]struct{}
	closed   bool
}

// Limits of the bus.
const (
	// maxBacklog is the most events replayed to a resuming app; further
	// behind, it gets a reset.
	maxBacklog = 1000
	// subBuffer is how many events may wait for a slow reader before it is
	// dropped (it reconnects and resumes from the table).
	subBuffer = 256
	queueSize = 8192
	readBatch = 1000
)

func newBus(st *store.Store, log *slog.Logger, now func() time.Time, retention time.Duration) *Bus {
	return &Bus{st: st, log: log, now: now, retention: retention, poll: 5 * time.Second,
		in: make(chan store.LiveEvent, queueSize), poke: make(chan struct{}, 1), ready: make(chan struct{}),
		users: map[string]map[*Subscription]struct{}{}, programs: map[string]map[*Subscription]struct{}{}}
}

// PublishUser queues an event for one person's open apps.
func (b *Bus) PublishUser(userID, kind string, data any) {
	b.publish(store.LiveEvent{UserID: userID, Kind: kind}, data)
}

// PublishProgram queues an event for every member of a program.
func (b *Bus) PublishProgram(programID, kind string, data any) {
	b.publish(store.LiveEvent{ProgramID: programID, Kind: kind}, data)
}

func (b *Bus) publish(e store.LiveEvent, data any) {
	raw := []byte("{}")
	if data != nil {
		var err error
		if raw, err = json.Marshal(data); err != nil {
			b.log.Error("live event: encode data", "kind", e.Kind, "err", err)
			return
		}
	}
	e.Data, e.At = string(raw), b.now()
	select {
	case b.in <- e:
	default:
		b.log.Warn("live events: queue full; event dropped", "kind", e.Kind)
	}
}

// Run writes and delivers events until ctx ends; then it writes what is
// queued and ends every subscription.
func (b *Bus) Run(ctx context.Context) {
	defer b.closeAll()
	for {
		_, hi, err := b.st.LiveEventBounds(ctx)
		if err == nil {
			b.dispatchMu.Lock()
			b.last = hi
			b.dispatchMu.Unlock()
			b.readyOnce.Do(func() { close(b.ready) })
			break
		}
		b.log.Error("live events: read position", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); b.write(ctx) }()
	go func() { defer wg.Done(); b.listen(ctx) }()
	go func() { defer wg.Done(); b.prune(ctx) }()
	b.dispatchLoop(ctx)
	wg.Wait()
	// Hand out what the writer flushed while stopping.
	b.dispatch(context.WithoutCancel(ctx))
}

func (b *Bus) kick() {
	select {
	case b.poke <- struct{}{}:
	default:
	}
}

func (b *Bus) write(ctx context.Context) {
	batch := make([]store.LiveEvent, 0, 512)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		// A write under way finishes even when stopping.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err := b.st.AddLiveEvents(wctx, batch)
		cancel()
		if err != nil {
			b.log.Error("live events: store", "events", len(batch), "err", err)
		}
		batch = batch[:0]
		b.kick()
	}
	for {
		select {
		case e := <-b.in:
			batch = append(batch, e)
		drain:
			for len(batch) < 500 {
				select {
				case e := <-b.in:
					batch = append(batch, e)
				default:
					break drain
				}
			}
			flush()
		case <-ctx.Done():
			for {
				select {
				case e := <-b.in:
					batch = append(batch, e)
					if len(batch) >= 500 {
						flush()
					}
				default:
					flush()
					return
				}
			}
		}
	}
}

// listen follows the other instances' writes on PostgreSQL.
func (b *Bus) listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := b.st.ListenLiveEvents(ctx, b.kick, b.kick)
		if errors.Is(err, store.ErrNoListen) || ctx.Err() != nil {
			return
		}
		b.log.Warn("live events: LISTEN connection lost; reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (b *Bus) prune(ctx context.Context) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := b.st.PruneLiveEvents(ctx, b.now().Add(-b.retention)); err != nil && ctx.Err() == nil {
				b.log.Warn("live events: prune", "err", err)
			}
		}
	}
}

func (b *Bus) dispatchLoop(ctx context.Context) {
	// Polling as well as being poked covers a NOTIFY lost while the
	// listening connection was being replaced.
	t := time.NewTicker(b.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.poke:
		case <-t.C:
		}
		b.dispatch(ctx)
	}
}

// dispatch hands out every stored event after the last one handed out.
func (b *Bus) dispatch(ctx context.Context) {
	b.dispatchMu.Lock()
	defer b.dispatchMu.Unlock()
	for {
		evs, err := b.st.LiveEventsAfter(ctx, b.last, readBatch)
		if err != nil {
			if ctx.Err() == nil {
				b.log.Warn("live events: read", "err", err)
			}
			return
		}
		if len(evs) == 0 {
			return
		}
		b.mu.Lock()
		for _, e := range evs {
			ce := toClientEvent(e)
			if e.UserID != "" {
				for s := range b.users[e.UserID] {
					b.deliverLocked(s, ce)
				}
			}
			if e.ProgramID != "" {
				for s := range b.programs[e.ProgramID] {
					if e.UserID != "" && s.user == e.UserID {
						continue // had it already
					}
					b.deliverLocked(s, ce)
				}
			}
		}
		b.mu.Unlock()
		b.last = evs[len(evs)-1].ID
		if len(evs) < readBatch {
			return
		}
	}
}

func (b *Bus) deliverLocked(s *Subscription, e client.Event) {
	select {
	case s.c <- e:
	default:
		// Too slow: end the stream; the app resumes from the table.
		b.removeLocked(s)
	}
}

func toClientEvent(e store.LiveEvent) client.Event {
	return client.Event{ID: strconv.FormatInt(e.ID, 10), Kind: e.Kind, Data: json.RawMessage(e.Data), At: e.At}
}

// Subscription is one open stream's view of the bus.
type Subscription struct {
	bus      *Bus
	user     string
	programs []string
	c        chan client.Event
	closed   bool
}

// Events yields the backlog, then live events. It is closed when the bus
// stops or the reader fell too far behind.
func (s *Subscription) Events() <-chan client.Event { return s.c }

// Close ends the subscription.
func (s *Subscription) Close() {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	s.bus.removeLocked(s)
}

func (b *Bus) removeLocked(s *Subscription) {
	if s.closed {
		return
	}
	s.closed = true
	close(s.c)
	if m := b.users[s.user]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(b.users, s.user)
		}
	}
	for _, p := range s.programs {
		if m := b.programs[p]; m != nil {
			delete(m, s)
			if len(m) == 0 {
				delete(b.programs, p)
			}
		}
	}
}

func (b *Bus) closeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for _, m := range b.users {
		for s := range m {
			b.removeLocked(s)
		}
	}
}

// ResetKind is the event telling an app it missed events and should reload.
const ResetKind = "reset"

// Subscribe starts a person's stream. With lastEventID it first replays what
// they missed, or, when that is no longer kept, a reset event.
func (b *Bus) Subscribe(ctx context.Context, userID, lastEventID string) (*Subscription, error) {
	programs, err := b.programsOf(ctx, userID)
	if err != nil {
		return nil, err
	}
	select {
	case <-b.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	b.dispatchMu.Lock()
	defer b.dispatchMu.Unlock()
	backlog, reset, err := b.missed(ctx, userID, programs, lastEventID, b.last)
	if err != nil {
		return nil, err
	}
	s := &Subscription{bus: b, user: userID, programs: programs, c: make(chan client.Event, len(backlog)+subBuffer)}
	if reset {
		s.c <- client.Event{Kind: ResetKind, Data: json.RawMessage("{}"), At: b.now().UTC()}
	}
	for _, e := range backlog {
		s.c <- toClientEvent(e)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(s.c)
		s.closed = true
		return s, nil
	}
	add := func(m map[string]map[*Subscription]struct{}, k string) {
		if m[k] == nil {
			m[k] = map[*Subscription]struct{}{}
		}
		m[k][s] = struct{}{}
	}
	add(b.users, userID)
	for _, p := range programs {
		add(b.programs, p)
	}
	return s, nil
}

// Since answers a poll: the person's events after lastEventID.
func (b *Bus) Since(ctx context.Context, userID, lastEventID string) (client.EventList, error) {
	out := client.EventList{Items: []client.Event{}}
	programs, err := b.programsOf(ctx, userID)
	if err != nil {
		return out, err
	}
	_, hi, err := b.st.LiveEventBounds(ctx)
	if err != nil {
		return out, err
	}
	out.LastEventID = strconv.FormatInt(hi, 10)
	if lastEventID == "" {
		return out, nil
	}
	evs, reset, err := b.missed(ctx, userID, programs, lastEventID, hi)
	if err != nil {
		return out, err
	}
	out.Reset = reset
	for _, e := range evs {
		out.Items = append(out.Items, toClientEvent(e))
	}
	return out, nil
}

// missed returns a person's events after lastEventID up to upTo, or reset
// when some of them are no longer kept (or the id is not one of ours).
func (b *Bus) missed(ctx context.Context, userID string, programs []string, lastEventID string, upTo int64) ([]store.LiveEvent, bool, error) {
	if lastEventID == "" {
		return nil, false, nil
	}
	after, err := strconv.ParseInt(lastEventID, 10, 64)
	if err != nil || after < 0 || after > upTo {
		return nil, true, nil
	}
	if after == upTo {
		return nil, false, nil
	}
	lo, _, err := b.st.LiveEventBounds(ctx)
	if err != nil {
		return nil, false, err
	}
	if lo == 0 || lo > after+1 {
		return nil, true, nil // pruned
	}
	evs, err := b.st.UserLiveEvents(ctx, userID, programs, after, upTo, maxBacklog+1)
	if err != nil {
		return nil, false, err
	}
	if len(evs) > maxBacklog {
		return nil, true, nil
	}
	return evs, false, nil
}

func (b *Bus) programsOf(ctx context.Context, userID string) ([]string, error) {
	ms, err := b.st.Memberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ProgramID
	}
	return out, nil
}
