package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/chorus-advocacy/chorus/backend/internal/config"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
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
func setupTikTok(cfg config.Config, st *store.Store, runner *jobs.Runner, media tiktokstage.MediaSource, n tiktokstage.Notifier, log *slog.Logger) (svc *tiktokstage.Service, reload func(config.TikTok), stop func(), err error) {
	stop = func() {}
	key, err := secret.LoadOrCreate(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, nil, stop, fmt.Errorf("secret key: %w", err)
	}
	keys, err := secret.New(key)
	if err != nil {
		return nil, nil, stop, err
	}
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

// quiet tells nobody; it stands in until push notifications are wired.
type quiet struct{}

func (quiet) TikTokStatus(context.Context, string, string, string, bool, string) error { return nil }
func (quiet) Event(context.Context, string, string, any)                               {}

// noMedia finds no media; it stands in until the media store is wired.
type noMedia struct{}

func (noMedia) OpenMedia(context.Context, string, string) (tiktokstage.Media, error) {
	return nil, domain.NotFound("media")
}
