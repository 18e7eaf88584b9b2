package tiktok

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

var stateKey = []byte("0123456789abcdef0123456789abcdef")

func TestStateRoundTrip(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := SignState(stateKey, StateData{UserID: "usr_42"}, now)
	got, err := VerifyState(stateKey, s, now.Add(StateTTL))
	if err != nil {
		t.Fatalf("VerifyState at the 10-minute edge: %v", err)
	}
	if got.UserID != "usr_42" || got.Nonce == "" || !got.Issued.Equal(now) {
		t.Fatalf("payload = %+v", got)
	}
	other := SignState(stateKey, StateData{UserID: "usr_42"}, now)
	if o, _ := VerifyState(stateKey, other, now); o.Nonce == got.Nonce {
		t.Fatal("two states share a nonce")
	}
	kept := SignState(stateKey, StateData{UserID: "u", Nonce: "given"}, now)
	if k, _ := VerifyState(stateKey, kept, now); k.Nonce != "given" {
		t.Fatalf("nonce not kept: %+v", k)
	}
}

func TestStateRejects(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	good := SignState(stateKey, StateData{UserID: "usr_42"}, now)
	msg, sig, _ := strings.Cut(good, ".")
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"u":"usr_admin","n":"x","i":` + "1772366400" + `}`))

	tests := []struct {
		name string
		key  []byte
		s    string
		now  time.Time
		want error
	}{
		{"expired", stateKey, good, now.Add(StateTTL + time.Second), ErrStateExpired},
		{"issued in the future", stateKey, good, now.Add(-2 * time.Minute), ErrStateInvalid},
		{"other key", []byte("another key of thirty-two bytes!"), good, now, ErrStateInvalid},
		{"empty key", nil, good, now, ErrStateInvalid},
		{"payload swapped", stateKey, forged + "." + sig, now, ErrStateInvalid},
		{"signature cut", stateKey, msg + "." + sig[:10], now, ErrStateInvalid},
		{"no signature", stateKey, msg, now, ErrStateInvalid},
		{"garbage", stateKey, "%%%.***", now, ErrStateInvalid},
		{"empty", stateKey, "", now, ErrStateInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := VerifyState(tt.key, tt.s, tt.now); !errors.Is(err, tt.want) {
				t.Fatalf("VerifyState = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestStateIsURLSafe(t *testing.T) {
	s := SignState(stateKey, StateData{UserID: "usr/with+odd chars"}, time.Now())
	if strings.ContainsAny(s, "+/= &?#") {
		t.Fatalf("state %q needs escaping", s)
	}
}

func TestPKCE(t *testing.T) {
	v, c := NewPKCE()
	if len(v) < 43 || len(v) > 128 {
		t.Fatalf("verifier length %d outside RFC 7636's 43–128", len(v))
	}
	// RFC 7636 Appendix B's example pair.
	if got := ChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("ChallengeS256 = %q", got)
	}
	if c != ChallengeS256(v) {
		t.Fatal("challenge does not match verifier")
	}
	if v2, _ := NewPKCE(); v2 == v {
		t.Fatal("verifiers repeat")
	}
}
