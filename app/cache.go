package app

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/chorus-advocacy/chorus/app/session"
)

// Cache keeps JSON documents in the app's storage (files on every driver):
// the session engine's Store (the last feed per program, the signed-in
// person, the offline queue). Writes go to a temporary file that is then
// renamed, so a crash mid-write leaves the previous document, never half of
// one.
type Cache struct {
	root fyne.URI
}

// NewCache stores under root (the app's Storage().RootURI(), or a test dir).
func NewCache(root fyne.URI) *Cache { return &Cache{root: root} }

var _ session.Store = (*Cache)(nil)

// errNotCached is returned by Load when nothing was saved under the name.
var errNotCached = session.ErrNotCached

// Load reads name into v; errNotCached when it was never saved.
func (c *Cache) Load(name string, v any) error {
	u, err := storage.Child(c.root, name)
	if err != nil {
		return err
	}
	// Asked first: the browser's storage hands out a reader for a file
	// that is not there and fails only on reading.
	if ok, err := storage.Exists(u); err == nil && !ok {
		return errNotCached
	}
	r, err := storage.Reader(u)
	if err != nil {
		if ok, _ := storage.Exists(u); !ok {
			return errNotCached
		}
		return err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("cache %s: %w", name, err)
	}
	return nil
}

// Save writes v under name.
func (c *Cache) Save(name string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := c.ensureRoot(); err != nil {
		return err
	}
	u, err := storage.Child(c.root, name)
	if err != nil {
		return err
	}
	tmp, err := storage.Child(c.root, name+".tmp")
	if err != nil {
		return err
	}
	w, err := storage.Writer(tmp)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return err
	}
	if s, ok := w.(interface{ Sync() error }); ok {
		if err := s.Sync(); err != nil {
			w.Close()
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return storage.Move(tmp, u)
}

// Delete forgets name; deleting what is not there is fine.
func (c *Cache) Delete(name string) error {
	u, err := storage.Child(c.root, name)
	if err != nil {
		return err
	}
	if ok, _ := storage.Exists(u); !ok {
		return nil
	}
	return storage.Delete(u)
}

func (c *Cache) ensureRoot() error {
	if c.root.Scheme() == "file" {
		return os.MkdirAll(c.root.Path(), 0o700)
	}
	return nil
}
