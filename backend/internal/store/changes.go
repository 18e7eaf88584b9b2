package store

import (
	"context"
	"database/sql"
	"hash/fnv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Changes tells caches whether what they keep may have changed, so that on
// PostgreSQL a request need not ask the database (a round trip, the cost
// that bounds a cached route there). Triggers NOTIFY every commit that
// changes a member's performs, point totals or TikTok stagings, or a
// program's content version (migration 0019); one connection per instance
// LISTENs and counts what it hears. This instance's own writes are counted
// when they commit, before their callers are answered, so whoever made a
// change sees it at their next request here; another instance hears it
// within the notification's delivery, a fraction of a millisecond on a LAN.
//
// A cache takes a Mark before it reads and keeps it with what it read; what
// it keeps is current while Current(mark) holds. A mark is never current
// while the listener is down or after it was down (it may have missed
// notifications), nor on SQLite, which has no NOTIFY: there caches check the
// database, in process, as before.
type Changes struct {
	s     *Store
	start sync.Once
	stop  context.CancelFunc
	done  chan struct{}

	listening atomic.Bool
	epoch     atomic.Uint64 // moves whenever listening starts or stops
	all       atomic.Uint64 // moves on '*': any program's content changed
	// members counts changes by a hash of the member's id: a collision
	// only makes a cache read again.
	members [memberSlots]atomic.Uint64
}

const memberSlots = 1 << 12

// noMember marks a mark that does not depend on a member's own changes.
const noMember = ^uint32(0)

// Mark is the state of Changes when a cache began to read.
type Mark struct {
	epoch, all, member uint64
	slot               uint32
	ok                 bool
}

// OK says whether the mark can ever be current: false on SQLite, and when
// the listener was down as it was taken.
func (m Mark) OK() bool { return m.ok }

// listenCheck is how long the listener waits for a notification before it
// checks its connection: a connection that died silently is found, and
// marks stop being current, within about twice this.
const listenCheck = time.Second

// Changes returns the store's change tracking.
func (s *Store) Changes() *Changes {
	s.changesOnce.Do(func() { s.ch = &Changes{s: s} })
	return s.ch
}

// Mark returns a mark for a cache of member userID's own data (their
// performs, points, stagings) and of any program's content.
func (c *Changes) Mark(userID string) Mark {
	return c.mark(slotOf(userID))
}

// MarkContent returns a mark for a cache of program content only (what a
// content version covers: activities, groups, channels, memberships).
func (c *Changes) MarkContent() Mark {
	return c.mark(noMember)
}

func (c *Changes) mark(slot uint32) Mark {
	if c.s.d.name != "postgres" {
		return Mark{}
	}
	c.start.Do(c.listen)
	if !c.listening.Load() {
		return Mark{}
	}
	m := Mark{epoch: c.epoch.Load(), all: c.all.Load(), slot: slot, ok: true}
	if slot != noMember {
		m.member = c.members[slot].Load()
	}
	return m
}

// Current says whether nothing a mark covers changed since it was taken.
func (c *Changes) Current(m Mark) bool {
	return m.ok && c.listening.Load() && c.epoch.Load() == m.epoch && c.all.Load() == m.all &&
		(m.slot == noMember || c.members[m.slot].Load() == m.member)
}

func slotOf(userID string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(userID))
	return h.Sum32() % memberSlots
}

// touchMembers counts a committed change of these members' data.
func (c *Changes) touchMembers(userIDs ...string) {
	for _, u := range userIDs {
		c.members[slotOf(u)].Add(1)
	}
}

// touchAll counts a committed change of content.
func (c *Changes) touchAll() { c.all.Add(1) }

// heard counts one notification's changes.
func (c *Changes) heard(payload string) {
	ids, ok := strings.CutPrefix(payload, "m")
	if !ok {
		c.touchAll()
		return
	}
	for id := range strings.SplitSeq(ids, ",") {
		c.members[slotOf(id)].Add(1)
	}
}

// listen starts the listener, which runs until the store closes and
// reconnects (after a pause) when its connection fails.
func (c *Changes) listen() {
	ctx, stop := context.WithCancel(context.Background())
	c.stop, c.done = stop, make(chan struct{})
	go func() {
		defer close(c.done)
		for ctx.Err() == nil {
			err := c.s.listen(ctx, "chorus_changes_", func() {
				c.epoch.Add(1)
				c.listening.Store(true)
			}, c.heard)
			c.epoch.Add(1)
			c.listening.Store(false)
			if err != nil && ctx.Err() == nil {
				select {
				case <-ctx.Done():
				case <-time.After(listenCheck):
				}
			}
		}
	}()
}

// close stops the listener, if it started.
func (c *Changes) close() {
	c.start.Do(func() {}) // none starts after this
	if c.stop != nil {
		c.stop()
		<-c.done
	}
}

// touches are the changes a transaction of s.tx makes, counted at its
// commit (afterCommit).
type touches struct {
	all     bool
	members []string
}

// touched records that q's write changes member userID's data (or, with
// userID "", content). Inside a transaction it is counted when that commits
// (afterCommit, which s.tx and the perform writer call); a write outside one
// has committed already and is counted now. A transaction is written by one
// goroutine, so its touches need no lock of their own.
func (s *Store) touched(q querier, userID string) {
	var tx *sql.Tx
	switch q := q.(type) {
	case *sql.Tx:
		tx = q
	case writerTx:
		tx = q.Tx
	default:
		s.countTouch(touches{all: userID == "", members: nonEmpty(userID)})
		return
	}
	v, _ := s.pendingTouches.LoadOrStore(tx, &touches{})
	t := v.(*touches)
	if userID == "" {
		t.all = true
	} else {
		t.members = append(t.members, userID)
	}
}

// afterCommit counts what tx changed once it committed (or forgets it).
func (s *Store) afterCommit(tx *sql.Tx, committed bool) {
	if v, ok := s.pendingTouches.LoadAndDelete(tx); ok && committed {
		s.countTouch(*v.(*touches))
	}
}

func (s *Store) countTouch(t touches) {
	c := s.Changes()
	if t.all {
		c.touchAll()
	}
	c.touchMembers(t.members...)
}
