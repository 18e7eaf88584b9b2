package tiktok

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// StateTTL is how long a consent round trip may take. Ten minutes covers a
// member who has to log in to TikTok first, and matches the lifetime RFC
// 6749 §4.1.2 recommends for the authorization code it protects.
const StateTTL = 10 * time.Minute

// stateClockSkew tolerates a state issued by another backend instance whose
// clock runs slightly ahead.
const stateClockSkew = time.Minute

// Errors from VerifyState.
var (
	ErrStateInvalid = errors.New("tiktok: OAuth state is malformed or was not issued by us")
	ErrStateExpired = errors.New("tiktok: OAuth state has expired; start connecting TikTok again")
)

// StateData is what the OAuth state carries through TikTok and back.
type StateData struct {
	UserID string
	Nonce  string
	Issued time.Time
}

type stateWire struct {
	U string `json:"u"`
	N string `json:"n"`
	I int64  `json:"i"`
}

// SignState makes the state parameter for AuthorizeURL: the payload, MAC'd
// with HMAC-SHA256 under key, so the callback can trust the member ID in it
// without a session cookie (the browser may come back in another tab or app).
// An empty Nonce is filled with a random one; Issued is set to now.
//
// The MAC proves we issued it, not that it is used once: the caller must
// store the nonce (with the PKCE verifier) and delete it in the callback, so
// a replayed state finds nothing. key must be secret and at least 32 bytes.
func SignState(key []byte, payload StateData, now time.Time) string {
	if payload.Nonce == "" {
		payload.Nonce = rand.Text()
	}
	b, _ := json.Marshal(stateWire{U: payload.UserID, N: payload.Nonce, I: now.Unix()})
	msg := base64.RawURLEncoding.EncodeToString(b)
	return msg + "." + base64.RawURLEncoding.EncodeToString(stateMAC(key, msg))
}

// VerifyState checks a state from the callback and returns its payload.
func VerifyState(key []byte, s string, now time.Time) (StateData, error) {
	if len(key) == 0 {
		return StateData{}, ErrStateInvalid
	}
	msg, sig, ok := strings.Cut(s, ".")
	if !ok {
		return StateData{}, ErrStateInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, stateMAC(key, msg)) {
		return StateData{}, ErrStateInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(msg)
	if err != nil {
		return StateData{}, ErrStateInvalid
	}
	var w stateWire
	if err := json.Unmarshal(raw, &w); err != nil || w.N == "" {
		return StateData{}, ErrStateInvalid
	}
	issued := time.Unix(w.I, 0)
	if issued.After(now.Add(stateClockSkew)) {
		return StateData{}, ErrStateInvalid
	}
	if now.Sub(issued) > StateTTL {
		return StateData{}, ErrStateExpired
	}
	return StateData{UserID: w.U, Nonce: w.N, Issued: issued}, nil
}

func stateMAC(key []byte, msg string) []byte {
	// Domain-separate from any other use of the same server key.
	m := hmac.New(sha256.New, key)
	m.Write([]byte("chorus/tiktok-oauth-state\x00"))
	m.Write([]byte(msg))
	return m.Sum(nil)
}
