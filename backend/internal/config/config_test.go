package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, args []string, env map[string]string) (Config, *Loader, error) {
	t.Helper()
	fs := FlagSet("serve")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return Load(fs, func(k string) string { return env[k] })
}

func TestDefaults(t *testing.T) {
	c, _, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./.chorus-data" || c.PublicURL != "http://127.0.0.1:8080" || c.LogLevel != slog.LevelInfo || c.Demo {
		t.Fatalf("defaults: %+v", c)
	}
	if c.TikTok.APIBaseURL != "https://open.tiktokapis.com" {
		t.Fatalf("tiktok default: %+v", c.TikTok)
	}
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "chorus.conf")
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	os.WriteFile(file, []byte(`# comment
CHORUS_ADDR=127.0.0.1:1
CHORUS_DATA="/from/file"
CHORUS_LOG_LEVEL=debug
CHORUS_TIKTOK_CLIENT_SECRET_FILE=`+secret+`
`), 0o600)
	c, _, err := load(t, []string{"--config", file, "--addr", "127.0.0.1:3"}, map[string]string{EnvAddr: "127.0.0.1:2", EnvData: "/from/env"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:3" {
		t.Errorf("flag must win: %s", c.Addr)
	}
	if c.DataDir != "/from/env" {
		t.Errorf("env must beat file: %s", c.DataDir)
	}
	if c.LogLevel != slog.LevelDebug {
		t.Errorf("file must beat default: %v", c.LogLevel)
	}
	if c.TikTok.ClientSecret != "s3cret" {
		t.Errorf("_FILE secret: %q", c.TikTok.ClientSecret)
	}
}

func TestValidation(t *testing.T) {
	_, _, err := load(t, []string{"--database-url", "mysql://x", "--public-url", "chorus.example.com", "--log-level", "loud"}, nil)
	if err == nil {
		t.Fatal("bad values accepted")
	}
	for _, want := range []string{"CHORUS_DATABASE_URL", "postgres://", "CHORUS_PUBLIC_URL", "https://", "CHORUS_LOG_LEVEL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "c")
	os.WriteFile(file, []byte("CHORUS_ADRR=x\n"), 0o600)
	if _, _, err := load(t, []string{"--config", file}, nil); err == nil || !strings.Contains(err.Error(), "unknown key CHORUS_ADRR") {
		t.Fatalf("typo in file: %v", err)
	}
}

func TestReloadAndWatch(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "chorus.conf")
	os.WriteFile(file, []byte("CHORUS_LOG_LEVEL=info\nCHORUS_ADDR=127.0.0.1:1\nCHORUS_TIKTOK_CLIENT_KEY=old\n"), 0o600)
	c, l, err := load(t, []string{"--config", file}, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.TikTok.ClientKey != "old" {
		t.Fatal(c.TikTok)
	}
	changes := make(chan Change, 4)
	ctx := t.Context()
	if err := l.Watch(ctx, func(ch Change) { changes <- ch }); err != nil {
		t.Fatal(err)
	}
	// Replace the file the way editors do: write elsewhere, rename over.
	tmp := filepath.Join(dir, "tmp")
	os.WriteFile(tmp, []byte("CHORUS_LOG_LEVEL=debug\nCHORUS_ADDR=127.0.0.1:2\nCHORUS_TIKTOK_CLIENT_KEY=new\n"), 0o600)
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	select {
	case ch := <-changes:
		if ch.Err != nil {
			t.Fatal(ch.Err)
		}
		if ch.Config.LogLevel != slog.LevelDebug || ch.Config.TikTok.ClientKey != "new" {
			t.Errorf("reloadable keys not applied: %+v", ch.Config)
		}
		if ch.Config.Addr != "127.0.0.1:1" {
			t.Errorf("address must wait for a restart, got %s", ch.Config.Addr)
		}
		if strings.Join(ch.NeedRestart, ",") != EnvAddr+","+EnvPublicURL { // the public URL follows the address
			t.Errorf("need restart: %v", ch.NeedRestart)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no reload after the file changed")
	}
	// A broken file changes nothing.
	os.WriteFile(file, []byte("CHORUS_LOG_LEVEL=shouty\n"), 0o600)
	select {
	case ch := <-changes:
		if ch.Err == nil || ch.Config.LogLevel != slog.LevelDebug {
			t.Errorf("broken file: %+v", ch)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no reload after the second change")
	}
}
