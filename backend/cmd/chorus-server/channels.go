package main

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/chorus-advocacy/chorus/backend/internal/chatwebhook"
	"github.com/chorus-advocacy/chorus/backend/internal/chatwebhook/chatwebhooktest"
	"github.com/chorus-advocacy/chorus/backend/internal/config"
	"github.com/chorus-advocacy/chorus/backend/internal/mail"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/seed"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/wecom"
	"github.com/chorus-advocacy/chorus/backend/internal/wecom/wecomtest"
)

// mailSwitch is the email sender everyone holds: a config reload replaces
// the SMTP sender inside it. With email turned off by a reload, sends are
// refused for good (the API queues invitations only while a sender
// exists at start; new-activity email stops at once).
type mailSwitch struct{ cur atomic.Pointer[mailBox] }

type mailBox struct{ s mail.Sender }

func (m *mailSwitch) set(s mail.Sender) { m.cur.Store(&mailBox{s}) }

func (m *mailSwitch) on() bool {
	b := m.cur.Load()
	return b != nil && b.s != nil
}

// Send implements mail.Sender.
func (m *mailSwitch) Send(ctx context.Context, msg mail.Message) error {
	b := m.cur.Load()
	if b == nil || b.s == nil {
		return mail.Permanent(errors.New("email is off (" + config.EnvSMTPHost + " is empty)"))
	}
	return b.s.Send(ctx, msg)
}

// demoChannels are the demo's fake WeCom and Slack/Teams receiver.
type demoChannels struct {
	wc    *wecomtest.Server
	hooks *chatwebhooktest.Server
}

// setupChannels gives the notifier its email, WeCom and webhook senders:
// the configured ones, or in --demo the recording SMTP server (already in
// sw), a fake WeCom server that knows the demo members, and a webhook
// receiver set as the demo program's Slack and Teams channels, each
// logging what it receives. reload applies changed SMTP and WeCom
// settings; stop closes the fakes.
func setupChannels(ctx context.Context, cfg config.Config, st *store.Store, nt *notify.Notifier, sw *mailSwitch, sealer interface{ Seal(string) string },
	demoProgram string, log *slog.Logger) (reload func(config.Config), stop func(), err error) {
	hooks := chatwebhook.NewSender(chatwebhook.Options{AllowLoopback: cfg.Demo}) // the demo's receiver is on loopback
	stop = func() {}
	chans := func(wc notify.WeComSender) notify.Channels {
		c := notify.Channels{WeCom: wc, Webhooks: hooks}
		if sw.on() {
			c.Mail = sw
		}
		return c
	}
	if cfg.Demo {
		d := &demoChannels{
			wc: wecomtest.New(wecomtest.WithMaxRecorded(1000), wecomtest.WithLog(func(c wecomtest.Card) {
				log.Info("demo WeCom message delivered", "to", c.ToUser, "title", c.Title, "url", c.URL)
			})),
			hooks: chatwebhooktest.New(chatwebhooktest.WithMaxRecorded(1000), chatwebhooktest.WithLog(func(p chatwebhooktest.Post) {
				log.Info("demo chat webhook delivered", "service", p.Kind, "bytes", len(p.Raw))
			})),
		}
		stop = func() { d.wc.Close(); d.hooks.Close() }
		for i := 1; i <= 5; i++ {
			d.wc.AddUser("member"+string(rune('0'+i)), seed.DemoMember(i)) // matched by email
		}
		wc, err := wecom.New(wecom.Config{CorpID: d.wc.CorpID, Secret: d.wc.Secret, AgentID: d.wc.AgentID, BaseURL: d.wc.URL()})
		if err != nil {
			stop()
			return nil, nil, err
		}
		if demoProgram != "" {
			pc, err := st.ProgramChannels(ctx, demoProgram)
			if err == nil {
				pc.SlackWebhook, pc.TeamsWebhook = sealer.Seal(d.hooks.NewHook("slack")), sealer.Seal(d.hooks.NewHook("teams"))
				err = st.SetProgramChannels(ctx, demoProgram, pc)
			}
			if err != nil {
				stop()
				return nil, nil, err
			}
		}
		log.Info("demo: WeCom and Slack/Teams go to fakes on loopback (logged)", "wecom", d.wc.URL())
		nt.SetChannels(chans(wc))
		return func(config.Config) {}, stop, nil
	}
	wc, err := newWeCom(cfg.WeCom)
	if err != nil {
		return nil, nil, err
	}
	logChannels(cfg, log)
	nt.SetChannels(chans(wc))
	reload = func(next config.Config) {
		w, err := newWeCom(next.WeCom)
		if err != nil {
			log.Error("WeCom settings not applied; keeping the running ones", "err", err)
			return
		}
		if next.SMTP != cfg.SMTP {
			s, err := newSMTP(next.SMTP)
			if err != nil {
				log.Error("email settings not applied; keeping the running ones", "err", err)
				return
			}
			sw.set(s)
		}
		if next.WeCom != cfg.WeCom || next.SMTP != cfg.SMTP {
			logChannels(next, log)
		}
		cfg = next
		nt.SetChannels(chans(w))
	}
	return reload, stop, nil
}

// newWeCom is the configured WeCom client, or nil when WeCom is off. A nil
// *wecom.Client must not become a non-nil interface.
func newWeCom(c config.WeCom) (notify.WeComSender, error) {
	if !c.Enabled() {
		return nil, nil
	}
	wc, err := wecom.New(wecom.Config{CorpID: c.CorpID, Secret: c.Secret, AgentID: c.AgentID, BaseURL: c.BaseURL})
	if err != nil {
		return nil, err
	}
	return wc, nil
}

// newSMTP is the configured SMTP sender, or nil when email is off.
func newSMTP(s config.SMTP) (mail.Sender, error) {
	if !s.Enabled() {
		return nil, nil
	}
	return mail.NewSMTP(mail.Settings{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password, From: s.From, TLS: s.TLS})
}

func logChannels(cfg config.Config, log *slog.Logger) {
	if cfg.WeCom.Enabled() {
		log.Info("WeCom messages on", "corp_id", cfg.WeCom.CorpID, "agent_id", cfg.WeCom.AgentID)
	} else {
		log.Info("WeCom messages off (set " + config.EnvWeComCorpID + ", " + config.EnvWeComAgentID + " and " + config.EnvWeComSecret + "_FILE to send them)")
	}
	if cfg.SMTP.Enabled() {
		log.Info("new-activity email on", "smtp", cfg.SMTP.Host)
	}
}
