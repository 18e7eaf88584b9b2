package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSMTP(t *testing.T) {
	c, _, err := load(t, nil, nil)
	if err != nil || c.SMTP.Enabled() || c.SMTP.TLS != "starttls" {
		t.Fatalf("default: %+v %v", c.SMTP, err)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("hunter22\n"), 0o600)
	c, _, err = load(t, nil, map[string]string{EnvSMTPHost: "smtp.example.com", EnvSMTPPort: "465", EnvSMTPTLS: "TLS",
		EnvSMTPUsername: "chorus", EnvSMTPPassword + "_FILE": pw, EnvSMTPFrom: "Chorus <chorus@example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	want := SMTP{Host: "smtp.example.com", Port: 465, Username: "chorus", Password: "hunter22", From: "Chorus <chorus@example.com>", TLS: "tls"}
	if c.SMTP != want || !c.SMTP.Enabled() {
		t.Fatalf("got %+v", c.SMTP)
	}
	for _, tc := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{EnvSMTPHost: "h"}, []string{EnvSMTPFrom, "is required"}},
		{map[string]string{EnvSMTPFrom: "a@b.test"}, []string{EnvSMTPHost, "is empty"}},
		{map[string]string{EnvSMTPHost: "h", EnvSMTPFrom: "not an address"}, []string{EnvSMTPFrom, "must be an email address"}},
		{map[string]string{EnvSMTPHost: "h", EnvSMTPFrom: "a@b.test", EnvSMTPPort: "99999", EnvSMTPTLS: "ssl"}, []string{EnvSMTPPort, EnvSMTPTLS, "starttls, tls or none"}},
		{map[string]string{EnvSMTPHost: "h", EnvSMTPFrom: "a@b.test", EnvSMTPPassword: "x"}, []string{EnvSMTPUsername + " is required"}},
		{map[string]string{EnvSMTPHost: "h", EnvSMTPFrom: "a@b.test", EnvSMTPUsername: "u", EnvSMTPTLS: "none"}, []string{"unencrypted"}},
	} {
		_, _, err := load(t, nil, tc.env)
		if err == nil {
			t.Errorf("%v accepted", tc.env)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: %q does not say %q", tc.env, err, w)
			}
		}
	}
}
