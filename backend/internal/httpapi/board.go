package httpapi

import (
	"context"
	"encoding/json"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// A leaderboard of 100,000 members is one ordered read of the board index,
// too slow to repeat per request. Boards are kept in memory and rebuilt in
// the background when older than boardTTL; the caller's own points are read
// live, so a member sees their new points at once and other rows lag by at
// most about boardTTL.
const (
	boardTTL = 5 * time.Second
	// groupBoardTTL is longer: a program has hundreds of group boards (per
	// group and period) and rebuilding each every few seconds would cost
	// more than all requests together.
	groupBoardTTL = 30 * time.Second
	boardNamed    = 500 // rows that carry names (the largest page a client may ask for)
	// boardIdle is how long a board nobody asked for stays in memory; a
	// sweep every boardSweep drops the idle ones (never a request).
	boardIdle  = 10 * time.Minute
	boardSweep = time.Minute
	// boardBuildTimeout bounds one build, which runs apart from the
	// request that started it (others may be waiting for it).
	boardBuildTimeout = 30 * time.Second
)

type boardKey struct {
	program, period, group string
	start                  int64
}

type board struct {
	rows  []store.BoardRow // best first
	built time.Time
	// at maps a member to their row (index), for group boards made from
	// the program's.
	indexOnce sync.Once
	at        map[string]int
	// pages holds the JSON of the first n rows, by n, made by the first
	// request for that page size: every request for the board until the
	// next build sends the same rows (client.Leaderboard's entries).
	pagesMu sync.Mutex
	pages   map[int][]byte
}

// page is the JSON array of the board's first n rows.
func (b *board) page(n int) ([]byte, error) {
	n = min(n, len(b.rows), boardNamed)
	b.pagesMu.Lock()
	defer b.pagesMu.Unlock()
	if p, ok := b.pages[n]; ok {
		return p, nil
	}
	entries := make([]client.LeaderboardEntry, 0, n)
	for _, r := range b.rows[:n] {
		entries = append(entries, client.LeaderboardEntry{MemberID: r.UserID, Name: r.Name, Points: r.Points, Rank: r.Rank})
	}
	p, err := json.Marshal(entries)
	if err != nil {
		return nil, err
	}
	if b.pages == nil {
		b.pages = map[int][]byte{}
	}
	b.pages[n] = p
	return p, nil
}

// boardEntry is one board in memory. The first request for it starts the
// build; every request that comes while it runs waits for that build.
type boardEntry struct {
	ready      chan struct{} // closed when the first build ended
	cur        atomic.Pointer[board]
	err        error // the first build's error, if it failed (read after ready)
	refreshing atomic.Bool
	used       atomic.Int64 // unix nanoseconds of the last request
}

type boardCache struct {
	mu sync.Mutex
	m  map[boardKey]*boardEntry
	// sweeping is set while a sweep timer is armed: it runs while any board
	// is in memory and stops when none is left.
	sweeping bool
	every    time.Duration // boardSweep; tests shorten it
	// onBuild, when set (tests), is called at the start of every build.
	onBuild atomic.Pointer[func(boardKey)]
	// programs holds programs and their zones (cachedProgram).
	programs ttlCache[string, programZone]
	// mine keeps members' own points on PostgreSQL (boardPoints): a member
	// may look at six boards (three periods, theirs and their group's), so
	// it keeps more than a member's other caches, each entry small.
	mine keptCache[pointsKey, marked[int]]
}

// maxKeptPoints bounds boardCache.mine.
const maxKeptPoints = 6 * maxKept

type pointsKey struct {
	program, period string
	start           int64
	user, group     string
}

// boardPoints is the caller's own points on the board of k (and checks that
// k's group exists). They are read live, in one round trip; on PostgreSQL
// they are kept while the store's changes say neither the member's points
// nor any content changed (store.Changes), so a board costs no round trip.
func (s *Server) boardPoints(c *call, k boardKey, start time.Time) (int, error) {
	changes := s.store.Changes()
	return readKept(&s.boards.mine, changes, pointsKey{k.program, k.period, k.start, c.user.ID, k.group},
		changes.Mark(c.user.ID),
		func() (int, error) { return s.store.BoardPoints(c.ctx, k.program, k.period, start, c.user.ID, k.group) })
}

// board returns a board no older than its TTL if one is at hand, else the
// last one while a rebuild runs in the background; only requests for a board
// not yet built wait, all for the same build.
func (s *Server) board(ctx context.Context, k boardKey, start, now time.Time) (*board, error) {
	e, first := s.boards.entry(s, k)
	e.used.Store(now.UnixNano())
	if first {
		go s.buildFirst(e, k, start)
	}
	b := e.cur.Load()
	if b == nil {
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if b = e.cur.Load(); b == nil {
			return nil, e.err
		}
	}
	ttl := boardTTL
	if k.group != "" {
		ttl = groupBoardTTL
	}
	if now.Sub(b.built) > ttl && e.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer e.refreshing.Store(false)
			nb, err := s.buildBoard(k, start)
			if err != nil {
				s.log.Warn("leaderboard refresh", "err", err)
				return
			}
			e.cur.Store(nb)
		}()
	}
	return b, nil
}

// entry finds or makes k's entry; first says the caller made it and so
// starts its build.
func (c *boardCache) entry(s *Server, k boardKey) (e *boardEntry, first bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e = c.m[k]; e != nil {
		return e, false
	}
	if c.m == nil {
		c.m = map[boardKey]*boardEntry{}
	}
	e = &boardEntry{ready: make(chan struct{})}
	c.m[k] = e
	if !c.sweeping {
		c.sweeping = true
		every := c.every
		if every <= 0 {
			every = boardSweep
		}
		time.AfterFunc(every, func() { s.sweepBoards(every) })
	}
	return e, true
}

// buildFirst builds a new entry's board for everyone waiting on it. A failed
// build leaves the cache, so the next request tries again.
func (s *Server) buildFirst(e *boardEntry, k boardKey, start time.Time) {
	b, err := s.buildBoard(k, start)
	if err != nil {
		e.err = err
		s.boards.mu.Lock()
		if s.boards.m[k] == e {
			delete(s.boards.m, k)
		}
		s.boards.mu.Unlock()
	} else {
		e.cur.Store(b)
	}
	close(e.ready)
}

func (s *Server) buildBoard(k boardKey, start time.Time) (*board, error) {
	if f := s.boards.onBuild.Load(); f != nil {
		(*f)(k)
	}
	ctx, cancel := context.WithTimeout(context.Background(), boardBuildTimeout)
	defer cancel()
	if k.group != "" {
		return s.buildGroupBoard(ctx, k, start)
	}
	rows, err := s.store.Board(ctx, k.program, k.period, start, "", boardNamed)
	if err != nil {
		return nil, err
	}
	return &board{rows: rows, built: s.now()}, nil
}

// buildGroupBoard makes a group's board from the program's board of the
// same period, which holds every member with points (pending and removed
// people already left off): one read of the group's members by its key,
// their rows picked from memory, and names for the top rows. A program has
// hundreds of group boards; built from the database each would join a
// thousand members' totals and memberships (store.Board does so, and
// answers the same rows).
func (s *Server) buildGroupBoard(ctx context.Context, k boardKey, start time.Time) (*board, error) {
	pk := k
	pk.group = ""
	pb, err := s.board(ctx, pk, start, s.now())
	if err != nil {
		return nil, err
	}
	ids, err := s.store.GroupMemberIDs(ctx, k.group)
	if err != nil {
		return nil, err
	}
	at := pb.index()
	rows := make([]store.BoardRow, 0, len(ids))
	for _, id := range ids {
		if i, ok := at[id]; ok {
			rows = append(rows, pb.rows[i])
		}
	}
	// The order store.Board reads: points, then id, both descending; then
	// ranks with ties sharing one.
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Points != rows[j].Points {
			return rows[i].Points > rows[j].Points
		}
		return rows[i].UserID > rows[j].UserID
	})
	for i := range rows {
		if i > 0 && rows[i-1].Points == rows[i].Points {
			rows[i].Rank = rows[i-1].Rank
		} else {
			rows[i].Rank = i + 1
		}
	}
	// Names only on the group's top rows (some came named from the
	// program's top); NameTop fills the rest of them.
	for i := boardNamed; i < len(rows); i++ {
		rows[i].Name = ""
	}
	if err := s.store.NameTop(ctx, rows, boardNamed); err != nil {
		return nil, err
	}
	return &board{rows: rows, built: pb.built}, nil
}

// index maps each member on the board to their row, made once per board.
func (b *board) index() map[string]int {
	b.indexOnce.Do(func() {
		b.at = make(map[string]int, len(b.rows))
		for i, r := range b.rows {
			b.at[r.UserID] = i
		}
	})
	return b.at
}

// sweepBoards drops the boards nobody asked for in boardIdle, then arms the
// next sweep while boards are left.
func (s *Server) sweepBoards(every time.Duration) {
	if s.sweepIdleBoards() {
		time.AfterFunc(every, func() { s.sweepBoards(every) })
	}
}

// sweepIdleBoards drops the boards idle for boardIdle and says whether any
// are left; when none is, the sweep stops until the next board is made.
func (s *Server) sweepIdleBoards() (left bool) {
	c := &s.boards
	c.mu.Lock()
	defer c.mu.Unlock()
	idle := s.now().Add(-boardIdle).UnixNano()
	for k, e := range c.m {
		if e.used.Load() < idle {
			delete(c.m, k)
		}
	}
	c.sweeping = len(c.m) > 0
	return c.sweeping
}

// forgetBoards drops a program's boards when someone leaves it, so the next
// request ranks only the people still there.
func (s *Server) forgetBoards(programID string) {
	s.boards.mu.Lock()
	defer s.boards.mu.Unlock()
	for k := range s.boards.m {
		if k.program == programID {
			delete(s.boards.m, k)
		}
	}
}

// rankOf is where points would stand on the board: one more than the number
// of members with more points.
func (b *board) rankOf(points int) int {
	return sort.Search(len(b.rows), func(i int) bool { return b.rows[i].Points <= points }) + 1
}

// programZone is a program's settings with its zone loaded, as the
// leaderboard reads them on every request.
type programZone struct {
	p   domain.Program
	loc *time.Location
}

// cachedProgram answers a program and its zone from memory for cacheTTL;
// updateProgram forgets it, so a change through this instance applies at
// once (and through another instance within cacheTTL, as memberships do).
func (s *Server) cachedProgram(c *call) (programZone, error) {
	if pz, ok := s.boards.programs.get(c.programID, c.now); ok {
		return pz, nil
	}
	p, err := s.store.Program(c.ctx, c.programID)
	if err != nil {
		return programZone{}, err
	}
	pz := programZone{p: p, loc: time.UTC}
	if loc, ok := domain.LoadLocation(p.Timezone); ok {
		pz.loc = loc
	}
	s.boards.programs.put(c.programID, pz, c.now)
	return pz, nil
}

// forgetProgram drops a program's cached settings (it was changed).
func (s *Server) forgetProgram(programID string) {
	s.boards.programs.forget(func(k string, _ programZone) bool { return k == programID })
}

// Liveness is GET /livez's answer.
type Liveness struct {
	Status string `json:"status"`
}

// live answers that the process serves requests; unlike /healthz it touches
// no database, so chorus-bench measures its ceiling with it.
func (s *Server) live(*call, none) (Liveness, error) { return Liveness{Status: "ok"}, nil }
