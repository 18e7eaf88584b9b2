package notify

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/wire"
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
//
// A stream lives no longer than its session and hears a program only while
// its person is a member. Ending a session or a person's sessions
// (EndSession, EndUser) and a change of membership (MembershipChanged) travel
// as control rows in the same table, written before the call returns, so
// every instance applies them in order with the events; they are never
// handed to an app. As a backstop for changes no one announced (expiry, the
// admin command, a lost write), every instance checks its streams' sessions
// and memberships every recheck interval.
type Bus struct {
	st        *store.Store
	log       *slog.Logger
	now       func() time.Time
	retention time.Duration
	poll      time.Duration
	recheck   atomic.Int64 // time.Duration between rechecks of streams
	rechanged chan struct{}

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
	b := &Bus{st: st, log: log, now: now, retention: retention, poll: 5 * time.Second,
		in: make(chan store.LiveEvent, queueSize), poke: make(chan struct{}, 1), ready: make(chan struct{}), rechanged: make(chan struct{}, 1),
		users: map[string]map[*Subscription]struct{}{}, programs: map[string]map[*Subscription]struct{}{}}
	b.recheck.Store(int64(DefaultRecheck))
	return b
}

// DefaultRecheck is how often a bus checks its open streams' sessions and
// memberships by itself: the longest a stream outlives an ending or a
// removal that no control row announced.
const DefaultRecheck = time.Minute

// SetRecheck changes how often the bus checks its streams.
func (b *Bus) SetRecheck(d time.Duration) {
	if d > 0 {
		b.recheck.Store(int64(d))
		select {
		case b.rechanged <- struct{}{}:
		default:
		}
	}
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
	wg.Add(4)
	go func() { defer wg.Done(); b.write(ctx) }()
	go func() { defer wg.Done(); b.listen(ctx) }()
	go func() { defer wg.Done(); b.prune(ctx) }()
	go func() { defer wg.Done(); b.recheckLoop(ctx) }()
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
		// Control rows first read what they need (outside b.mu), then
		// everything is applied and handed out in id order.
		checked := b.checkControls(ctx, evs)
		b.mu.Lock()
		for i, e := range evs {
			if isControl(e.Kind) {
				b.applyControlLocked(e, checked[i])
				continue
			}
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
	session  string // token hash; "" when not tied to one
	programs map[string]struct{}
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
	for p := range s.programs {
		b.leaveLocked(s, p)
	}
}

// leaveLocked stops a subscription hearing a program.
func (b *Bus) leaveLocked(s *Subscription, programID string) {
	delete(s.programs, programID)
	if m := b.programs[programID]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(b.programs, programID)
		}
	}
}

// joinLocked makes a subscription hear a program.
func (b *Bus) joinLocked(s *Subscription, programID string) {
	s.programs[programID] = struct{}{}
	if b.programs[programID] == nil {
		b.programs[programID] = map[*Subscription]struct{}{}
	}
	b.programs[programID][s] = struct{}{}
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

// Subscribe starts a person's stream. With lastEventID it first replays what
// they missed, or, when that is no longer kept, a reset event.
func (b *Bus) Subscribe(ctx context.Context, userID, lastEventID string) (*Subscription, error) {
	return b.SubscribeSession(ctx, userID, "", lastEventID)
}

// ErrSessionEnded is returned by SubscribeSession for a session that ended.
var ErrSessionEnded = domain.Errorf(domain.CodeUnauthorized, "this session has ended; sign in again")

// SubscribeSession starts a person's stream that ends with their session
// (sessionHash, the token hash; "" ties it to none): EndSession, EndUser or
// the session's end found by a recheck closes it.
func (b *Bus) SubscribeSession(ctx context.Context, userID, sessionHash, lastEventID string) (*Subscription, error) {
	select {
	case <-b.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	b.dispatchMu.Lock()
	defer b.dispatchMu.Unlock()
	// Read under dispatchMu: an ending or a membership change committed
	// before these reads is seen by them; one committed after has its
	// control row handed out after this subscription joins.
	if sessionHash != "" {
		u, err := b.st.SessionUser(ctx, sessionHash, b.now())
		if isNotFound(err) || (err == nil && u.ID != userID) {
			return nil, ErrSessionEnded
		}
		if err != nil {
			return nil, err
		}
	}
	programs, err := b.programsOf(ctx, userID)
	if err != nil {
		return nil, err
	}
	backlog, reset, err := b.missed(ctx, userID, programs, lastEventID, b.last)
	if err != nil {
		return nil, err
	}
	s := &Subscription{bus: b, user: userID, session: sessionHash, programs: map[string]struct{}{},
		c: make(chan client.Event, len(backlog)+subBuffer)}
	if reset {
		s.c <- client.Event{Kind: wire.EventReset, Data: json.RawMessage("{}"), At: b.now().UTC()}
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
	if b.users[userID] == nil {
		b.users[userID] = map[*Subscription]struct{}{}
	}
	b.users[userID][s] = struct{}{}
	for _, p := range programs {
		b.joinLocked(s, p)
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
	out := evs[:0]
	for _, e := range evs {
		if !isControl(e.Kind) {
			out = append(out, e)
		}
	}
	return out, false, nil
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

// Control rows: kinds starting with "_" are for the bus, never for apps.
// They name no user or program of their own (those are in the data), so a
// person's backlog never includes them.
const (
	ctlEndSession = "_end_session"
	ctlEndUser    = "_end_user"
	ctlMembership = "_membership"
)

func isControl(kind string) bool { return strings.HasPrefix(kind, "_") }

type control struct {
	Session string `json:"session,omitempty"`
	User    string `json:"user,omitempty"`
	Program string `json:"program,omitempty"`
}

// checkedControl is a control row decoded, with what applying it needs to
// know from the database.
type checkedControl struct {
	c      control
	member bool // ctlMembership: the user is now a member of the program
}

// EndSession ends every stream of a session (logout, a revoked session) on
// every instance: here at once, elsewhere as soon as they read the row.
func (b *Bus) EndSession(ctx context.Context, sessionHash string) error {
	if sessionHash == "" {
		return nil
	}
	return b.control(ctx, ctlEndSession, control{Session: sessionHash})
}

// EndUser ends every stream of a person, whatever their session (all their
// sessions were revoked), on every instance.
func (b *Bus) EndUser(ctx context.Context, userID string) error {
	return b.control(ctx, ctlEndUser, control{User: userID})
}

// MembershipChanged makes a person's streams, on every instance, hear the
// program or stop hearing it as their membership now says (call it after a
// removal, an addition or an accepted invite commits).
func (b *Bus) MembershipChanged(ctx context.Context, programID, userID string) error {
	return b.control(ctx, ctlMembership, control{User: userID, Program: programID})
}

func (b *Bus) control(ctx context.Context, kind string, c control) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	e := store.LiveEvent{Kind: kind, Data: string(raw), At: b.now()}
	werr := b.st.AddLiveEvents(ctx, []store.LiveEvent{e})
	b.kick()
	// Applied here now, in turn with dispatch; the row applies it again
	// (harmlessly) and on the other instances.
	b.dispatchMu.Lock()
	checked := b.checkControls(ctx, []store.LiveEvent{e})
	b.mu.Lock()
	b.applyControlLocked(e, checked[0])
	b.mu.Unlock()
	b.dispatchMu.Unlock()
	return werr
}

// checkControls decodes the control rows among evs and reads what applying
// them needs. A membership that cannot be read counts as none: a stream
// rather misses a program's hints than hears one it should not.
func (b *Bus) checkControls(ctx context.Context, evs []store.LiveEvent) []checkedControl {
	out := make([]checkedControl, len(evs))
	for i, e := range evs {
		if !isControl(e.Kind) {
			continue
		}
		if err := json.Unmarshal([]byte(e.Data), &out[i].c); err != nil {
			b.log.Warn("live events: bad control row", "id", e.ID, "kind", e.Kind, "err", err)
			continue
		}
		c := out[i].c
		if e.Kind != ctlMembership || c.User == "" || c.Program == "" {
			continue
		}
		b.mu.Lock()
		listening := len(b.users[c.User]) > 0
		b.mu.Unlock()
		if !listening {
			continue
		}
		_, err := b.st.Membership(ctx, c.Program, c.User)
		out[i].member = err == nil
		if err != nil && !isNotFound(err) {
			b.log.Warn("live events: read membership", "program", c.Program, "user", c.User, "err", err)
		}
	}
	return out
}

func (b *Bus) applyControlLocked(e store.LiveEvent, cc checkedControl) {
	c := cc.c
	switch e.Kind {
	case ctlEndSession:
		if c.Session == "" {
			return
		}
		for _, m := range b.users {
			for s := range m {
				if s.session == c.Session {
					b.removeLocked(s)
				}
			}
		}
	case ctlEndUser:
		for s := range b.users[c.User] {
			b.removeLocked(s)
		}
	case ctlMembership:
		if c.Program == "" {
			return
		}
		for s := range b.users[c.User] {
			if cc.member {
				b.joinLocked(s, c.Program)
			} else {
				b.leaveLocked(s, c.Program)
			}
		}
	}
}

func (b *Bus) recheckLoop(ctx context.Context) {
	for {
		t := time.NewTimer(time.Duration(b.recheck.Load()))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-b.rechanged:
			t.Stop()
		case <-t.C:
			b.recheckAll(ctx)
		}
	}
}

// recheckAll ends the streams whose session ended and stops streams hearing
// programs their person left, for changes no control row announced (a
// session expired or deleted by the admin command, a row not written). It
// only ever takes away: what it read may be older than a control row
// applied meanwhile, and adding from it could undo a removal.
func (b *Bus) recheckAll(ctx context.Context) {
	b.mu.Lock()
	users := make(map[string]map[string]struct{}, len(b.users)) // user -> sessions
	for u, m := range b.users {
		ss := map[string]struct{}{}
		for s := range m {
			ss[s.session] = struct{}{}
		}
		users[u] = ss
	}
	b.mu.Unlock()
	for user, sessions := range users {
		if ctx.Err() != nil {
			return
		}
		ended := map[string]bool{}
		for h := range sessions {
			if h == "" {
				continue
			}
			u, err := b.st.SessionUser(ctx, h, b.now())
			switch {
			case isNotFound(err) || (err == nil && u.ID != user):
				ended[h] = true
			case err != nil:
				b.log.Warn("live events: recheck session", "err", err)
			}
		}
		programs, err := b.programsOf(ctx, user)
		if err != nil {
			b.log.Warn("live events: recheck memberships", "user", user, "err", err)
		}
		member := make(map[string]bool, len(programs))
		for _, p := range programs {
			member[p] = true
		}
		b.mu.Lock()
		for s := range b.users[user] {
			if ended[s.session] {
				b.removeLocked(s)
				continue
			}
			if err != nil {
				continue
			}
			for p := range s.programs {
				if !member[p] {
					b.leaveLocked(s, p)
				}
			}
		}
		b.mu.Unlock()
	}
}
