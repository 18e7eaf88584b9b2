package httpapi

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/tiktokstage"
)

// htmlPage marks routes that answer a page for a browser.
type htmlPage struct{}

func (s *Server) tiktokRedirectURI() string { return s.o.PublicURL + "/oauth/tiktok/callback" }

func (s *Server) tiktokOn() error {
	if s.o.TikTok == nil {
		return domain.Errorf(codeTikTokUnavailable, "TikTok is not set up on this server")
	}
	return nil
}

func (s *Server) connectTikTok(c *call, _ none) (client.TikTokConnect, error) {
	if err := s.tiktokOn(); err != nil {
		return client.TikTokConnect{}, err
	}
	u, err := s.o.TikTok.StartConnect(c.ctx, c.user.ID, s.tiktokRedirectURI())
	return client.TikTokConnect{AuthorizeURL: u}, err
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Chorus</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#222}h1{font-size:1.4rem}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Body}}</p><p lang="zh-Hans">{{.BodyZh}}</p></body></html>`))

func (s *Server) tiktokCallback(c *call, _ none) (htmlPage, error) {
	page := struct{ Title, Body, BodyZh string }{
		"TikTok connected", "Your TikTok account is connected. Return to Chorus to send the video.",
		"TikTok 账号已连接。请返回 Chorus 发送视频。",
	}
	status := http.StatusOK
	if s.o.TikTok == nil {
		page.Title, page.Body, page.BodyZh, status = "TikTok is not set up", "This Chorus server is not set up for TikTok; tell your manager.", "此服务器尚未设置 TikTok，请告知您的管理员。", http.StatusNotFound
	} else if _, err := s.o.TikTok.FinishConnect(c.ctx, c.r.URL.Query(), s.tiktokRedirectURI()); err != nil {
		var ce *tiktokstage.ConnectError
		if !errors.As(err, &ce) {
			return htmlPage{}, err
		}
		page.Title, page.Body, page.BodyZh, status = "TikTok not connected", ce.Message, "TikTok 账号未连接。请返回 Chorus 重试。", http.StatusBadRequest
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
		return client.TikTokStaging{}, domain.Errorf(codeTikTokNotConnected, "connect your TikTok account first")
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
		case store.StagingStaged:
			rep.Staged++
		case store.StagingFailed:
			rep.Failed++
			rep.Reasons[st.FailReason]++
		default:
			rep.Pending++
		}
	}
	return rep, nil
}
