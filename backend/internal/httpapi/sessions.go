package httpapi

import (
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// cacheTTL is how long a session or a membership may be answered from
// memory. Every request otherwise starts with database lookups. A change made
// through this instance applies here at once; on another instance sharing
// the database (PostgreSQL), a logout or a removal from a program takes
// effect within this time.
const cacheTTL = 10 * time.Second

// ttlCache is a small map whose entries are trusted for cacheTTL.
type ttlCache[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v       V
	fetched time.Time
}

func (c *ttlCache[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || now.Sub(e.fetched) > cacheTTL || now.Before(e.fetched) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *ttlCache[K, V]) put(k K, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[K]ttlEntry[V]{}
	}
	// Stale entries leave whenever the map reaches another multiple of
	// 1024, so memory follows the active keys.
	if len(c.m) >= 1024 && len(c.m)%1024 == 0 {
		for k, e := range c.m {
			if now.Sub(e.fetched) > cacheTTL {
				delete(c.m, k)
			}
		}
	}
	c.m[k] = ttlEntry[V]{v: v, fetched: now}
}

// forget drops the entries for which drop says so.
func (c *ttlCache[K, V]) forget(drop func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if drop(k, e.v) {
			delete(c.m, k)
		}
	}
}

// update rewrites the entries for which change returns true.
func (c *ttlCache[K, V]) update(change func(K, *V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if change(k, &e.v) {
			c.m[k] = e
		}
	}
}

type memberKey struct{ program, user string }

// caches holds what requests would otherwise read on every call.
type caches struct {
	sessions    ttlCache[string, domain.User]          // token hash -> user
	memberships ttlCache[memberKey, domain.Membership] // -> role
}

func (c *caches) forgetSession(hash string) {
	c.sessions.forget(func(k string, _ domain.User) bool { return k == hash })
}

func (c *caches) updateUser(u domain.User) {
	c.sessions.update(func(_ string, v *domain.User) bool {
		if v.ID != u.ID {
			return false
		}
		*v = u
		return true
	})
}

// forgetMembers drops a program's cached memberships (roles or members changed).
func (c *caches) forgetMembers(programID string) {
	c.memberships.forget(func(k memberKey, _ domain.Membership) bool { return k.program == programID })
}
