package httpapi

import (
	"cmp"
	"sync"

	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// keptCache keeps values between requests, up to max of them (maxKept if
// unset): past it, an arbitrary one leaves for each that comes. A value says
// itself whether it still holds (a stamp read from the database, or a
// store.Mark).
type keptCache[K comparable, V any] struct {
	mu  sync.RWMutex
	m   map[K]V
	max int
}

// maxKept bounds each kept cache: a member's view, audience or points for
// the 20,000 members most recently seen.
const maxKept = 20000

func (c *keptCache[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *keptCache[K, V]) put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[K]V{}
	}
	if _, ok := c.m[k]; !ok && len(c.m) >= cmp.Or(c.max, maxKept) {
		for old := range c.m { // map order: an arbitrary one
			delete(c.m, old)
			break
		}
	}
	c.m[k] = v
}

// marked is a value read from the store with the mark taken before reading.
type marked[V any] struct {
	v    V
	mark store.Mark
}

// readKept answers k's kept value while the store's changes say nothing its
// mark covers changed; else it reads (read) and keeps what it read under m,
// a mark taken before reading, when m can hold (PostgreSQL with its
// listener up), so the next request needs no round trip.
func readKept[K comparable, V any](c *keptCache[K, marked[V]], changes *store.Changes, k K, m store.Mark, read func() (V, error)) (V, error) {
	if kv, ok := c.get(k); ok && changes.Current(kv.mark) {
		return kv.v, nil
	}
	v, err := read()
	if err == nil && m.OK() {
		c.put(k, marked[V]{v, m})
	}
	return v, err
}
