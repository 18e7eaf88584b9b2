package secret

import (
	"errors"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	k, err := New(strings.Repeat("k", 32))
	if err != nil {
		t.Fatal(err)
	}
	s := k.Seal("act.secret-token")
	if strings.Contains(s, "secret-token") || s == k.Seal("act.secret-token") {
		t.Fatalf("sealed text leaks or repeats: %s", s)
	}
	if got, err := k.Open(s); err != nil || got != "act.secret-token" {
		t.Fatalf("open: %q %v", got, err)
	}
	other, _ := New(strings.Repeat("x", 32))
	if _, err := other.Open(s); !errors.Is(err, ErrOpen) {
		t.Fatalf("another key opened it: %v", err)
	}
	if _, err := k.Open(s[:len(s)-2] + "AA"); !errors.Is(err, ErrOpen) {
		t.Fatalf("a damaged value opened: %v", err)
	}
	if _, err := New("short"); err == nil {
		t.Fatal("a short secret was accepted")
	}
}

func TestLoadOrCreate(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadOrCreate("", dir)
	if err != nil || len(a) < MinLength {
		t.Fatalf("created %q %v", a, err)
	}
	b, _ := LoadOrCreate("", dir)
	if a != b {
		t.Fatal("a second start made a new key")
	}
	if c, _ := LoadOrCreate("configured-secret-configured-secret", dir); c != "configured-secret-configured-secret" {
		t.Fatal("the configured secret must win")
	}
}
