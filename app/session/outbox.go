package session

import (
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"
)

const outboxFile = "outbox.json"

// PendingPerform is a perform the server has not confirmed yet. Its
// ClientActionID is chosen once, when the member taps, and every retry sends
// the same one: the server then gives the points once however often it
// hears it.
type PendingPerform struct {
	ClientActionID string    `json:"client_action_id"`
	Server         string    `json:"server"`
	UserID         string    `json:"user_id"`
	ProgramID      string    `json:"program_id"`
	ActivityID     string    `json:"activity_id"`
	Surface        string    `json:"surface"`
	QueuedAt       time.Time `json:"queued_at"`
}

// Outbox is the persisted queue of pending performs. It is saved before a
// perform is first sent, so a crash or a dead network never loses a tap.
type Outbox struct {
	mu    sync.Mutex
	store Store
	items []PendingPerform
}

// OpenOutbox loads the queue saved in store.
func OpenOutbox(store Store) (*Outbox, error) {
	o := &Outbox{store: store}
	if err := store.Load(outboxFile, &o.items); err != nil && !errors.Is(err, ErrNotCached) {
		return o, err
	}
	return o, nil
}

// NewActionID makes a fresh idempotency key.
func NewActionID() string { return uuid.NewString() }

// Add queues p, or returns the entry already queued for the same activity:
// a second tap while the first is pending is the same perform.
func (o *Outbox) Add(p PendingPerform) (PendingPerform, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, q := range o.items {
		if q.Server == p.Server && q.UserID == p.UserID && q.ProgramID == p.ProgramID && q.ActivityID == p.ActivityID {
			return q, nil
		}
	}
	o.items = append(o.items, p)
	if err := o.store.Save(outboxFile, o.items); err != nil {
		o.items = o.items[:len(o.items)-1]
		return p, err
	}
	return p, nil
}

// Remove drops the entry with this client action id.
func (o *Outbox) Remove(clientActionID string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, q := range o.items {
		if q.ClientActionID == clientActionID {
			o.items = append(o.items[:i:i], o.items[i+1:]...)
			return o.store.Save(outboxFile, o.items)
		}
	}
	return nil
}

// For lists the queue of one person on one server, oldest first.
func (o *Outbox) For(server, userID string) []PendingPerform {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []PendingPerform
	for _, q := range o.items {
		if q.Server == server && q.UserID == userID {
			out = append(out, q)
		}
	}
	return out
}

// Pending returns the activity ids waiting in one program.
func (o *Outbox) Pending(server, userID, programID string) map[string]bool {
	m := map[string]bool{}
	for _, q := range o.For(server, userID) {
		if q.ProgramID == programID {
			m[q.ActivityID] = true
		}
	}
	return m
}
