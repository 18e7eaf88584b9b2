package httpapi

import (
	"context"
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/links"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// redirectTo marks routes that answer a redirect.
type redirectTo struct{}

// linkCache keeps links by code: they never change, so a redirect reads the
// database once per code and then never again.
type linkCache struct {
	mu sync.RWMutex
	m  map[string]store.Link
}

const linkCacheMax = 200000

func (lc *linkCache) get(code string) (store.Link, bool) {
	lc.mu.RLock()
	defer lc.mu.RUnlock()
	l, ok := lc.m[code]
	return l, ok
}

func (lc *linkCache) put(l store.Link) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.m == nil || len(lc.m) >= linkCacheMax {
		lc.m = map[string]store.Link{} // simplest bound: start over
	}
	lc.m[l.Code] = l
}

// visitorSalt is today's salt, computed once a day.
type visitorSalt struct {
	mu   sync.Mutex
	day  string
	salt []byte
}

func (s *Server) salt(now time.Time) []byte {
	day := now.UTC().Format("2006-01-02")
	s.salts.mu.Lock()
	defer s.salts.mu.Unlock()
	if s.salts.day != day {
		s.salts.day, s.salts.salt = day, links.DailySalt(s.visitorKey, now)
	}
	return s.salts.salt
}

// followLink is GET /l/{code}: a redirect to the stored URL (never to anything
// else: no open redirect), no cookie, and a click handed to the recorder.
func (s *Server) followLink(c *call, _ none) (redirectTo, error) {
	code := c.path("code")
	l, ok := s.linkCache.get(code)
	if !ok {
		var err error
		l, err = s.store.LinkByCode(c.ctx, code)
		if err != nil {
			if isCode(err, domain.CodeNotFound) {
				c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				c.w.WriteHeader(http.StatusNotFound)
				_, _ = c.w.Write([]byte("This link does not exist.\n"))
				return redirectTo{}, errHandled
			}
			return redirectTo{}, err
		}
		s.linkCache.put(l)
	}
	if s.o.Clicks != nil {
		now := c.now
		ua := c.r.UserAgent()
		s.o.Clicks.Record(store.Click{Link: l, At: now, ReferrerHost: links.ReferrerHost(c.r.Referer()),
			Bot: links.IsBot(ua), Visitor: links.VisitorHash(s.salt(now), s.clientIP(c.r))})
	}
	h := c.w.Header()
	h.Set("Location", l.URL)
	h.Set("Cache-Control", "no-store") // every follow reaches us and counts
	h.Set("Referrer-Policy", "no-referrer")
	c.w.WriteHeader(http.StatusFound)
	return redirectTo{}, errHandled
}

func (s *Server) previewLinks(c *call, in client.LinkPreview) (client.LinkPreviewResult, error) {
	placeholder := s.o.PublicURL + "/l/" + strings.Repeat("x", links.CodeLength)
	urls := links.UniqueURLs(in.Message)
	if urls == nil {
		urls = []string{}
	}
	out := client.LinkPreviewResult{Message: links.Rewrite(in.Message, func(string) string { return placeholder }), URLs: urls}
	if len(urls) > 0 && s.o.Media != nil {
		// Best effort: a page that is slow, private or gone just has no
		// preview image here; the editor still works.
		ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
		defer cancel()
		if img, err := s.o.Media.PreviewImageURL(ctx, urls[0]); err == nil {
			out.ImageURL = img
		}
	}
	return out, nil
}

// previewImageRoute is GET …/links/preview/image?url=: the page's preview
// image, fetched by the server's guarded fetcher, for the editor to show.
func (s *Server) previewImageRoute(path string) route {
	rt := raw("GET", path, manager, "A page's preview image, fetched by the server from public addresses only (JPEG, PNG, GIF or WebP)", s.previewImage, docMediaFile("image/jpeg", "image/png", "image/gif", "image/webp"))
	rt.query = []param{{"url", "the page's address (http or https)"}}
	return rt
}

func (s *Server) previewImage(c *call) error {
	svc, err := s.mediaService()
	if err != nil {
		return err
	}
	page := c.query("url")
	if page == "" {
		return &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention", Fields: map[string]string{"url": "is required"}}
	}
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	ct, data, err := svc.PreviewImage(ctx, page)
	if err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "private, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(data)
	return nil
}

func toClickCount(c store.ClickCount) client.ClickCount {
	return client.ClickCount{Total: c.Total, People: c.People, Unique: c.Unique}
}

// clickReport counts an activity's clicks, per member.
func (s *Server) clickReport(c *call, activityID string) (client.ClickReport, error) {
	per, err := s.store.ActivityClicks(c.ctx, c.programID, activityID)
	if err != nil {
		return client.ClickReport{}, err
	}
	rep := client.ClickReport{PerMember: []client.MemberClicks{}}
	if len(per) == 0 {
		return rep, nil
	}
	members, err := s.store.Members(c.ctx, c.programID)
	if err != nil {
		return rep, err
	}
	for _, m := range members {
		cc, ok := per[m.User.ID]
		if !ok {
			continue
		}
		rep.Total += cc.Total
		rep.People += cc.People
		// Unique visitors are counted per member's link: a visitor who
		// opens two members' links counts for each.
		rep.Unique += cc.Unique
		rep.PerMember = append(rep.PerMember, client.MemberClicks{MemberID: m.User.ID, Name: m.User.Name, ClickCount: toClickCount(cc)})
	}
	rep.Bots = rep.Total - rep.People
	return rep, nil
}

func randomKey() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}
