package httpapi

import (
	"context"
	"sort"
	"sync"
	"time"

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
	boardIdle     = 10 * time.Minute
)

type boardKey struct {
	program, period, group string
	start                  int64
}

type board struct {
	rows  []store.BoardRow // best first
	built time.Time
}

type boardEntry struct {
	mu         sync.Mutex
	cur        *board
	refreshing bool
	used       time.Time
}

type boardCache struct {
	mu sync.Mutex
	m  map[boardKey]*boardEntry
}

// get returns a board no older than boardTTL if one is at hand, else the
// last one while a rebuild runs; only the very first request waits.
func (s *Server) board(ctx context.Context, k boardKey, start time.Time) (*board, error) {
	s.boards.mu.Lock()
	if s.boards.m == nil {
		s.boards.m = map[boardKey]*boardEntry{}
	}
	e := s.boards.m[k]
	if e == nil {
		e = &boardEntry{}
		s.boards.m[k] = e
	}
	now := s.now()
	for key, other := range s.boards.m {
		if other != e && now.Sub(other.used) > boardIdle {
			delete(s.boards.m, key)
		}
	}
	s.boards.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	e.used = now
	build := func(ctx context.Context) (*board, error) {
		rows, err := s.store.Board(ctx, k.program, k.period, start, k.group, boardNamed)
		if err != nil {
			return nil, err
		}
		return &board{rows: rows, built: s.now()}, nil
	}
	if e.cur == nil {
		b, err := build(ctx)
		if err != nil {
			return nil, err
		}
		e.cur = b
		return b, nil
	}
	ttl := boardTTL
	if k.group != "" {
		ttl = groupBoardTTL
	}
	if now.Sub(e.cur.built) > ttl && !e.refreshing {
		e.refreshing = true
		go func() {
			b, err := build(context.Background())
			e.mu.Lock()
			defer e.mu.Unlock()
			e.refreshing = false
			if err != nil {
				s.log.Warn("leaderboard refresh", "err", err)
				return
			}
			e.cur = b
		}()
	}
	return e.cur, nil
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
