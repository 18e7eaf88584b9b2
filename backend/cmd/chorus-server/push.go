package main

import (
	"context"
	"log/slog"

	"github.com/chorus-advocacy/chorus/backend/internal/config"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// setupPush builds the notifier (pushes and live events) with the push
// senders of the configured credentials; in demo mode the fake services
// stand in for every platform without credentials. Its fan-out handlers are
// registered on runner. reload applies changed credentials; stop ends the
// live event bus (after the jobs, which may still publish) and the fakes.
func setupPush(cfg config.Config, st *store.Store, runner *jobs.Runner, log *slog.Logger) (nt *notify.Notifier, reload func(config.Push), stop func(), err error) {
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
