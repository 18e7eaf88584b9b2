package httpapi

import (
	"context"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// feedCache keeps, per program, the activities that are live or scheduled.
// Every write that can change a feed bumps the program's content version in
// the same transaction, and each feed request reads that version with the
// caller's membership, so a cache is never stale, on any instance, and a
// feed costs the membership, the audience and no activity query.
type feedCache struct {
	mu sync.Mutex
	m  map[string]*feedEntry
}

type feedEntry struct {
	mu      sync.Mutex // one loader at a time per program
	version int64
	loaded  time.Time
	items   []*domain.Activity // read-only once published
}

// maxCacheAge drops ended activities from memory now and then; correctness
// does not depend on it (Visible checks the time).
const maxCacheAge = 5 * time.Minute

func newFeedCache() *feedCache { return &feedCache{m: map[string]*feedEntry{}} }

func (s *Server) currentActivities(ctx context.Context, programID string, version int64, now time.Time) ([]*domain.Activity, error) {
	s.feeds.mu.Lock()
	e := s.feeds.m[programID]
	if e == nil {
		e = &feedEntry{version: -1}
		s.feeds.m[programID] = e
	}
	s.feeds.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.version == version && now.Sub(e.loaded) < maxCacheAge && !now.Before(e.loaded) {
		return e.items, nil
	}
	items, err := s.store.CurrentActivities(ctx, programID, now)
	if err != nil {
		return nil, err
	}
	// Tag with the version read before loading: a write that lands during
	// the load bumps it again, so the next request reloads.
	e.items, e.version, e.loaded = items, version, now
	return items, nil
}

// visibleTo returns what member uid sees now, in feed order.
func (s *Server) visibleTo(c *call, uid string, now time.Time) ([]*domain.Activity, error) {
	all, err := s.currentActivities(c.ctx, c.programID, c.version, now)
	if err != nil {
		return nil, err
	}
	aud, err := s.store.Audience(c.ctx, c.programID, uid)
	if err != nil {
		return nil, err
	}
	var out []*domain.Activity
	for _, a := range all {
		if domain.Visible(a, aud, now) {
			out = append(out, a)
		}
	}
	domain.SortFeed(out)
	return out, nil
}

func (s *Server) feed(c *call, _ none) (client.Feed, error) {
	uid, zone := c.user.ID, c.user.Timezone
	if as := c.query("as_member"); as != "" && as != c.user.ID {
		if c.role != domain.RoleManager {
			return client.Feed{}, domain.Errorf(domain.CodeForbidden, "only managers can see another member's feed")
		}
		m, err := s.store.Member(c.ctx, c.programID, as)
		if err != nil {
			return client.Feed{}, err
		}
		uid, zone = m.User.ID, m.User.Timezone
	}
	now := s.now()
	items, err := s.visibleTo(c, uid, now)
	if err != nil {
		return client.Feed{}, err
	}
	done, err := s.store.PerformedSet(c.ctx, c.programID, uid)
	if err != nil {
		return client.Feed{}, err
	}
	out := client.Feed{MemberID: uid, Timezone: zone, Items: make([]client.FeedItem, 0, len(items))}
	for _, a := range items {
		out.Items = append(out.Items, toFeedItem(a, done[a.ID]))
	}
	return out, nil
}

func (s *Server) feedItem(c *call, _ none) (client.FeedItem, error) {
	items, err := s.visibleTo(c, c.user.ID, s.now())
	if err != nil {
		return client.FeedItem{}, err
	}
	for _, a := range items {
		if a.ID == c.path("aid") {
			done, err := s.store.Performed(c.ctx, a.ID, c.user.ID)
			return toFeedItem(a, done), err
		}
	}
	return client.FeedItem{}, domain.Errorf(domain.CodeNotFound, "this activity is no longer in your feed")
}
