//go:build unix

package mediacheck

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A named pipe must be refused, not waited on: opening one blocks until a
// writer appears, which for a probe means forever.
func TestProbeFileNamedPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe.mp4")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ProbeFile(path)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrUnreadable) {
			t.Errorf("err = %v, want ErrUnreadable", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ProbeFile blocked on a named pipe")
	}
}
