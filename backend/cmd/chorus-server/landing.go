package main

import (
	"bytes"
	"context"
	_ "embed"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/seed"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// The landing page at / is the front door of a running server: where the
// member app, a share page, the desktop app and the API document are.

//go:embed landing/index.html
var landingHTML string

var landingPage = template.Must(template.New("landing").Parse(landingHTML))

type landingText struct {
	Lead, AppTitle, AppText, AppMissing, ShareTitle, ShareText  string
	DesktopTitle, DesktopText, APITitle, APIText, AccountsTitle string
	Manager, Members, Password                                  string
	Mailbox, MailboxText                                        string
}

var landingTexts = map[string]landingText{
	"en": {
		Lead:     "Employee advocacy for the networks a dashboard cannot post to: WeChat and TikTok.",
		AppTitle: "Open the member app", AppText: "Sign in and do your activities in the browser.",
		AppMissing: "The web build is not here yet; build it with",
		ShareTitle: "A member's share page", ShareText: "What a member opens on any phone, even inside WeChat: the photo, their text and link, one tap to post.",
		DesktopTitle: "The desktop app", DesktopText: "For managers: create activities and preview what members see. In the repository run",
		APITitle: "The API document", APIText: "OpenAPI 3 description of every endpoint.",
		AccountsTitle: "Demo accounts", Manager: "Manager", Members: "Members", Password: "Password",
		Mailbox: "The demo mailbox", MailboxText: "Invitations and password-reset emails the demo sent.",
	},
	"zh-Hans": {
		Lead:     "员工倡导：让员工把内容发到管理后台无法代发的平台——微信和 TikTok。",
		AppTitle: "打开成员应用", AppText: "在浏览器中登录并完成活动。",
		AppMissing: "网页版尚未构建；请运行",
		ShareTitle: "成员分享页", ShareText: "成员在任何手机上（包括微信内）打开的页面：图片、带专属链接的文案，一键完成。",
		DesktopTitle: "桌面应用", DesktopText: "供管理员创建活动、预览成员所见。在代码仓库中运行",
		APITitle: "API 文档", APIText: "每个接口的 OpenAPI 3 描述。",
		AccountsTitle: "演示账号", Manager: "管理员", Members: "成员", Password: "密码",
		Mailbox: "演示邮箱", MailboxText: "演示服务器发出的邀请和密码重置邮件。",
	},
}

type landingOptions struct {
	WebApp   bool   // the web build is served at /app/
	Demo     bool   // show the demo accounts
	ShareURL string // a demo member's share page, if any
}

// demoShareURL is the first demo member's share page for the demo's first
// live WeChat Photo with a photo ("" when there is none).
func demoShareURL(ctx context.Context, st *store.Store, api *httpapi.Server, log *slog.Logger) string {
	prog, err := st.ProgramByName(ctx, seed.DemoProgram)
	if err != nil {
		return ""
	}
	member, err := st.UserByEmail(ctx, seed.DemoMember(1))
	if err != nil {
		return ""
	}
	acts, err := st.Activities(ctx, prog.ID, store.ActivityFilter{Type: wire.ActivityWeChatPhoto})
	if err != nil {
		log.Warn("demo share page", "err", err)
		return ""
	}
	for _, a := range acts {
		if a.MediaID == "" {
			continue
		}
		if u, err := api.ShareURL(ctx, prog.ID, a.ID, member.ID); err == nil {
			return u
		}
	}
	return ""
}

// landing serves the front door at / (exactly) and passes everything else on.
func landing(o landingOptions, next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		lang := pickLang(r)
		other := struct{ Lang, Name, Href string }{"zh-Hans", "中文", "/?lang=zh-Hans"}
		if lang == "zh-Hans" {
			other = struct{ Lang, Name, Href string }{"en", "English", "/?lang=en"}
		}
		var b bytes.Buffer
		if err := landingPage.Execute(&b, map[string]any{"Lang": lang, "T": landingTexts[lang], "Other": other,
			"WebApp": o.WebApp, "Demo": o.Demo, "ShareURL": o.ShareURL}); err != nil {
			http.Error(w, "the page could not be made", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Language", lang)
		w.Header().Set("Vary", "Accept-Language")
		writePage(w, b.Bytes(), "no-cache", "img-src 'self'; form-action 'none'; frame-ancestors 'none'")
	})
	return mux
}

// writePage sends one of the server's own small HTML pages (the front
// door, the demo mailbox): inline styles only, nothing from elsewhere; csp
// adds the page's own sources to that.
func writePage(w http.ResponseWriter, body []byte, cache, csp string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", cache)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "+csp)
	_, _ = w.Write(body)
}

// pickLang: ?lang= first, then the browser's preference between our two.
func pickLang(r *http.Request) string {
	switch q := r.URL.Query().Get("lang"); q {
	case "en", "zh-Hans":
		return q
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh-Hans"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "en"
}
