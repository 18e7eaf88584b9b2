// Package media stores and serves the photos and videos activities use:
// resumable uploads checked by mediacheck, a storage seam (a local directory
// by default), image thumbnails, and the link-preview photo of WeChat Photo
// activities.
package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Storage keeps media bytes under keys like "prg_x/med_y". Objects are
// written once and never change, so a key's bytes are the same forever.
//
// The local directory below is the default. For several server instances
// sharing media, an S3-compatible implementation fits the same four methods:
// Put = PutObject (multipart above a few MiB), Open = an object whose Read
// and Seek issue ranged GETs (http.ServeContent only seeks to serve a Range),
// Stat = HeadObject, Delete = DeleteObject. Resumable uploads are staged on
// the receiving instance's disk until complete (see Service), so a load
// balancer must send one upload's requests to one instance (or the staging
// directory must be shared); once complete, any instance serves the media.
type Storage interface {
	// Put stores r's bytes under key, replacing nothing half-written: the
	// object appears whole or not at all.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Open opens an object for reading; ErrNotFound if there is none.
	Open(ctx context.Context, key string) (Object, error)
	// Stat describes an object; ErrNotFound if there is none.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// Delete removes an object; deleting a missing one is not an error.
	Delete(ctx context.Context, key string) error
}

// Object is an open stored object.
type Object interface {
	io.ReadSeekCloser
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Size    int64
	ModTime time.Time
}

// FilePutter is implemented by storages that can take a finished local file
// without copying it (the local directory renames it). Service uses it for
// completed uploads, so a 4 GB video is not copied a second time.
type FilePutter interface {
	PutFile(ctx context.Context, key, path string) error
}

// ErrNotFound is returned for keys without an object.
var ErrNotFound = errors.New("media: no such object")

// Local is Storage in a directory of the server's disk.
type Local struct {
	root string
}

var (
	_ Storage    = (*Local)(nil)
	_ FilePutter = (*Local)(nil)
)

// NewLocal returns storage in dir, creating it.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("media storage: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return &Local{root: abs}, nil
}

// Root is the directory objects live in.
func (l *Local) Root() string { return l.root }

// path maps a key to a file, refusing keys that could leave the root.
func (l *Local) path(key string) (string, error) {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") || strings.Contains(key, "\x00") {
		return "", fmt.Errorf("media storage: bad key %q", key)
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." || part == ".." || strings.HasPrefix(part, ".") {
			return "", fmt.Errorf("media storage: bad key %q", key)
		}
	}
	return filepath.Join(l.root, filepath.FromSlash(key)), nil
}

// Put writes to a temporary file, syncs it and renames it into place.
func (l *Local) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	p, err := l.path(key)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return 0, err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return 0, err
	}
	tmp := f.Name()
	n, err := copyBuffered(ctxWriter{ctx, f}, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return n, fmt.Errorf("media storage: put %s: %w", key, err)
	}
	syncDir(filepath.Dir(p))
	return n, nil
}

// PutFile moves a finished file (on the same file system) into place.
func (l *Local) PutFile(ctx context.Context, key, path string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	if err := os.Rename(path, p); err != nil {
		// Another file system: copy instead.
		f, oerr := os.Open(path)
		if oerr != nil {
			return fmt.Errorf("media storage: put %s: %w", key, err)
		}
		defer f.Close()
		if _, err := l.Put(ctx, key, f); err != nil {
			return err
		}
		os.Remove(path)
		return nil
	}
	syncDir(filepath.Dir(p))
	return nil
}

// Open opens the object's file; *os.File also reads at offsets (io.ReaderAt).
func (l *Local) Open(_ context.Context, key string) (Object, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Stat describes the object's file.
func (l *Local) Stat(_ context.Context, key string) (ObjectInfo, error) {
	p, err := l.path(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	st, err := os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return ObjectInfo{}, ErrNotFound
	}
	if err != nil {
		return ObjectInfo{}, err
	}
	return ObjectInfo{Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete removes the object's file.
func (l *Local) Delete(_ context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// syncDir makes a rename durable; failures only weaken durability.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// ctxWriter stops a long copy when its context ends.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
