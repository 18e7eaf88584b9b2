package media

import (
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// Another program's request for an upload id (learnt somehow) is turned
// away before it can take the upload's lock, which would interrupt the
// owner's chunk in flight.
func TestUploadLockNeedsTheProgram(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, _ := newService(t, st, time.Now)
		progA, mgrA := program(t, st)
		progB, _ := program(t, st)
		u, err := s.CreateUpload(ctx, progA.ID, mgrA.ID, "wechat_photo", "a.jpg", 100)
		if err != nil {
			t.Fatal(err)
		}
		pr, pw := io.Pipe()
		var interrupted atomic.Bool
		interrupt := func() {
			interrupted.Store(true)
			pr.CloseWithError(io.ErrUnexpectedEOF) // as a read deadline would
		}
		type result struct {
			off int64
			err error
		}
		done := make(chan result, 1)
		go func() {
			off, err := s.Append(ctx, progA.ID, u.ID, 0, 100, pr, interrupt)
			done <- result{off, err}
		}()
		// Once the first bytes are read, A's request holds the lock.
		if _, err := pw.Write(make([]byte, 40)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Append(ctx, progB.ID, u.ID, 0, 10, io.LimitReader(zeros{}, 10), func() {}); !isNotFound(err) {
			t.Fatalf("B's chunk for A's upload: %v, want not found", err)
		}
		if _, err := s.Complete(ctx, progB.ID, u.ID); !isNotFound(err) {
			t.Fatalf("B's complete of A's upload: %v, want not found", err)
		}
		if interrupted.Load() {
			t.Fatal("B's requests interrupted A's chunk in flight")
		}
		if _, err := pw.Write(make([]byte, 60)); err != nil {
			t.Fatalf("A's chunk was cut: %v", err)
		}
		pw.Close()
		r := <-done
		if r.err != nil || r.off != 100 {
			t.Fatalf("A's chunk: offset %d, %v; want 100, nil", r.off, r.err)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
