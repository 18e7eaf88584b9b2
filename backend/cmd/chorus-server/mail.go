package main

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"
	"slices"

	"github.com/chorus-advocacy/chorus/backend/internal/config"
	"github.com/chorus-advocacy/chorus/backend/internal/mail"
	"github.com/chorus-advocacy/chorus/backend/internal/mail/mailtest"
)

// setupMail makes the email sender: in --demo a recording SMTP server on
// loopback (its mailbox is served at /demo/mail), else the configured SMTP
// server, else none (nothing is queued). stop closes the demo server.
func setupMail(cfg config.Config, log *slog.Logger) (sender mail.Sender, box *mailtest.Server, stop func(), err error) {
	stop = func() {}
	switch {
	case cfg.Demo:
		box, err = mailtest.Start()
		if err != nil {
			return nil, nil, stop, err
		}
		sender, err = mail.NewSMTP(mail.Settings{Host: box.Host(), Port: box.Port(), TLS: mail.TLSNone, From: "Chorus demo <chorus@demo.test>"})
		if err != nil {
			box.Close()
			return nil, nil, stop, err
		}
		log.Info("demo: email goes to a recording SMTP server on loopback; read it at /demo/mail", "smtp", box.Addr)
		return sender, box, func() { box.Close() }, nil
	case cfg.SMTP.Enabled():
		s := cfg.SMTP
		sender, err = mail.NewSMTP(mail.Settings{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password, From: s.From, TLS: s.TLS})
		if err != nil {
			return nil, nil, stop, err
		}
		log.Info("email on", "smtp", s.Host, "port", s.Port, "tls", s.TLS, "from", s.From)
		return sender, nil, stop, nil
	}
	log.Info("email off: invitations and password resets are not mailed (set " + config.EnvSMTPHost + " and " + config.EnvSMTPFrom + " to send them)")
	return nil, nil, stop, nil
}

var mailboxPage = template.Must(template.New("mailbox").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Demo mailbox · Chorus</title>
<style>body{font-family:system-ui,sans-serif;margin:0 auto;max-width:900px;padding:16px;color:#1f2328}
article{border:1px solid #d0d7de;border-radius:8px;margin:16px 0;padding:12px 16px}
h2{font-size:18px;margin:0 0 4px}.meta{color:#57606a;font-size:14px}
pre{white-space:pre-wrap;background:#f6f8fa;padding:12px;border-radius:6px}
iframe{width:100%;height:420px;border:1px solid #d0d7de;border-radius:6px}</style></head>
<body><h1>Demo mailbox</h1>
<p>Email the demo server sent (invitations, password resets, password-changed notices, new activities for members without a phone), newest first. It went over SMTP to a recording server on this machine and reached nobody. <a href="/">Back</a></p>
{{range .}}<article><h2>{{.Subject}}</h2>
<div class="meta">To {{range .To}}{{.}} {{end}}· from {{.From}} · {{.Received.Format "2006-01-02 15:04:05"}}</div>
<details open><summary>Plain text</summary><pre>{{.Text}}</pre></details>
<details><summary>HTML</summary><iframe sandbox srcdoc="{{.HTML}}" title="HTML version"></iframe></details>
</article>
{{else}}<p>No email yet. Add a member or an activity as the manager, or use "Forgot password?" on the sign-in screen.</p>
{{end}}</body></html>
`))

// demoMailbox serves GET /demo/mail (only in --demo) and passes the rest on.
func demoMailbox(box *mailtest.Server, next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.HandleFunc("GET /demo/mail", func(w http.ResponseWriter, r *http.Request) {
		msgs := box.Messages()
		slices.Reverse(msgs)
		var b bytes.Buffer
		if err := mailboxPage.Execute(&b, msgs); err != nil {
			http.Error(w, "the page could not be made", http.StatusInternalServerError)
			return
		}
		writePage(w, b.Bytes(), "no-store", "img-src 'self'; frame-src 'self'; form-action 'none'; frame-ancestors 'self'")
	})
	return mux
}
