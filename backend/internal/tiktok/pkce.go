package tiktok

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// NewPKCE returns a fresh code verifier and its S256 code challenge.
//
// 32 random bytes give a 43-character base64url verifier, the shortest RFC 7636
// §4.1 allows, with 256 bits of entropy; the verifier must be kept server-side
// (next to the state nonce) until the callback exchanges the code.
func NewPKCE() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error since Go 1.24.
	verifier = base64.RawURLEncoding.EncodeToString(b)
	return verifier, ChallengeS256(verifier)
}

// ChallengeS256 derives the code_challenge for a verifier. See the package
// documentation for why this is base64url (RFC 7636) and not hex.
func ChallengeS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
