package config

import (
	"context"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch reloads the config file when it changes and calls onChange with the
// outcome, until ctx ends. It watches the file's directory, because editors
// and config-management tools replace files rather than write them in place.
func (l *Loader) Watch(ctx context.Context, onChange func(Change)) error {
	if l.file == "" {
		return nil
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(l.file)
	if err != nil {
		w.Close()
		return err
	}
	if err := w.Add(filepath.Dir(abs)); err != nil {
		w.Close()
		return err
	}
	go func() {
		defer w.Close()
		// Writes come in bursts; settle before reading.
		var settle <-chan time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if p, _ := filepath.Abs(ev.Name); p == abs {
					settle = time.After(100 * time.Millisecond)
				}
			case <-w.Errors:
			case <-settle:
				settle = nil
				onChange(l.Reload())
			}
		}
	}()
	return nil
}
