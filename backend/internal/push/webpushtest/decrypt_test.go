package webpushtest

import (
	"crypto/ecdh"
	"encoding/base64"
	"testing"
)

// RFC 8291 §5 and Appendix A.
const (
	rfcPlaintext = "When I grow up, I want to be a watermelon"
	rfcUAPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
	rfcUAPublic  = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
	rfcAuth      = "BTBZMqHH6r4Tts7J_aSIgg"
	rfcBody      = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
)

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rfcKeys(t *testing.T) (*ecdh.PrivateKey, []byte) {
	t.Helper()
	priv, err := ecdh.P256().NewPrivateKey(b64(t, rfcUAPrivate))
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()); got != rfcUAPublic {
		t.Fatalf("public key derived from the RFC private key = %s", got)
	}
	return priv, b64(t, rfcAuth)
}

func TestDecryptRFC8291Vector(t *testing.T) {
	priv, auth := rfcKeys(t)
	got, err := Decrypt(b64(t, rfcBody), priv, auth)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != rfcPlaintext {
		t.Errorf("plaintext = %q", got)
	}
}

func TestDecryptRefusesTampering(t *testing.T) {
	priv, auth := rfcKeys(t)
	body := b64(t, rfcBody)
	tests := map[string]func() ([]byte, *ecdh.PrivateKey, []byte){
		"flipped ciphertext bit": func() ([]byte, *ecdh.PrivateKey, []byte) {
			b := append([]byte(nil), body...)
			b[len(b)-20] ^= 1
			return b, priv, auth
		},
		"flipped salt bit": func() ([]byte, *ecdh.PrivateKey, []byte) {
			b := append([]byte(nil), body...)
			b[0] ^= 1
			return b, priv, auth
		},
		"wrong auth secret": func() ([]byte, *ecdh.PrivateKey, []byte) {
			a := append([]byte(nil), auth...)
			a[0] ^= 1
			return body, priv, a
		},
		"truncated": func() ([]byte, *ecdh.PrivateKey, []byte) { return body[:30], priv, auth },
		"record size too small": func() ([]byte, *ecdh.PrivateKey, []byte) {
			b := append([]byte(nil), body...)
			b[16], b[17], b[18], b[19] = 0, 0, 0, 17
			return b, priv, auth
		},
	}
	for name, mk := range tests {
		b, p, a := mk()
		if _, err := Decrypt(b, p, a); err == nil {
			t.Errorf("%s: decrypted", name)
		}
	}
}
