package httpapi

import (
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktok"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktokstage"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// htmlPage marks routes that answer a page for a browser.
type htmlPage struct{}

func (s *Server) tiktokRedirectURI() string { return s.o.PublicURL + "/oauth/tiktok/callback" }

func (s *Server) tiktokOn() error {
	if s.o.TikTok == nil {
		return domain.Errorf(wire.CodeTikTokUnavailable, "TikTok is not set up on this server")
	}
	return nil
}

// tiktokCookie keeps, in the browser that opened the start link, the secret
// the callback must bring back: the consent is bound to that browser.
const tiktokCookie = "chorus_tiktok_connect"

// tiktokReturnCookie holds, beside it, the share page (/s/{token}) to send
// the browser back to after consent, if a share page started the connect.
const tiktokReturnCookie = "chorus_tiktok_return"

// connectTikTok answers the link the app opens in the member's browser: our
// start link, which binds the consent to that browser and then sends it to
// TikTok.
func (s *Server) connectTikTok(c *call, _ none) (client.TikTokConnect, error) {
	if err := s.tiktokOn(); err != nil {
		return client.TikTokConnect{}, err
	}
	state, err := s.o.TikTok.StartConnect(c.ctx, c.user.ID)
	if err != nil {
		return client.TikTokConnect{}, err
	}
	return client.TikTokConnect{AuthorizeURL: s.o.PublicURL + "/oauth/tiktok/start?" + url.Values{"state": {state}}.Encode()}, nil
}

func (s *Server) tiktokCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: tiktokCookie, Value: value, Path: "/oauth/tiktok", MaxAge: maxAge, HttpOnly: true,
		Secure: strings.HasPrefix(s.o.PublicURL, "https://"), SameSite: http.SameSiteLaxMode}
}

// tiktokStart is GET /oauth/tiktok/start: it binds the consent to this
// browser (a cookie holding a secret whose hash is kept with the state; a
// start link works once) and redirects to TikTok's consent page.
func (s *Server) tiktokStart(c *call, _ none) (redirectTo, error) {
	h := c.w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	fail := func(msg string) (redirectTo, error) {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		c.w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(c.w, msg+"\n")
		return redirectTo{}, errHandled
	}
	if s.o.TikTok == nil {
		return fail("This Chorus server is not set up for TikTok; tell your manager.")
	}
	authorize, key, err := s.o.TikTok.BindBrowser(c.ctx, c.query("state"), s.tiktokRedirectURI())
	if err != nil {
		var ce *tiktokstage.ConnectError
		if !errors.As(err, &ce) {
			return redirectTo{}, err
		}
		return fail(ce.Message)
	}
	http.SetCookie(c.w, s.tiktokCookie(key, int(tiktok.StateTTL/time.Second)))
	// A share page that started the connect gets the browser back.
	ret := &http.Cookie{Name: tiktokReturnCookie, Path: "/oauth/tiktok", MaxAge: -1, HttpOnly: true,
		Secure: strings.HasPrefix(s.o.PublicURL, "https://"), SameSite: http.SameSiteLaxMode}
	if p := c.query("return"); shareReturnPath.MatchString(p) {
		ret.Value, ret.MaxAge = p, int(tiktok.StateTTL/time.Second)
	}
	http.SetCookie(c.w, ret)
	h.Set("Location", authorize)
	c.w.WriteHeader(http.StatusFound)
	return redirectTo{}, errHandled
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Chorus</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#222}h1{font-size:1.4rem}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Body}}</p><p lang="zh-Hans">{{.BodyZh}}</p></body></html>`))

func docTikTokCallback(op map[string]any) {
	op["responses"].(map[string]any)["303"] = map[string]any{"description": "connected from a share page: back to it",
		"headers": map[string]any{"Location": map[string]any{"schema": map[string]any{"type": "string"}}}}
}

func (s *Server) tiktokCallback(c *call, _ none) (htmlPage, error) {
	page := struct{ Title, Body, BodyZh string }{
		"TikTok connected", "Your TikTok account is connected. Return to Chorus to send the video.",
		"TikTok 账号已连接。请返回 Chorus 发送视频。",
	}
	status := http.StatusOK
	if s.o.TikTok == nil {
		page.Title, page.Body, page.BodyZh, status = "TikTok is not set up", "This Chorus server is not set up for TikTok; tell your manager.", "此服务器尚未设置 TikTok，请告知您的管理员。", http.StatusNotFound
	} else {
		key := ""
		if ck, err := c.r.Cookie(tiktokCookie); err == nil {
			key = ck.Value
		}
		// The binding is used up either way.
		http.SetCookie(c.w, s.tiktokCookie("", -1))
		ret := ""
		if ck, err := c.r.Cookie(tiktokReturnCookie); err == nil && shareReturnPath.MatchString(ck.Value) {
			ret = ck.Value
			http.SetCookie(c.w, &http.Cookie{Name: tiktokReturnCookie, Path: "/oauth/tiktok", MaxAge: -1, HttpOnly: true,
				Secure: strings.HasPrefix(s.o.PublicURL, "https://"), SameSite: http.SameSiteLaxMode})
		}
		_, err := s.o.TikTok.FinishConnect(c.ctx, c.r.URL.Query(), key, s.tiktokRedirectURI())
		if err == nil && ret != "" {
			// Only a share page path of this server: no open redirect.
			h := c.w.Header()
			h.Set("Cache-Control", "no-store")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Location", ret+"?tiktok=connected")
			c.w.WriteHeader(http.StatusSeeOther)
			return htmlPage{}, errHandled
		}
		if err != nil {
			var ce *tiktokstage.ConnectError
			if !errors.As(err, &ce) {
				return htmlPage{}, err
			}
			page.Title, page.Body, page.BodyZh, status = "TikTok not connected", ce.Message, "TikTok 账号未连接。请返回 Chorus 重试。", http.StatusBadRequest
			if errors.Is(err, tiktokstage.ErrOtherBrowser) {
				page.BodyZh = "此 TikTok 连接是在另一个浏览器中发起的，因此未关联任何账号。如需连接您自己的 TikTok 账号，请打开 Chorus，选择“连接 TikTok”，并在其打开的浏览器中完成。"
			}
		}
	}
	c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(status)
	_ = pageTmpl.Execute(c.w, page)
	return htmlPage{}, errHandled
}

func (s *Server) socialAccounts(c *call, _ none) (client.List[client.SocialAccount], error) {
	as, err := s.store.Accounts(c.ctx, c.user.ID)
	return list(as, func(a store.SocialAccount) client.SocialAccount {
		return client.SocialAccount{Network: a.Network, Status: a.Status, DisplayName: a.DisplayName, AvatarURL: a.AvatarURL, ConnectedAt: a.ConnectedAt}
	}), err
}

func (s *Server) disconnectTikTok(c *call, _ none) (none, error) {
	if err := s.tiktokOn(); err != nil {
		return none{}, err
	}
	return none{}, s.o.TikTok.Disconnect(c.ctx, c.user.ID)
}

func (s *Server) retryTikTok(c *call, _ none) (client.TikTokStaging, error) {
	if err := s.tiktokOn(); err != nil {
		return client.TikTokStaging{}, err
	}
	aid := c.path("aid")
	if _, err := s.store.Staging(c.ctx, aid, c.user.ID); err != nil {
		return client.TikTokStaging{}, err
	}
	if connected, err := s.o.TikTok.Connected(c.ctx, c.user.ID); err != nil {
		return client.TikTokStaging{}, err
	} else if !connected {
		return client.TikTokStaging{}, domain.Errorf(wire.CodeTikTokNotConnected, "connect your TikTok account first")
	}
	if err := s.o.TikTok.Retry(c.ctx, c.programID, aid, c.user.ID); err != nil {
		return client.TikTokStaging{}, err
	}
	s.wakeJobs()
	st, err := s.store.Staging(c.ctx, aid, c.user.ID)
	return toStaging(st), err
}

func toStaging(st store.Staging) client.TikTokStaging {
	return client.TikTokStaging{Status: st.Status, FailReason: st.FailReason}
}

func (s *Server) wakeJobs() {
	if s.o.Jobs != nil {
		s.o.Jobs.Wake()
	}
}

// tiktokReport counts an activity's stagings.
func (s *Server) tiktokReport(c *call, a *domain.Activity) (*client.TikTokReport, error) {
	if spec, _ := domain.LookupType(a.Type); spec.Network != "tiktok" {
		return nil, nil
	}
	sts, err := s.store.Stagings(c.ctx, c.programID, a.ID)
	if err != nil {
		return nil, err
	}
	rep := &client.TikTokReport{Reasons: map[string]int{}}
	for _, st := range sts {
		switch st.Status {
		case wire.StagingStaged:
			rep.Staged++
		case wire.StagingFailed:
			rep.Failed++
			rep.Reasons[st.FailReason]++
		default:
			rep.Pending++
		}
	}
	return rep, nil
}
