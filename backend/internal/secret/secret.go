// Package secret seals small secrets (outside services' tokens) with
// AES-256-GCM before they reach the database, and derives the keys Chorus
// needs from one configured secret.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Keys are the keys derived from the server's secret.
type Keys struct {
	box   cipher.AEAD
	state []byte
}

// MinLength is the shortest configured secret accepted.
const MinLength = 32

// New derives the keys from a configured secret (32+ characters).
func New(master string) (*Keys, error) {
	if len(master) < MinLength {
		return nil, fmt.Errorf("the secret key must be at least %d characters (set CHORUS_SECRET_KEY or CHORUS_SECRET_KEY_FILE)", MinLength)
	}
	block, err := aes.NewCipher(derive(master, "chorus token encryption v1"))
	if err != nil {
		return nil, err
	}
	box, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keys{box: box, state: derive(master, "chorus oauth state v1")}, nil
}

// derive gives independent 32-byte keys per purpose from one secret.
func derive(master, purpose string) []byte {
	m := hmac.New(sha256.New, []byte(master))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// LoadOrCreate returns the configured secret, or the one kept in dataDir,
// creating it on first start. Several instances sharing a database must be
// given the same configured secret instead.
func LoadOrCreate(configured, dataDir string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	path := filepath.Join(dataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	s := base64.RawURLEncoding.EncodeToString(b)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	// O_EXCL: two processes starting at once agree on the first key written.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreate("", dataDir)
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.WriteString(s + "\n"); err != nil {
		return "", err
	}
	return s, f.Sync()
}

// Seal encrypts plaintext; the result is text safe for a database column.
func (k *Keys) Seal(plaintext string) string {
	nonce := make([]byte, k.box.NonceSize())
	_, _ = rand.Read(nonce)
	out := k.box.Seal(nonce, nonce, []byte(plaintext), nil)
	return "v1:" + base64.RawStdEncoding.EncodeToString(out)
}

// ErrOpen is returned for text that was not sealed with these keys.
var ErrOpen = errors.New("secret: cannot decrypt (wrong key or damaged value)")

// Open decrypts what Seal made.
func (k *Keys) Open(sealed string) (string, error) {
	b64, ok := strings.CutPrefix(sealed, "v1:")
	if !ok {
		return "", ErrOpen
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) < k.box.NonceSize() {
		return "", ErrOpen
	}
	n := k.box.NonceSize()
	plain, err := k.box.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

// StateKey signs OAuth states.
func (k *Keys) StateKey() []byte { return k.state }

// Derive returns a key for another purpose (e.g. the visitor-hash salts).
func (k *Keys) Derive(purpose string) []byte { return derive(string(k.state), purpose) }
