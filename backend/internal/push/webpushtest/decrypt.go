package webpushtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Decrypt opens an RFC 8291 message (aes128gcm content coding, RFC 8188)
// as the browser would, with the user agent's private key and auth secret.
// It is written from the RFCs, independently of the sender's library, so a
// round trip checks the sender rather than agreeing with it.
func Decrypt(body []byte, uaPrivate *ecdh.PrivateKey, authSecret []byte) ([]byte, error) {
	// Header: salt(16) | rs(4) | idlen(1) | keyid(idlen).
	if len(body) < 21 {
		return nil, errors.New("webpush: body shorter than the aes128gcm header")
	}
	salt := body[:16]
	rs := binary.BigEndian.Uint32(body[16:20])
	idlen := int(body[20])
	if rs < 18 {
		return nil, fmt.Errorf("webpush: record size %d below the minimum of 18", rs)
	}
	if len(body) < 21+idlen {
		return nil, errors.New("webpush: truncated key id")
	}
	asPublicBytes := body[21 : 21+idlen]
	ciphertext := body[21+idlen:]
	if len(ciphertext) == 0 {
		return nil, errors.New("webpush: no records")
	}

	// RFC 8291 §3.4: the key id carries the sender's ephemeral public key.
	asPublic, err := ecdh.P256().NewPublicKey(asPublicBytes)
	if err != nil {
		return nil, fmt.Errorf("webpush: key id is not a P-256 public key: %w", err)
	}
	ecdhSecret, err := uaPrivate.ECDH(asPublic)
	if err != nil {
		return nil, fmt.Errorf("webpush: ECDH: %w", err)
	}
	// RFC 8291 §3.3: IKM = HKDF(auth_secret, ecdh_secret,
	// "WebPush: info" || 0x00 || ua_public || as_public, 32).
	keyInfo := append([]byte("WebPush: info\x00"), uaPrivate.PublicKey().Bytes()...)
	keyInfo = append(keyInfo, asPublicBytes...)
	ikm, err := hkdf.Key(sha256.New, ecdhSecret, authSecret, string(keyInfo), 32)
	if err != nil {
		return nil, err
	}
	// RFC 8188 §2.2 and §2.3: CEK and nonce from the salt.
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	baseNonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}

	var out bytes.Buffer
	for seq := uint64(0); len(ciphertext) > 0; seq++ {
		n := min(int(rs), len(ciphertext))
		record := ciphertext[:n]
		ciphertext = ciphertext[n:]
		last := len(ciphertext) == 0

		nonce := append([]byte(nil), baseNonce...)
		var seqBytes [8]byte
		binary.BigEndian.PutUint64(seqBytes[:], seq)
		for i := 0; i < 8; i++ {
			nonce[4+i] ^= seqBytes[i]
		}
		plain, err := gcm.Open(nil, nonce, record, nil)
		if err != nil {
			return nil, fmt.Errorf("webpush: record %d: %w", seq, err)
		}
		// Strip padding: zeros after a delimiter that is 0x02 in the last
		// record and 0x01 in the others (RFC 8188 §2).
		i := len(plain) - 1
		for i >= 0 && plain[i] == 0 {
			i--
		}
		if i < 0 {
			return nil, fmt.Errorf("webpush: record %d has no padding delimiter", seq)
		}
		want := byte(1)
		if last {
			want = 2
		}
		if plain[i] != want {
			return nil, fmt.Errorf("webpush: record %d delimiter is %#x, want %#x", seq, plain[i], want)
		}
		out.Write(plain[:i])
	}
	return out.Bytes(), nil
}
