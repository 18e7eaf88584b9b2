package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/config"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/links"
	"github.com/chorus-advocacy/chorus/backend/internal/media"
	"github.com/chorus-advocacy/chorus/backend/internal/seed"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktokstage"
	"github.com/chorus-advocacy/chorus/backend/mediacheck"
	"github.com/chorus-advocacy/chorus/backend/mediacheck/probecli"
)

const usage = `chorus-server — the Chorus backend

  chorus-server serve [--addr 127.0.0.1:8080] [--data DIR | --database-url postgres://…] [--public-url URL] [--demo] [--web-dir DIR] [--config FILE]
  chorus-server admin create-program --name NAME --manager-email EMAIL --manager-password PASSWORD [--manager-name NAME] [--timezone ZONE]
  chorus-server probe [--kind wechat_photo|wechat_video|tiktok_video] FILE...
  chorus-server admin create-user --email EMAIL --password PASSWORD [--name NAME] [--timezone ZONE] [--locale en|zh-Hans]
  chorus-server admin add-manager --program PROGRAM_ID --email EMAIL [--owner]
  chorus-server admin reset-password --email EMAIL [--password PASSWORD]   (without --password: read from standard input)

Every setting also reads CHORUS_* environment variables (see serve --help).
`

// run is the whole program; main only passes the process's arguments and streams.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return serve(ctx, args[1:], stdout, stderr)
	case "admin":
		return admin(context.Background(), args[1:], stdout, stderr)
	case "probe":
		return probecli.Run(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
	return 2
}

func newLogger(w io.Writer, level *slog.LevelVar) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// serve runs the server until ctx ends (SIGTERM, SIGINT), then drains.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := config.FlagSet("serve")
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, loader, err := config.Load(fs, os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	level := new(slog.LevelVar)
	level.Set(cfg.LogLevel)
	log := newLogger(stderr, level)

	// Listen first: on port 0 the address, and the public URL derived from
	// it, are known only now, and the OAuth redirects need them.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		log.Error("listen", "addr", cfg.Addr, "err", err)
		return 1
	}
	defer ln.Close()
	if cfg.PublicURLDerived {
		cfg.PublicURL = "http://" + ln.Addr().String()
	}

	st, err := store.Open(ctx, store.Options{DataDir: cfg.DataDir, DatabaseURL: cfg.DatabaseURL})
	if err != nil {
		log.Error("open database", "err", err)
		return 1
	}
	defer st.Close()

	mediaSvc, err := openMedia(cfg, st, log)
	if err != nil {
		log.Error("media storage", "err", err)
		return 1
	}

	var demoProgram string
	if cfg.Demo {
		res, err := seed.Demo(ctx, st, auth.DefaultParams, time.Now(), seed.WithMedia(mediaSvc))
		if err != nil {
			log.Error("seed demo", "err", err)
			return 1
		}
		demoProgram = res.Program.ID
		log.Info("demo program ready", "program", res.Program.ID, "created", res.Created,
			"manager", seed.DemoManager, "members", "member1…5@demo.test", "password", seed.DemoPassword)
	}

	keys, err := loadKeys(cfg)
	if err != nil {
		log.Error("secret key", "err", err)
		return 1
	}
	if err := configSSO(ctx, st, keys, cfg.SSO); err != nil {
		log.Error("single sign-on from the configuration", "err", err)
		return 1
	}
	if cfg.Demo {
		stopSSO, err := demoSSO(ctx, st, keys, cfg.PublicURL, demoProgram, log)
		if err != nil {
			log.Error("demo single sign-on", "err", err)
			return 1
		}
		defer stopSSO()
	}
	runner := jobs.New(st, log)
	pushCfg := &pushInfo{}
	nt, reloadPush, stopPush, err := setupPush(cfg, st, runner, log, pushCfg)
	if err != nil {
		log.Error("push notifications", "err", err)
		return 2
	}
	defer stopPush()
	tt, reloadTikTok, stopTikTok, err := setupTikTok(cfg, st, keys, runner, mediaSource{mediaSvc}, nt, log)
	if err != nil {
		log.Error("TikTok", "err", err)
		return 1
	}
	defer stopTikTok()
	sender, mailbox, stopMail, err := setupMail(cfg, log)
	if err != nil {
		log.Error("email", "err", err)
		return 2
	}
	defer stopMail()
	// One sender for the API and the notifier, which reloads replace.
	mailSw := &mailSwitch{}
	mailSw.set(sender)
	if sender != nil {
		sender = mailSw
	}
	// Clicks leave the redirect path through a writer that stores them each
	// second; closing it (after the server drained) stores the rest.
	clicks := links.NewRecorder(st, log, time.Second)
	defer clicks.Close()
	api := httpapi.New(httpapi.Options{Store: st, Log: log, PublicURL: cfg.PublicURL, Jobs: runner, TikTok: tt,
		Clicks: clicks, VisitorKey: keys.Derive("visitor salts"), ShareKey: keys.Derive("share links"), Media: mediaSvc, Notify: nt, Events: nt,
		WebPushLoopback: cfg.Demo, TrustedProxies: cfg.TrustedProxies, // the demo's fake Web Push service is on loopback
		Mail: sender, MailSealer: keys, PushConfig: pushCfg.Get, SSOSealer: keys, SSOLoopback: cfg.Demo, SSOFromConfig: cfg.SSO.Program})
	nt.SetLinks(cfg.PublicURL, api.ShareURL)
	nt.SetKeys(keys.Derive("unsubscribe links"), keys)
	nt.SetPictureURL(api.PictureURL)
	reloadChannels, stopChannels, err := setupChannels(ctx, cfg, st, nt, mailSw, keys, demoProgram, log)
	if err != nil {
		log.Error("notification channels", "err", err)
		return 2
	}
	defer stopChannels()
	handler := nt.UnsubscribeHandler(api.Handler())
	if cfg.WebDir != "" {
		handler = webApp(cfg.WebDir, handler)
		log.Info("serving the web app at /app/", "dir", cfg.WebDir)
	}
	lo := landingOptions{WebApp: cfg.WebDir != "", Demo: cfg.Demo}
	if cfg.Demo {
		lo.ShareURL = demoShareURL(ctx, st, api, log)
	}
	handler = landing(lo, handler)
	if mailbox != nil {
		handler = demoMailbox(mailbox, handler)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Shutdown waits for handlers; event streams end when told to.
	srv.RegisterOnShutdown(api.CloseStreams)
	// Tests and scripts start us on port 0 and read the address from here.
	fmt.Fprintf(stdout, "chorus-server listening on http://%s\n", ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "database", st.Dialect())

	if err := loader.Watch(ctx, func(ch config.Change) {
		switch {
		case ch.Err != nil:
			log.Error("config file not applied; keeping the running settings", "err", ch.Err)
		default:
			level.Set(ch.Config.LogLevel)
			reloadTikTok(ch.Config.TikTok)
			reloadPush(ch.Config.Push)
			reloadChannels(ch.Config)
			if len(ch.Applied) > 0 {
				log.Info("config reloaded", "applied", ch.Applied)
			}
			if len(ch.NeedRestart) > 0 {
				log.Warn("config changed; restart the server to apply", "keys", ch.NeedRestart)
			}
		}
	}); err != nil {
		log.Warn("cannot watch the config file; changes need a restart", "err", err)
	}

	go sweepSessions(ctx, st, log)
	go mediaSvc.SweepLoop(ctx, time.Hour) // abandoned uploads: at start, then hourly
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() { runner.Run(jobsCtx); close(jobsDone) }()
	defer func() { stopJobs(); <-jobsDone }()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		log.Error("server stopped", "err", err)
		return 1
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("server", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// sweepSessions deletes expired sessions now and then. Losing a sweep to a
// crash costs nothing: expired sessions are refused either way.
func sweepSessions(ctx context.Context, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := st.DeleteExpiredSessions(ctx, time.Now()); err != nil {
				log.Warn("sweep sessions", "err", err)
			} else if n > 0 {
				log.Debug("swept sessions", "count", n)
			}
		}
	}
}

// admin runs the bootstrap commands that work straight on the database.
func admin(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := config.FlagSet("admin " + args[0])
	fs.SetOutput(stderr)
	var (
		name, email, password, mgrName, zone, locale, program string
		owner                                                 bool
	)
	switch args[0] {
	case "create-program":
		fs.StringVar(&name, "name", "", "program name")
		fs.StringVar(&email, "manager-email", "", "first manager's email")
		fs.StringVar(&password, "manager-password", "", "first manager's password (8+ characters)")
		fs.StringVar(&mgrName, "manager-name", "", "first manager's name")
		fs.StringVar(&zone, "timezone", "UTC", "program and manager time zone (IANA)")
	case "create-user":
		fs.StringVar(&email, "email", "", "email")
		fs.StringVar(&password, "password", "", "password (8+ characters)")
		fs.StringVar(&name, "name", "", "name")
		fs.StringVar(&zone, "timezone", "UTC", "time zone (IANA)")
		fs.StringVar(&locale, "locale", "en", "en or zh-Hans")
	case "add-manager":
		fs.StringVar(&program, "program", "", "program id")
		fs.StringVar(&email, "email", "", "email of an existing account")
		fs.BoolVar(&owner, "owner", false, "make them an owner (roles, settings, the audit log), not only a manager")
	case "reset-password":
		fs.StringVar(&email, "email", "", "email of the account")
		fs.StringVar(&password, "password", "", "new password (8+ characters); without it, read from standard input")
	default:
		fmt.Fprintf(stderr, "unknown admin command %q\n\n%s", args[0], usage)
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	cfg, _, err := config.Load(fs, os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	st, err := store.Open(ctx, store.Options{DataDir: cfg.DataDir, DatabaseURL: cfg.DatabaseURL})
	if err != nil {
		fmt.Fprintln(stderr, "open database:", err)
		return 1
	}
	defer st.Close()
	var out any
	switch args[0] {
	case "create-program":
		prog, mgr, err := seed.CreateProgram(ctx, st, name, zone, seed.UserSpec{Email: email, Name: mgrName, Password: password, Timezone: zone}, auth.DefaultParams)
		if err != nil {
			fmt.Fprintln(stderr, "create-program:", err)
			return 1
		}
		out = map[string]string{"program_id": prog.ID, "manager_id": mgr.ID}
	case "create-user":
		u, err := seed.CreateUser(ctx, st, seed.UserSpec{Email: email, Name: name, Password: password, Timezone: zone, Locale: locale}, auth.DefaultParams)
		if err != nil {
			fmt.Fprintln(stderr, "create-user:", err)
			return 1
		}
		out = map[string]string{"user_id": u.ID}
	case "add-manager", "reset-password":
		addr, _ := domain.NormalizeEmail(email)
		u, err := st.UserByEmail(ctx, addr)
		if err != nil {
			fmt.Fprintf(stderr, "%s: no account with the email %q (admin create-user makes one)\n", args[0], email)
			return 1
		}
		if args[0] == "add-manager" {
			// The way back into a program nobody can run any more.
			role := domain.RoleManager
			if owner {
				role = domain.RoleOwner
			}
			if err := st.AddManager(ctx, program, u.ID, role, time.Now()); err != nil {
				fmt.Fprintln(stderr, "add-manager:", err)
				return 1
			}
			out = map[string]string{"program_id": program, "manager_id": u.ID, "role": string(role)}
			break
		}
		if password == "" {
			password, _ = bufio.NewReader(os.Stdin).ReadString('\n')
			password = strings.TrimRight(password, "\r\n")
		}
		if len([]rune(password)) < auth.MinPasswordLength {
			fmt.Fprintf(stderr, "reset-password: the password must be at least %d characters\n", auth.MinPasswordLength)
			return 2
		}
		// Every session of the account ends with the old password.
		if err := st.SetPassword(ctx, u.ID, auth.HashPassword(password, auth.DefaultParams)); err != nil {
			fmt.Fprintln(stderr, "reset-password:", err)
			return 1
		}
		out = map[string]string{"user_id": u.ID}
	}
	return writeOut(stdout, out)
}

func writeOut(w io.Writer, v any) int {
	b, _ := json.Marshal(v)
	fmt.Fprintln(w, string(b))
	return 0
}

// openMedia sets up media storage: a local directory (CHORUS_MEDIA_DIR,
// default DATA/media) holding objects/ and the uploads/ in progress.
func openMedia(cfg config.Config, st *store.Store, log *slog.Logger) (*media.Service, error) {
	dir := cfg.Media.Dir
	if dir == "" {
		dir = filepath.Join(cfg.DataDir, "media")
	}
	return media.OpenDir(dir, media.Options{Store: st, Log: log,
		Limits:  mediacheck.Limits{PhotoMaxBytes: cfg.Media.PhotoMaxBytes},
		Preview: media.PreviewOptions{Allow: cfg.Media.LinkPreviewAllow}})
}

// mediaSource hands stored videos to TikTok staging.
type mediaSource struct{ m *media.Service }

func (s mediaSource) OpenMedia(ctx context.Context, programID, mediaID string) (tiktokstage.Media, error) {
	f, err := s.m.OpenMedia(ctx, programID, mediaID)
	if err != nil {
		return nil, err
	}
	return f, nil
}
