package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWeCom(t *testing.T) {
	c, _, err := load(t, nil, nil)
	if err != nil || c.WeCom.Enabled() || c.WeCom.BaseURL != "https://qyapi.weixin.qq.com" {
		t.Fatalf("default: %+v %v", c.WeCom, err)
	}
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	c, _, err = load(t, nil, map[string]string{EnvWeComCorpID: "ww123", EnvWeComAgentID: "1000002", EnvWeComSecret + "_FILE": secret})
	if err != nil {
		t.Fatal(err)
	}
	if want := (WeCom{CorpID: "ww123", AgentID: 1000002, Secret: "s3cret", BaseURL: "https://qyapi.weixin.qq.com"}); c.WeCom != want || !c.WeCom.Enabled() {
		t.Fatalf("got %+v", c.WeCom)
	}
	for _, tc := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{EnvWeComCorpID: "ww1"}, []string{EnvWeComSecret, EnvWeComAgentID, "is required"}},
		{map[string]string{EnvWeComSecret: "x"}, []string{EnvWeComCorpID, "is empty"}},
		{map[string]string{EnvWeComCorpID: "ww1", EnvWeComSecret: "x", EnvWeComAgentID: "abc"}, []string{EnvWeComAgentID, "positive number"}},
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

// TestChannelSettingsReload: SMTP and WeCom settings apply without a
// restart.
func TestChannelSettingsReload(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "chorus.conf")
	os.WriteFile(file, []byte("CHORUS_WECOM_CORP_ID=ww1\nCHORUS_WECOM_AGENT_ID=7\nCHORUS_WECOM_SECRET=a\n"), 0o600)
	_, l, err := load(t, []string{"--config", file}, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file, []byte("CHORUS_WECOM_CORP_ID=ww2\nCHORUS_WECOM_AGENT_ID=8\nCHORUS_WECOM_SECRET=b\nCHORUS_SMTP_HOST=smtp.example.com\nCHORUS_SMTP_FROM=c@example.com\n"), 0o600)
	ch := l.Reload()
	if ch.Err != nil || len(ch.NeedRestart) != 0 {
		t.Fatalf("reload: %+v", ch)
	}
	if ch.Config.WeCom.CorpID != "ww2" || ch.Config.WeCom.AgentID != 8 || ch.Config.WeCom.Secret != "b" || ch.Config.SMTP.Host != "smtp.example.com" {
		t.Fatalf("not applied: %+v %+v", ch.Config.WeCom, ch.Config.SMTP)
	}
}
