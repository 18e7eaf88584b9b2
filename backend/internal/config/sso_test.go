package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSSO(t *testing.T) {
	c, _, err := load(t, nil, nil)
	if err != nil || c.SSO.Program != "" || !c.SSO.PasswordLogin {
		t.Fatalf("default: %+v %v", c.SSO, err)
	}
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	c, _, err = load(t, nil, map[string]string{EnvSSOProgram: "prg_1", EnvSSOIssuer: "https://login.example.com/", EnvSSOClientID: "chorus",
		EnvSSOClientSecret + "_FILE": secret, EnvSSODomains: "Example.com, @example.cn", EnvSSOName: "Example", EnvSSOPasswordLogin: "false"})
	if err != nil {
		t.Fatal(err)
	}
	if s := c.SSO; s.Program != "prg_1" || s.Issuer != "https://login.example.com" || s.ClientSecret != "s3cret" || s.Name != "Example" ||
		s.PasswordLogin || !slices.Equal(s.Domains, []string{"example.com", "example.cn"}) {
		t.Fatalf("got %+v", s)
	}
	for _, tc := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{EnvSSOIssuer: "https://x.test"}, []string{EnvSSOProgram, "is empty"}},
		{map[string]string{EnvSSOProgram: "prg_1"}, []string{EnvSSOIssuer, EnvSSOClientID, EnvSSOClientSecret, EnvSSODomains}},
		{map[string]string{EnvSSOProgram: "prg_1", EnvSSOIssuer: "http://login.example.com", EnvSSOClientID: "c", EnvSSOClientSecret: "s", EnvSSODomains: "example.com"}, []string{"https"}},
		{map[string]string{EnvSSODomains: "not a domain"}, []string{EnvSSODomains, "email domain"}},
		{map[string]string{EnvSSOPasswordLogin: "perhaps"}, []string{EnvSSOPasswordLogin, "true or false"}},
	} {
		_, _, err := load(t, nil, tc.env)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%v: %v, want %q", tc.env, err, w)
			}
		}
	}
}
