package auth

import "testing"

func TestCommonPassword(t *testing.T) {
	for _, pw := range []string{"password", "Password123", "QWERTYUIOP", "12345678", " iloveyou ", "woaini1314"} {
		if !CommonPassword(pw) {
			t.Errorf("%q not refused", pw)
		}
	}
	for _, pw := range []string{"correct horse battery", "password-123", "Zq8#vL2m"} {
		if CommonPassword(pw) {
			t.Errorf("%q refused", pw)
		}
	}
	if len(common) < 250 {
		t.Errorf("only %d common passwords", len(common))
	}
}
