package main

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/config"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// pushInfo is what GET /api/v1/push/config answers, kept current across
// credential reloads.
type pushInfo struct {
	p atomic.Pointer[client.PushConfig]
}

// Get is httpapi.Options.PushConfig.
func (i *pushInfo) Get() client.PushConfig {
	if c := i.p.Load(); c != nil {
		return *c
	}
	return client.PushConfig{}
}

// set describes the senders of mux: a platform is on when it has one.
func (i *pushInfo) set(mux push.Mux) {
	c := client.PushConfig{FCM: mux[push.PlatformFCM] != nil, APNs: mux[push.PlatformAPNs] != nil, WebPush: mux[push.PlatformWebPush] != nil}
	if k, ok := mux[push.PlatformWebPush].(interface{ PublicKey() string }); ok {
		c.VAPIDPublicKey = k.PublicKey()
	}
	if t, ok := mux[push.PlatformAPNs].(interface{ Topic() string }); ok {
		c.APNsTopic = t.Topic()
	}
	i.p.Store(&c)
}

// setupPush builds the notifier (pushes and live events) with the push
// senders of the configured credentials; in demo mode the fake services
// stand in for every platform without credentials. Its fan-out handlers are
// registered on runner. reload applies changed credentials; stop ends the
// live event bus (after the jobs, which may still publish) and the fakes.
// info always describes the senders in use.
func setupPush(cfg config.Config, st *store.Store, runner *jobs.Runner, log *slog.Logger, info *pushInfo) (nt *notify.Notifier, reload func(config.Push), stop func(), err error) {
	mux, err := notify.Senders(cfg.Push)
	if err != nil {
		return nil, nil, nil, err
	}
	var fakes *notify.Fakes
	if cfg.Demo {
		if fakes, err = notify.StartFakes(log.With("fake", "push")); err != nil {
			return nil, nil, nil, err
		}
		mux = fakes.FillIn(mux)
		log.Info("demo: fake push services", "fcm", fakes.FCM.URL(), "apns", fakes.APNs.URL(), "webpush", fakes.WebPush.URL())
	}
	for _, p := range []push.Platform{push.PlatformFCM, push.PlatformAPNs, push.PlatformWebPush} {
		if mux[p] == nil {
			log.Info("push: no credentials; these devices get no notifications", "platform", p)
		}
	}
	info.set(mux)
	nt = notify.New(notify.Options{Store: st, Jobs: runner, Log: log, Sender: mux})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { nt.Run(ctx); close(done) }()
	current := cfg.Push
	reload = func(next config.Push) {
		if next == current {
			return
		}
		m, err := notify.Senders(next)
		if err != nil {
			log.Error("new push credentials not applied; keeping the running ones", "err", err)
			return
		}
		if fakes != nil {
			m = fakes.FillIn(m)
		}
		nt.SetSender(m)
		info.set(m)
		current = next
		log.Info("push credentials reloaded")
	}
	stop = func() {
		cancel()
		<-done
		if fakes != nil {
			fakes.Close()
		}
	}
	return nt, reload, stop, nil
}
