package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var fast = Params{Time: 1, Memory: 1024, Threads: 1}

func TestPasswordRoundTrip(t *testing.T) {
	h := HashPassword("correct horse", fast)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash not in PHC form: %s", h)
	}
	if err := CheckPassword("correct horse", h); err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if err := CheckPassword("correct horsE", h); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: %v", err)
	}
	if err := CheckPassword("anything", ""); !errors.Is(err, ErrMismatch) {
		t.Fatalf("no hash (pending invite) must not match: %v", err)
	}
	if h2 := HashPassword("correct horse", fast); h2 == h {
		t.Fatal("two hashes of one password share a salt")
	}
}

// No account, no password yet and a wrong password cost one hash each.
func TestVerifyCostsOneHash(t *testing.T) {
	real := HashPassword("right one", fast)
	dummyHash(fast) // made once, not per check
	for _, c := range []struct{ name, hash string }{{"no password yet", ""}, {"wrong password", real}} {
		before := derivations.Load()
		if err := Verify("a guess", c.hash, fast); !errors.Is(err, ErrMismatch) {
			t.Fatalf("%s: %v", c.name, err)
		}
		if n := derivations.Load() - before; n != 1 {
			t.Fatalf("%s: %d hashes, want 1", c.name, n)
		}
	}
	if err := Verify("right one", real, fast); err != nil {
		t.Fatal(err)
	}
}

func TestTokens(t *testing.T) {
	tok, hash := NewToken(32)
	if len(tok) < 40 || HashToken(tok) != hash || hash == tok {
		t.Fatalf("token %q hash %q", tok, hash)
	}
	code, ch := NewInviteCode()
	if len(code) != 11 || code[5] != '-' {
		t.Fatalf("code shape %q", code)
	}
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	if HashInviteCode(typed) != ch {
		t.Fatalf("code typed as %q does not match", typed)
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(time.Minute, 3)
	now := time.Unix(1000, 0)
	var undo func()
	for i := 0; i < 3; i++ {
		ok, _, u := l.Try("a", now)
		if !ok {
			t.Fatalf("blocked after %d attempts", i)
		}
		undo = u
	}
	ok, wait, _ := l.Try("a", now)
	if ok || wait <= 0 || wait > time.Minute {
		t.Fatalf("after 3 attempts: ok=%v wait=%v", ok, wait)
	}
	if ok, _, _ := l.Try("b", now); !ok {
		t.Fatal("another key must have its own budget")
	}
	undo() // the last attempt succeeded: it costs nothing
	if ok, _, _ := l.Try("a", now); !ok {
		t.Fatal("an undone attempt must be given back")
	}
	if ok, _, _ := l.Try("a", now.Add(time.Minute)); !ok {
		t.Fatal("a refilled budget must allow one more")
	}
}

// Parallel attempts are counted as they start: exactly the budget gets
// through, never everyone who checked before the first failure was counted.
func TestLimiterParallel(t *testing.T) {
	l := NewLimiter(time.Hour, 10)
	b := NewBackoff(10, time.Second, time.Minute)
	now := time.Unix(1000, 0)
	var passed, passedB atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _, _ := l.Try("ip", now); ok {
				passed.Add(1)
			}
			if ok, _ := b.Try("acct", now); ok {
				passedB.Add(1)
			}
		}()
	}
	wg.Wait()
	if passed.Load() != 10 || passedB.Load() != 10 {
		t.Fatalf("passed %d and %d of 30, want 10 each", passed.Load(), passedB.Load())
	}
}

func TestBackoff(t *testing.T) {
	b := NewBackoff(3, time.Second, 8*time.Second)
	now := time.Unix(1000, 0)
	for i := 0; i < 3; i++ {
		if ok, _ := b.Try("a", now); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	// The third used the last free attempt: now 1 s, 2 s, 4 s, 8 s, 8 s …
	for _, want := range []time.Duration{1, 2, 4, 8, 8, 8} {
		ok, wait := b.Try("a", now)
		if ok || wait != want*time.Second {
			t.Fatalf("ok=%v wait=%v, want a wait of %ds", ok, wait, want)
		}
		now = now.Add(wait)
		if ok, _ := b.Try("a", now); !ok {
			t.Fatal("after the wait the owner may try again")
		}
	}
	b.Forget("a")
	if ok, _ := b.Try("a", now); !ok {
		t.Fatal("a success clears the count")
	}
	if ok, _ := b.Try("b", now); !ok {
		t.Fatal("another key has its own count")
	}
}

func TestGate(t *testing.T) {
	g := NewGate(2, 50*time.Millisecond)
	var running, most atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- g.Do(context.Background(), func() {
				n := running.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				<-release
				running.Add(-1)
			})
		}()
	}
	// Three of five find no slot within the wait while two hold theirs.
	busy := 0
	for i := 0; i < 3; i++ {
		if err := <-errs; errors.Is(err, ErrBusy) {
			busy++
		}
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a running hash failed: %v", err)
		}
	}
	if busy != 3 || most.Load() != 2 {
		t.Fatalf("busy %d (want 3), at most %d at once (want 2)", busy, most.Load())
	}
}
