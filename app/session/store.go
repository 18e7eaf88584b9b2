package session

import (
	"errors"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// Store keeps JSON documents by name (the app's storage on every driver:
// files on desktop and phones, the browser's storage on the web). A Save
// must leave the previous document or the new one, never half of one.
type Store interface {
	// Load reads name into v; ErrNotCached when it was never saved.
	Load(name string, v any) error
	Save(name string, v any) error
	Delete(name string) error
}

// ErrNotCached is what Store.Load answers for a name never saved.
var ErrNotCached = errors.New("not cached")

// CachedFeed is a program's feed as last fetched, with when.
type CachedFeed struct {
	Feed client.Feed `json:"feed"`
	At   time.Time   `json:"at"`
}

func meFile(uid string) string { return "me-" + uid + ".json" }

func feedFile(s Session) string { return "feed-" + s.UserID + "-" + s.ProgramID + ".json" }

// LoadMe is the profile saved at the last sign-in of uid.
func (e *Engine) LoadMe(uid string) (client.Me, error) {
	var me client.Me
	err := e.store.Load(meFile(uid), &me)
	return me, err
}

// SaveMe keeps the profile for the next start.
func (e *Engine) SaveMe(me client.Me) error { return e.store.Save(meFile(me.ID), me) }

// LoadFeed is the feed of s's program as last saved for s's person.
func (e *Engine) LoadFeed(s Session) (CachedFeed, error) {
	var f CachedFeed
	err := e.store.Load(feedFile(s), &f)
	return f, err
}

// SaveFeed keeps the feed as shown, for the next start.
func (e *Engine) SaveFeed(s Session, f CachedFeed) error { return e.store.Save(feedFile(s), f) }
