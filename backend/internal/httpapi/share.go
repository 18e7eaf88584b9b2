package httpapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/media"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Share pages: GET /s/{token} is one member's page for one activity, for any
// phone's browser (WeChat's own too). The token is a capability for that
// member and activity only: it derives from the server's key and a row's
// nonce (so the same link can be shown again), only its hash is stored, it
// ends with the activity (30 days at most), and it is revoked when the
// member leaves the program or the activity is removed. It is never a
// session: /api refuses it.

// shareMaxAge is the longest a share link lives.
const shareMaxAge = 30 * 24 * time.Hour

//go:embed templates/share.html templates/share_gone.html
var shareFS embed.FS

var (
	shareTmpl     = template.Must(template.ParseFS(shareFS, "templates/share.html"))
	shareGoneTmpl = template.Must(template.ParseFS(shareFS, "templates/share_gone.html"))
)

// shareTokenShape is what a raw token looks like: 32 bytes, base64url.
var shareTokenShape = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// shareToken derives a raw token: HMAC-SHA256 of the program, activity,
// member and the row's nonce under the server's share key.
func (s *Server) shareToken(t store.ShareToken) string {
	m := hmac.New(sha256.New, s.shareKey)
	m.Write([]byte(t.ProgramID + "|" + t.ActivityID + "|" + t.UserID + "|" + t.Nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// shareLink returns userID's share page for the activity: the stored
// token while it is usable, else a new one that ends with the activity
// (30 days at most).
func (s *Server) shareLink(c *call, a *domain.Activity, userID string) (client.ShareLink, error) {
	now := c.now
	expires := now.Add(shareMaxAge)
	if !a.EndsAt.IsZero() && a.EndsAt.Before(expires) {
		expires = a.EndsAt
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	t := store.ShareToken{ProgramID: a.ProgramID, ActivityID: a.ID, UserID: userID, Nonce: hex.EncodeToString(nonce),
		CreatedAt: now, ExpiresAt: expires}
	t.Hash = auth.HashToken(s.shareToken(t))
	// A row made under another key (the secret changed) would give a
	// link that opens nothing: it is replaced.
	got, err := s.store.EnsureShareToken(c.ctx, t, now, func(old store.ShareToken) bool {
		return auth.HashToken(s.shareToken(old)) == old.Hash
	})
	if err != nil {
		return client.ShareLink{}, err
	}
	return client.ShareLink{URL: s.o.PublicURL + "/s/" + s.shareToken(got), ExpiresAt: got.ExpiresAt.UTC()}, nil
}

// ShareURL returns a member's share page for an activity they can see now:
// the way into one from outside a request (the demo's front page).
func (s *Server) ShareURL(ctx context.Context, programID, activityID, userID string) (string, error) {
	c := &call{ctx: ctx, now: s.now(), programID: programID}
	a, err := s.store.Activity(ctx, programID, activityID)
	if err != nil {
		return "", err
	}
	aud, err := s.store.Audience(ctx, programID, userID)
	if err != nil {
		return "", err
	}
	if !domain.Visible(&a, aud, c.now) {
		return "", domain.Errorf(domain.CodeNotFound, "this activity is not in the member's feed")
	}
	l, err := s.shareLink(c, &a, userID)
	return l.URL, err
}

// createShareLink is POST …/activities/{aid}/share-link: the caller's own
// link, or a manager's for any member of the program.
func (s *Server) createShareLink(c *call, in client.ShareLinkInput) (client.ShareLink, error) {
	who := strings.TrimSpace(in.MemberID)
	if who == "" {
		who = c.user.ID
	}
	if who != c.user.ID {
		if !c.fullManager() {
			return client.ShareLink{}, domain.Errorf(domain.CodeForbidden, "only managers can ask for another member's share link")
		}
		if _, err := s.store.Membership(c.ctx, c.programID, who); err != nil {
			if isCode(err, domain.CodeNotFound) {
				return client.ShareLink{}, domain.Errorf(domain.CodeNotFound, "no such member in this program")
			}
			return client.ShareLink{}, err
		}
	}
	a, err := s.store.Activity(c.ctx, c.programID, c.path("aid"))
	if err != nil {
		return client.ShareLink{}, err
	}
	aud, err := s.store.Audience(c.ctx, c.programID, who)
	if err != nil {
		return client.ShareLink{}, err
	}
	if !domain.Visible(&a, aud, c.now) {
		return client.ShareLink{}, domain.Errorf(domain.CodeNotFound, "this activity is not in the member's feed now")
	}
	return s.shareLink(c, &a, who)
}

// shareView is an opened share page: c acts as its member in its program.
type shareView struct {
	c   *call
	tok store.ShareToken
	raw string
	a   domain.Activity
}

func (v *shareView) base() string { return "/s/" + v.raw }

// shareGone is a link that existed and no longer opens (410).
type shareGone struct{ why string }

func (g shareGone) Error() string { return "share link gone: " + g.why }

// openShare checks the token and makes c its member's call. Nothing in the
// request but the token counts: no session, no cookie.
func (s *Server) openShare(c *call) (*shareView, error) {
	raw := c.path("token")
	if !shareTokenShape.MatchString(raw) {
		return nil, domain.NotFound("share link")
	}
	t, err := s.store.ShareTokenByHash(c.ctx, auth.HashToken(raw))
	if err != nil {
		return nil, err
	}
	switch {
	case !t.RevokedAt.IsZero():
		return nil, shareGone{"revoked"}
	case !c.now.Before(t.ExpiresAt):
		return nil, shareGone{"expired"}
	}
	a, err := s.store.Activity(c.ctx, t.ProgramID, t.ActivityID)
	if isCode(err, domain.CodeNotFound) {
		return nil, shareGone{"activity deleted"}
	}
	if err != nil {
		return nil, err
	}
	if a.Removed() {
		return nil, shareGone{"activity removed"}
	}
	if !a.EndsAt.IsZero() && !c.now.Before(a.EndsAt) {
		return nil, shareGone{"activity ended"}
	}
	m, err := s.store.Membership(c.ctx, t.ProgramID, t.UserID)
	if isCode(err, domain.CodeNotFound) {
		return nil, shareGone{"not a member"}
	}
	if err != nil {
		return nil, err
	}
	aud, err := s.store.Audience(c.ctx, t.ProgramID, t.UserID)
	if err != nil {
		return nil, err
	}
	if !domain.Targets(&a, aud) {
		return nil, shareGone{"not in the member's feed"}
	}
	u, err := s.store.UserByID(c.ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	c.user, c.programID, c.role = u, t.ProgramID, m.Role
	return &shareView{c: c, tok: t, raw: raw, a: a}, nil
}

// shareRoute declares a /s/ route: public (the token is the credential),
// and its failures are pages for a person, never JSON or a trace.
func (s *Server) shareRoute(method, path, summary string, fn func(v *shareView) error, doc func(op map[string]any), query ...param) route {
	return route{method: method, path: path, access: public, summary: summary, status: http.StatusOK,
		out: reflect.TypeOf(htmlPage{}), doc: doc, query: query,
		serve: func(c *call) (any, error) {
			v, err := s.openShare(c)
			if err == nil {
				err = fn(v)
			}
			if err == nil || errors.Is(err, errHandled) {
				return nil, err
			}
			s.shareFailed(c, err)
			return nil, errHandled
		}}
}

// shareFailed answers a share route's failure: 404 or 410 as a page in
// both languages; the perform's refusals as JSON to the page's script.
func (s *Server) shareFailed(c *call, err error) {
	var gone shareGone
	var de *domain.Error
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &gone):
		status = http.StatusGone
	case isCode(err, domain.CodeNotFound):
		status = http.StatusNotFound
	case errors.As(err, &de) && wantsJSON(c.r):
		writeError(c.w, de)
		return
	case errors.As(err, &de):
		status = StatusOf(de.Code)
	default:
		s.log.Error("share page failed", "method", c.r.Method, "err", err)
	}
	page := shareGonePage(status, preferZh(c.r.Header.Get("Accept-Language")))
	page.Nonce = newNonce()
	var b bytes.Buffer
	_ = shareGoneTmpl.Execute(&b, page)
	writeSharePage(c.w, status, page.Nonce, b.Bytes(), false)
}

type goneText struct{ Lang, Title, Body string }

type gonePage struct {
	Nonce string
	Texts []goneText
}

func shareGonePage(status int, zh bool) gonePage {
	en := goneText{"en", "This share link has ended", "The activity ended or was withdrawn, or you are no longer in its program. Open Chorus to see what you can share now."}
	cn := goneText{"zh-Hans", "此分享链接已失效", "活动已结束或已撤下，或您已不在该项目中。请打开 Chorus 查看现在可以分享的内容。"}
	switch status {
	case http.StatusNotFound:
		en = goneText{"en", "This share link does not exist", "Check that the whole link was copied, or ask for a new one in the Chorus app."}
		cn = goneText{"zh-Hans", "此分享链接不存在", "请确认链接已完整复制，或在 Chorus 应用中重新获取。"}
	case http.StatusGone:
	default:
		if status >= 500 {
			en = goneText{"en", "Something went wrong", "The page could not be shown just now. Try again in a moment."}
			cn = goneText{"zh-Hans", "出了点问题", "页面暂时无法显示，请稍后重试。"}
		} else {
			en = goneText{"en", "This cannot be done now", "The activity cannot be performed from this page now. Open Chorus to see why."}
			cn = goneText{"zh-Hans", "现在无法完成", "现在无法在此页面完成该活动，请打开 Chorus 查看原因。"}
		}
	}
	if zh {
		return gonePage{Texts: []goneText{cn, en}}
	}
	return gonePage{Texts: []goneText{en, cn}}
}

func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// writeSharePage answers a page with the share pages' headers: nothing
// cached, no referrer (the URL is a capability), a CSP allowing only this
// origin's media and the page's own nonce-tagged style and script.
func writeSharePage(w http.ResponseWriter, status int, nonce string, body []byte, script bool) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	shareHeaders(h)
	csp := "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'nonce-" + nonce + "'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	if script {
		csp += "; script-src 'nonce-" + nonce + "'; connect-src 'self'"
	}
	h.Set("Content-Security-Policy", csp)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func shareHeaders(h http.Header) {
	h.Set("Cache-Control", "private, no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// preferZh reads Accept-Language: Chinese when a zh tag comes before any
// English one (q values taken into account).
func preferZh(header string) bool {
	bestZh, bestEn := -1.0, -1.0
	for i, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q <= 0 {
			continue
		}
		q -= float64(i) * 1e-6 // earlier wins a tie
		tag = strings.ToLower(tag)
		switch {
		case (tag == "zh" || strings.HasPrefix(tag, "zh-")) && q > bestZh:
			bestZh = q
		case (tag == "en" || strings.HasPrefix(tag, "en-")) && q > bestEn:
			bestEn = q
		}
	}
	return bestZh > bestEn
}

// shareTexts are the page's words in one language.
type shareTexts struct {
	Lang, Title, Points, Ends, Starts, YourText, Copy, Copied, SelectHint, Share, SavePhoto, SaveVideo,
	LongPress, Posted, Ready, OpenWeChat, Earned, Already, Total, Done, SendTikTok, ConnectSend,
	Pending, Staged, Failed, Reminder, Steps, StepsVideo, StepsTikTok, Failure, PhotoAlt, Connected string
}

var shareEN = shareTexts{
	Lang: "en", Title: "Share on WeChat", Points: "+%d points", Ends: "Ends %s", Starts: "Starts %s",
	YourText: "Your text, with your own link", Copy: "Copy text", Copied: "Copied. Paste it into WeChat.",
	SelectHint: "The text is selected: choose Copy in the menu.", Share: "Share…", SavePhoto: "Save photo", SaveVideo: "Save video",
	LongPress: "Long-press the photo to save it", Posted: "I've posted it", Ready: "Ready for WeChat", OpenWeChat: "Open WeChat",
	Earned: "+{n} points. Thank you!", Already: "Already counted: no extra points.", Total: "Your points: {n}",
	Done: "Done: you have posted this.", SendTikTok: "Send to TikTok", ConnectSend: "Add Your Account & Send",
	Pending: "Sending the video to your TikTok account…", Staged: "The video is in your TikTok inbox.",
	Failed: "TikTok did not take the video.", Reminder: "Finish in the TikTok app: open its notification or your inbox, add your words and post.",
	Steps:       "Save or share the photo, copy the text, post it in WeChat Moments, then tap “I've posted it”.",
	StepsVideo:  "Save or share the video, copy the text, post it in WeChat Moments, then tap “I've posted it”.",
	StepsTikTok: "Send the video to your TikTok account, then finish the post in the TikTok app.",
	Failure:     "That did not work: ", PhotoAlt: "The photo to post", Connected: "TikTok connected.",
}

var shareZH = shareTexts{
	Lang: "zh-Hans", Title: "分享到微信", Points: "+%d 积分", Ends: "截止 %s", Starts: "开始于 %s",
	YourText: "您的文案（含您的专属链接）", Copy: "复制文案", Copied: "已复制，可粘贴到微信。",
	SelectHint: "文案已选中，请在菜单中选择“复制”。", Share: "分享…", SavePhoto: "保存图片", SaveVideo: "保存视频",
	LongPress: "长按图片保存", Posted: "我已发布", Ready: "可以去微信发布了", OpenWeChat: "打开微信",
	Earned: "+{n} 积分，谢谢！", Already: "已记录过，不重复加分。", Total: "您的积分：{n}",
	Done: "已完成：您已发布。", SendTikTok: "发送到 TikTok", ConnectSend: "添加账号并发送",
	Pending: "正在把视频发送到您的 TikTok 账号…", Staged: "视频已在您的 TikTok 收件箱中。",
	Failed: "TikTok 未接收该视频。", Reminder: "请在 TikTok 应用中完成：打开通知或收件箱，添加文字后发布。",
	Steps:       "保存或分享图片，复制文案，发到朋友圈后点“我已发布”。",
	StepsVideo:  "保存或分享视频，复制文案，发到朋友圈后点“我已发布”。",
	StepsTikTok: "把视频发送到您的 TikTok 账号，然后在 TikTok 应用中完成发布。",
	Failure:     "未能完成：", PhotoAlt: "要发布的图片", Connected: "TikTok 已连接。",
}

type shareMedia struct {
	Video                 bool
	Src, Download, Poster string
	Filename              string
	ContentType           string
	Width, Height         int
}

type sharePageData struct {
	T                       shareTexts
	Nonce, Base, Text       string
	Rows                    int
	PointsText, When        string
	Media                   *shareMedia
	TikTok, Connected       bool
	CanPerform, Done        bool
	DoneText, Staging       string
	StagingFailed, AutoSend bool
	JustConnected           bool
}

// sharePage is GET /s/{token}.
func (s *Server) sharePage(v *shareView) error {
	c, a := v.c, &v.a
	zh := c.user.Locale == domain.LocaleChinese || c.user.Locale == "" && preferZh(c.r.Header.Get("Accept-Language"))
	t := shareEN
	if zh {
		t = shareZH
	}
	spec, _ := domain.LookupType(a.Type)
	d := sharePageData{T: t, Nonce: newNonce(), Base: v.base(), TikTok: spec.Network == "tiktok"}
	if d.TikTok {
		d.T.Title = map[bool]string{false: "Post on TikTok", true: "发布到 TikTok"}[zh]
		d.T.Steps = t.StepsTikTok
	}
	sh, err := s.share(c, a)
	if err != nil {
		return err
	}
	d.Text = sh.Text
	d.Rows = min(max(strings.Count(d.Text, "\n")+1+len([]rune(d.Text))/30, 3), 12)
	d.PointsText = fmt.Sprintf(t.Points, a.Points)
	loc, ok := domain.LoadLocation(c.user.Timezone)
	if !ok {
		loc = s.programZone(c)
	}
	if c.now.Before(a.StartsAt) {
		d.When = fmt.Sprintf(t.Starts, shareTime(a.StartsAt.In(loc), zh))
	} else if !a.EndsAt.IsZero() {
		d.When = fmt.Sprintf(t.Ends, shareTime(a.EndsAt.In(loc), zh))
	}
	if a.MediaID != "" && s.o.Media != nil {
		m, err := s.o.Media.Media(c.ctx, c.programID, a.MediaID)
		if err != nil && !isCode(err, domain.CodeNotFound) {
			return err
		}
		if err == nil {
			sm := &shareMedia{Video: strings.HasPrefix(m.ContentType, "video/"), Src: d.Base + "/media", Download: d.Base + "/media?download=1",
				Filename: m.Filename, ContentType: m.ContentType, Width: m.Width, Height: m.Height}
			if sm.Video {
				if media.HasThumbnail(m) {
					sm.Poster = d.Base + "/thumbnail"
				}
				d.T.LongPress = ""
				if !d.TikTok {
					d.T.Steps = t.StepsVideo
				}
			}
			d.Media = sm
		}
	}
	done, err := s.store.Performed(c.ctx, a.ID, c.user.ID)
	if err != nil {
		return err
	}
	d.Done = done
	d.CanPerform = !c.now.Before(a.StartsAt)
	if done {
		total, err := s.store.Balance(c.ctx, c.programID, c.user.ID)
		if err != nil {
			return err
		}
		d.DoneText = t.Done + " " + strings.ReplaceAll(t.Total, "{n}", strconv.Itoa(total))
	}
	if d.TikTok {
		if s.o.TikTok != nil {
			if d.Connected, err = s.o.TikTok.Connected(c.ctx, c.user.ID); err != nil {
				return err
			}
		}
		if st, err := s.store.Staging(c.ctx, a.ID, c.user.ID); err == nil {
			d.Staging, d.StagingFailed = stagingText(t, st.Status), st.Status == wire.StagingFailed
		}
		d.JustConnected = c.query("tiktok") == "connected" && d.Connected
		d.AutoSend = d.JustConnected && !done && d.CanPerform
	}
	var b bytes.Buffer
	if err := shareTmpl.Execute(&b, d); err != nil {
		return err
	}
	writeSharePage(c.w, http.StatusOK, d.Nonce, b.Bytes(), true)
	return nil
}

func stagingText(t shareTexts, status string) string {
	switch status {
	case wire.StagingStaged:
		return t.Staged
	case wire.StagingFailed:
		return t.Failed
	}
	return t.Pending
}

// shareTime is an instant in the member's zone, as people write it.
func shareTime(t time.Time, zh bool) string {
	if zh {
		wd := [...]string{"日", "一", "二", "三", "四", "五", "六"}[t.Weekday()]
		return fmt.Sprintf("%d月%d日（周%s）%s", t.Month(), t.Day(), wd, t.Format("15:04"))
	}
	return t.Format("Mon 2 Jan, 15:04")
}

// shareMediaFile is GET /s/{token}/media: the activity's file (Range),
// ?download=1 as an attachment.
func (s *Server) shareMediaFile(v *shareView) error {
	if v.a.MediaID == "" {
		return domain.NotFound("media")
	}
	disposition := "inline"
	if v.c.query("download") == "1" {
		disposition = "attachment"
	}
	v.c.w.Header().Set("Referrer-Policy", "no-referrer")
	return s.writeMedia(v.c, v.a.MediaID, disposition)
}

// shareThumbnail is GET /s/{token}/thumbnail: the photo's thumbnail or
// the video's poster.
func (s *Server) shareThumbnail(v *shareView) error {
	if v.a.MediaID == "" {
		return domain.NotFound("media")
	}
	v.c.w.Header().Set("Referrer-Policy", "no-referrer")
	err := s.writeThumbnail(v.c, v.a.MediaID)
	if isCode(err, wire.CodeThumbnailUnavailable) {
		return domain.NotFound("thumbnail")
	}
	return err
}

// sharePerform is POST /s/{token}/perform: "I've posted it" (or "Send to
// TikTok") through the app's own perform path, surface web_share. The
// page's script asks for JSON; a plain form post is sent back to the page.
func (s *Server) sharePerform(v *shareView) error {
	// One action id per link: pressing twice is the same perform.
	res, err := s.performActivity(v.c, v.a.ID, "web_share:"+v.tok.Hash[:32], domain.SurfaceWebShare)
	if err != nil {
		return err
	}
	h := v.c.w.Header()
	shareHeaders(h)
	if !wantsJSON(v.c.r) {
		h.Set("Location", v.base())
		v.c.w.WriteHeader(http.StatusSeeOther)
		return errHandled
	}
	if res.Share.MediaURL != "" {
		res.Share.MediaURL = s.o.PublicURL + v.base() + "/media"
	}
	writeJSON(v.c.w, http.StatusOK, res)
	return errHandled
}

// shareTikTok is GET /s/{token}/tiktok: "Add Your Account & Send" starts
// the TikTok connect flow in this browser and comes back to the page.
func (s *Server) shareTikTok(v *shareView) error {
	if err := s.tiktokOn(); err != nil {
		return err
	}
	state, err := s.o.TikTok.StartConnect(v.c.ctx, v.c.user.ID)
	if err != nil {
		return err
	}
	h := v.c.w.Header()
	shareHeaders(h)
	h.Set("Location", s.o.PublicURL+"/oauth/tiktok/start?"+url.Values{"state": {state}, "return": {v.base()}}.Encode())
	v.c.w.WriteHeader(http.StatusSeeOther)
	return errHandled
}

// shareReturnPath is the only kind of place the TikTok callback sends a
// browser back to: a share page of this server (no open redirect).
var shareReturnPath = regexp.MustCompile(`^/s/[A-Za-z0-9_-]{43}$`)

// OpenAPI descriptions of the share routes.

func htmlContent() map[string]any {
	return map[string]any{"text/html": map[string]any{"schema": map[string]any{"type": "string"}}}
}

func docSharePage(op map[string]any) {
	rs := op["responses"].(map[string]any)
	rs["200"] = map[string]any{"description": "the share page", "content": htmlContent()}
	rs["404"] = map[string]any{"description": "no such share link (a page in English and Chinese)", "content": htmlContent()}
	rs["410"] = map[string]any{"description": "the link expired or was revoked (a page in English and Chinese)", "content": htmlContent()}
}

func docShareMedia(types ...string) func(op map[string]any) {
	return func(op map[string]any) {
		docMediaFile(types...)(op)
		rs := op["responses"].(map[string]any)
		rs["404"] = map[string]any{"description": "no such share link or no media", "content": htmlContent()}
		rs["410"] = map[string]any{"description": "the link expired or was revoked", "content": htmlContent()}
	}
}

func docSharePerform(op map[string]any) {
	docSharePage(op)
	rs := op["responses"].(map[string]any)
	rs["200"] = map[string]any{"description": "performed (Accept: application/json): points once per member",
		"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/PerformResult"}}}}
	rs["303"] = map[string]any{"description": "performed (a plain form post): back to the page",
		"headers": map[string]any{"Location": map[string]any{"schema": map[string]any{"type": "string"}}}}
}

func docShareTikTok(op map[string]any) {
	docSharePage(op)
	rs := op["responses"].(map[string]any)
	delete(rs, "200")
	rs["303"] = map[string]any{"description": "to the TikTok connect start link, which comes back to the share page",
		"headers": map[string]any{"Location": map[string]any{"schema": map[string]any{"type": "string"}}}}
}
