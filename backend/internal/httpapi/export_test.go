package httpapi

import "time"

// OnBoardBuild calls f at the start of every leaderboard build (the group
// id, "" for the program's board).
func (s *Server) OnBoardBuild(f func(group string)) {
	g := func(k boardKey) { f(k.group) }
	s.boards.onBuild.Store(&g)
}

// SetBoardSweep sets how often idle boards are swept (before the first
// leaderboard request).
func (s *Server) SetBoardSweep(every time.Duration) {
	s.boards.mu.Lock()
	defer s.boards.mu.Unlock()
	s.boards.every = every
}

// SweepIdleBoards runs one sweep now.
func (s *Server) SweepIdleBoards() { s.sweepIdleBoards() }

// Boards is how many leaderboards are in memory.
func (s *Server) Boards() int {
	s.boards.mu.Lock()
	defer s.boards.mu.Unlock()
	return len(s.boards.m)
}

// BoardIdle is how long an unused board stays in memory.
const BoardIdle = boardIdle
