package notify

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/chorus-advocacy/chorus/backend/internal/push"
)

// The unsubscribe link of activity emails, /u/{token}: POST turns the
// person's activity emails off — what mail clients send for one-click
// unsubscribe (RFC 8058: List-Unsubscribe-Post, body
// "List-Unsubscribe=One-Click"), and what the page's button sends. GET only
// shows that page: link scanners and previews fetch links, and must not
// unsubscribe anyone. The token is the person's id signed with the
// server's key; it can do nothing else.

type unsubWords struct{ title, ask, button, done, bad, settings string }

var unsubLanguages = map[string]unsubWords{
	"en": {title: "Chorus emails", ask: "Stop emails about new activities?", button: "Unsubscribe",
		done: "Done: you will get no more emails about new activities.", bad: "This unsubscribe link is not valid.",
		settings: "You can turn them on again in the app's Settings."},
	"zh-Hans": {title: "Chorus 邮件", ask: "不再接收新活动邮件？", button: "退订",
		done: "已退订：您将不再收到新活动邮件。", bad: "此退订链接无效。",
		settings: "您可以在应用的“设置”中重新开启。"},
}

var unsubPage = template.Must(template.New("u").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="referrer" content="no-referrer">
<title>{{.W.title}}</title>
<style>body{font-family:system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;max-width:480px;margin:48px auto;padding:0 16px;color:#1f2328}
button{background:#2b59c3;color:#fff;border:0;border-radius:6px;padding:12px 20px;font-size:16px}</style></head>
<body><h1>{{.W.title}}</h1>
{{if .Bad}}<p>{{.W.bad}}</p>{{else if .Done}}<p>{{.W.done}}</p><p>{{.W.settings}}</p>{{else}}<p>{{.W.ask}}</p>
<form method="post"><button type="submit">{{.W.button}}</button></form>{{end}}
</body></html>
`))

// UnsubscribeHandler serves /u/{token} and passes everything else to next.
func (n *Notifier) UnsubscribeHandler(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.HandleFunc("GET /u/{token}", func(w http.ResponseWriter, r *http.Request) { n.unsubscribe(w, r, false) })
	mux.HandleFunc("POST /u/{token}", func(w http.ResponseWriter, r *http.Request) { n.unsubscribe(w, r, true) })
	return mux
}

func (n *Notifier) unsubscribe(w http.ResponseWriter, r *http.Request, post bool) {
	userID, ok := n.unsubscribeUser(r.PathValue("token"))
	lang := "en"
	status := http.StatusOK
	done := false
	if ok {
		if u, err := n.st.UserByID(r.Context(), userID); err == nil {
			lang = push.ResolveLocale(u.Locale)
		}
		if post {
			if err := n.st.UnsubscribeEmail(r.Context(), userID); err != nil {
				n.log.Error("unsubscribe", "user", userID, "err", err)
				http.Error(w, "try again later", http.StatusServiceUnavailable)
				return
			}
			n.log.Info("email: unsubscribed from activity emails", "user", userID)
			done = true
		}
	} else {
		status = http.StatusNotFound
	}
	var b bytes.Buffer
	if err := unsubPage.Execute(&b, map[string]any{"Lang": lang, "W": map[string]string{"title": unsubLanguages[lang].title,
		"ask": unsubLanguages[lang].ask, "button": unsubLanguages[lang].button, "done": unsubLanguages[lang].done,
		"bad": unsubLanguages[lang].bad, "settings": unsubLanguages[lang].settings}, "Bad": !ok, "Done": done}); err != nil {
		http.Error(w, "the page could not be made", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
