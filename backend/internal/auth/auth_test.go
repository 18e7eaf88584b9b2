package auth

import (
	"strings"
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
	if err := CheckPassword("correct horsE", h); err != ErrMismatch {
		t.Fatalf("wrong password: %v", err)
	}
	if err := CheckPassword("anything", ""); err != ErrMismatch {
		t.Fatalf("no hash (pending invite) must not match: %v", err)
	}
	if h2 := HashPassword("correct horse", fast); h2 == h {
		t.Fatal("two hashes of one password share a salt")
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
	for i := 0; i < 3; i++ {
		if blocked, _ := l.Blocked("a", now); blocked {
			t.Fatalf("blocked after %d failures", i)
		}
		l.Take("a", now)
	}
	blocked, wait := l.Blocked("a", now)
	if !blocked || wait <= 0 || wait > time.Minute {
		t.Fatalf("after 3 failures: blocked=%v wait=%v", blocked, wait)
	}
	if blocked, _ := l.Blocked("b", now); blocked {
		t.Fatal("another key must have its own budget")
	}
	if blocked, _ := l.Blocked("a", now.Add(time.Minute)); blocked {
		t.Fatal("a refilled budget must allow one more")
	}
}
