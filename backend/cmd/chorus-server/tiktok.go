package main

import (
	"log/slog"

	"github.com/chorus-advocacy/chorus/backend/internal/config"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/secret"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktok"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktok/tiktoktest"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktokstage"
)

// setupTikTok builds the TikTok service: the fake TikTok in demo mode, the
// configured app otherwise, nothing when no app is configured. The returned
// func applies new credentials from a config reload; stop closes the fake.
func setupTikTok(cfg config.Config, st *store.Store, keys *secret.Keys, runner *jobs.Runner, media tiktokstage.MediaSource, n tiktokstage.Notifier, log *slog.Logger) (svc *tiktokstage.Service, reload func(config.TikTok), stop func(), err error) {
	stop = func() {}
	tc := cfg.TikTok
	if cfg.Demo {
		fake := tiktoktest.New(tiktoktest.WithLog(log.With("fake", "tiktok").Info),
			tiktoktest.WithRedirectURIs(cfg.PublicURL+"/oauth/tiktok/callback"))
		stop = fake.Close
		tc = config.TikTok{ClientKey: fake.ClientKey(), ClientSecret: fake.ClientSecret(), AuthBaseURL: fake.URL(), APIBaseURL: fake.URL()}
		log.Info("demo: fake TikTok", "url", fake.URL())
	}
	if tc.ClientKey == "" || tc.ClientSecret == "" {
		log.Info("TikTok is not configured (CHORUS_TIKTOK_CLIENT_KEY, CHORUS_TIKTOK_CLIENT_SECRET): TikTok activities cannot be performed")
		return nil, func(config.TikTok) {}, stop, nil
	}
	client, err := newTikTokClient(tc)
	if err != nil {
		return nil, nil, stop, err
	}
	svc = tiktokstage.New(st, keys, client, media, n, log)
	runner.Handle(tiktokstage.JobKind, svc.Handle)
	reload = func(next config.TikTok) {
		if cfg.Demo {
			return // the fake's credentials stay
		}
		c, err := newTikTokClient(next)
		if err != nil {
			log.Error("new TikTok credentials not applied", "err", err)
			return
		}
		svc.SetClient(c)
		log.Info("TikTok credentials reloaded")
	}
	return svc, reload, stop, nil
}

func newTikTokClient(tc config.TikTok) (*tiktok.Client, error) {
	return tiktok.New(tiktok.Config{ClientKey: tc.ClientKey, ClientSecret: tc.ClientSecret, AuthBaseURL: tc.AuthBaseURL, APIBaseURL: tc.APIBaseURL})
}

// loadKeys returns the keys derived from the configured secret, or from the
// one kept in the data directory.
func loadKeys(cfg config.Config) (*secret.Keys, error) {
	key, err := secret.LoadOrCreate(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	return secret.New(key)
}
