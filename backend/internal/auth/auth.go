// Package auth hashes passwords (argon2id), makes opaque tokens and limits
// login attempts.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id costs. The defaults follow RFC 9106's second
// recommended option (64 MiB, 3 passes) scaled to one lane per login so a
// 2-core server still answers a burst of logins.
type Params struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultParams are used for new hashes.
var DefaultParams = Params{Time: 3, Memory: 64 * 1024, Threads: 1}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// HashPassword returns an encoded argon2id hash in the PHC string format.
func HashPassword(password string, p Params) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := derive(password, salt, p, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// ErrMismatch is returned for a wrong password.
var ErrMismatch = errors.New("password does not match")

// CheckPassword compares a password with an encoded hash in constant time.
func CheckPassword(password, encoded string) error {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return ErrMismatch // also: no password set yet (pending invite)
	}
	var p Params
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return fmt.Errorf("bad argon2 parameters %q", parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return fmt.Errorf("bad salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return fmt.Errorf("bad key: %w", err)
	}
	got := derive(password, salt, p, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// derivations counts argon2id runs, so tests can see that every sign-in
// answer costs one.
var derivations atomic.Int64

func derive(password string, salt []byte, p Params, n uint32) []byte {
	derivations.Add(1)
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, n)
}

// Verify is CheckPassword for sign-ins: an empty hash (no such account, or
// an invited person without a password yet) is checked against a dummy hash
// of p and never matches, so every answer costs one hash and timing tells
// nothing about who has an account.
func Verify(password, encoded string, p Params) error {
	if encoded != "" {
		return CheckPassword(password, encoded)
	}
	_ = CheckPassword(password, dummyHash(p))
	return ErrMismatch
}

var dummy struct {
	sync.Mutex
	params Params
	hash   string
}

func dummyHash(p Params) string {
	dummy.Lock()
	defer dummy.Unlock()
	if dummy.params != p || dummy.hash == "" {
		dummy.hash, dummy.params = HashPassword("not a password", p), p
	}
	return dummy.hash
}

// NewToken returns a random opaque token (for sessions and invite codes) and
// the hash under which it is stored: a database leak yields no usable token.
func NewToken(bytes int) (token, hash string) {
	b := make([]byte, bytes)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token. Tokens carry enough entropy that
// a fast hash is right here (unlike passwords).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewInviteCode returns a code people can type or paste: 10 characters from
// an alphabet without look-alikes (≈50 bits), grouped for reading.
func NewInviteCode() (code, hash string) {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	out := make([]byte, 0, 11)
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(c)%len(alphabet)])
	}
	code = string(out)
	return code, HashInviteCode(code)
}

// HashInviteCode normalizes what a person typed (case, spaces, dashes) and hashes it.
func HashInviteCode(code string) string {
	code = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	return HashToken(code)
}
