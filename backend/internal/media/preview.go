package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/links"
	"github.com/chorus-advocacy/chorus/backend/internal/netguard"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/mediacheck"
)

// The link-preview photo: a WeChat Photo activity whose message has a link
// and no photo gets the linked page's og:image. It runs as a durable job
// after the activity is saved (JobLinkPreview): the manager's save never
// waits on somebody else's web site, a slow or failing site is retried
// with backoff, and a restart loses nothing. The activity is usable at
// once; the photo arrives a moment later and the feeds reload.

// JobLinkPreview is the job kind; its payload is LinkPreviewJob.
const JobLinkPreview = "media.link_preview"

// LinkPreviewJob is the job's payload.
type LinkPreviewJob struct {
	ProgramID  string `json:"program_id"`
	ActivityID string `json:"activity_id"`
}

// PreviewOptions bound what fetching a link may do.
type PreviewOptions struct {
	// Allow lists addresses that may be fetched although they are private,
	// loopback or link-local (tests, an intranet). Empty: none.
	Allow []netip.Prefix
	// PageMaxBytes caps the page read (default 1 MiB).
	PageMaxBytes int64
	// PageTimeout caps fetching the page (default 5 s); ImageTimeout the
	// image (default 20 s).
	PageTimeout, ImageTimeout time.Duration
	// MaxRedirects followed per request (default 3).
	MaxRedirects int
	UserAgent    string
}

// ErrBlockedAddress is wrapped when a link leads to an address the server
// must not fetch from (its own network).
var ErrBlockedAddress = netguard.ErrBlocked

// Previewer fetches pages and their preview images, only from public
// addresses: the address is checked when the connection is made (after
// DNS, for every redirect), so a name that resolves to 127.0.0.1 or
// 169.254.169.254 is refused too.
type Previewer struct {
	o      PreviewOptions
	guard  netguard.Guard
	client *http.Client
}

// NewPreviewer makes a previewer.
func NewPreviewer(o PreviewOptions) *Previewer {
	if o.PageMaxBytes <= 0 {
		o.PageMaxBytes = 1 << 20
	}
	if o.PageTimeout <= 0 {
		o.PageTimeout = 5 * time.Second
	}
	if o.ImageTimeout <= 0 {
		o.ImageTimeout = 20 * time.Second
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 3
	}
	if o.UserAgent == "" {
		o.UserAgent = "ChorusLinkPreview/1 (+https://github.com/chorus-advocacy/chorus)"
	}
	p := &Previewer{o: o, guard: netguard.Guard{Allow: o.Allow}}
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would make the dial-time check meaningless
		DialContext:            p.guard.Dialer(5 * time.Second).DialContext,
		TLSHandshakeTimeout:    5 * time.Second,
		ResponseHeaderTimeout:  10 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           4,
		IdleConnTimeout:        30 * time.Second,
	}
	p.client = &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > o.MaxRedirects {
			return fmt.Errorf("link preview: more than %d redirects", o.MaxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("link preview: redirect to a %s: address", req.URL.Scheme)
		}
		return nil
	}}
	return p
}

// Allowed reports whether the previewer may connect to ip: a public
// unicast address, or one on the allow-list.
func (p *Previewer) Allowed(ip netip.Addr) bool { return p.guard.Allowed(ip) }

// isPublic is netguard.IsPublic (the guard moved there; media tests keep
// checking the rule they rely on).
func isPublic(ip netip.Addr) bool { return netguard.IsPublic(ip) }

// ParseAllow reads a comma-separated list of addresses and CIDR prefixes.
func ParseAllow(s string) ([]netip.Prefix, error) { return netguard.ParseAllow(s) }

// FirstLink returns the first http(s) link in a message ("" when none),
// found as tracked links find them.
func FirstLink(message string) string {
	if urls := links.UniqueURLs(message); len(urls) > 0 {
		return urls[0]
	}
	return ""
}

// PreviewImageURL is the preview image a page names ("" when none): what a
// WeChat Photo without a photo would get.
func (s *Service) PreviewImageURL(ctx context.Context, pageURL string) (string, error) {
	return s.preview.ImageURL(ctx, pageURL)
}

func (p *Previewer) get(ctx context.Context, rawURL, accept string) (*http.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("link preview: %q is not an http(s) address", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", p.o.UserAgent)
	req.Header.Set("Accept", accept)
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &statusError{url: rawURL, status: resp.StatusCode}
	}
	return resp, nil
}

type statusError struct {
	url    string
	status int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("link preview: %s answered %d", e.url, e.status)
}

// ImageURL fetches a page and returns its preview image's address
// (og:image, else twitter:image), resolved against the page's final
// address; a link straight to an image is its own preview. "" when the
// page names none.
func (p *Previewer) ImageURL(ctx context.Context, pageURL string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, p.o.PageTimeout)
	defer cancel()
	resp, err := p.get(ctx, pageURL, "text/html,application/xhtml+xml;q=0.9,image/*;q=0.8")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if strings.HasPrefix(mt, "image/") {
		return resp.Request.URL.String(), nil
	}
	if mt != "" && mt != "text/html" && mt != "application/xhtml+xml" {
		return "", nil
	}
	img := ogImage(io.LimitReader(resp.Body, p.o.PageMaxBytes))
	if img.url == "" {
		return "", nil
	}
	base := resp.Request.URL
	ref, err := url.Parse(img.url)
	if err != nil {
		return "", nil
	}
	if img.base != "" {
		if b, err := base.Parse(img.base); err == nil {
			base = b
		}
	}
	abs := base.ResolveReference(ref)
	if abs.Scheme != "http" && abs.Scheme != "https" {
		return "", nil
	}
	return abs.String(), nil
}

// pageImage is what a page's head says about its preview image.
type pageImage struct{ url, base string }

// ogImage reads a page's head for its preview image: og:image (or
// og:image:url / og:image:secure_url), else twitter:image; with the
// page's <base href>, if any.
func ogImage(r io.Reader) pageImage {
	z := html.NewTokenizer(r)
	var og, tw, base string
	for {
		switch z.Next() {
		case html.ErrorToken:
			return pick(og, tw, base)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return pick(og, tw, base)
			case "base":
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" && base == "" {
						base = strings.TrimSpace(string(v))
					}
				}
			case "meta":
				var prop, content string
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "property", "name":
						if prop == "" {
							prop = strings.ToLower(strings.TrimSpace(string(v)))
						}
					case "content":
						content = strings.TrimSpace(string(v))
					}
				}
				if content == "" {
					continue
				}
				switch prop {
				case "og:image", "og:image:url", "og:image:secure_url":
					if og == "" {
						og = content
					}
				case "twitter:image", "twitter:image:src":
					if tw == "" {
						tw = content
					}
				}
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "head" && (og != "" || tw != "") {
				return pick(og, tw, base)
			}
		}
	}
}

func pick(og, tw, base string) pageImage {
	if og != "" {
		return pageImage{og, base}
	}
	if tw != "" {
		return pageImage{tw, base}
	}
	return pageImage{}
}

// PreviewPhoto fetches the preview image of the page at link and stores
// it as a program's wechat_photo media. It returns (zero, nil) when the
// page names no image.
func (s *Service) PreviewPhoto(ctx context.Context, programID, userID, link string) (store.Media, error) {
	imgURL, err := s.preview.ImageURL(ctx, link)
	if err != nil || imgURL == "" {
		return store.Media{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.preview.o.ImageTimeout)
	defer cancel()
	resp, err := s.preview.get(ctx, imgURL, "image/*")
	if err != nil {
		return store.Media{}, err
	}
	defer resp.Body.Close()
	max := s.limits.PhotoMaxBytes
	if resp.ContentLength > max {
		return store.Media{}, Refused([]mediacheck.Problem{{Code: mediacheck.CodeTooLarge,
			Message: fmt.Sprintf("the page's image is %s; WeChat allows at most %s", sizeText(resp.ContentLength), sizeText(max))}})
	}
	name := ""
	if u, err := url.Parse(imgURL); err == nil {
		name = path.Base(u.Path)
		if name == "/" || name == "." || !strings.Contains(name, ".") {
			name = ""
		}
	}
	return s.Import(ctx, programID, userID, mediacheck.KindWeChatPhoto, name, store.MediaSourceLinkPreview, imgURL, resp.Body, max)
}

// RunLinkPreview is the JobLinkPreview handler: it gives the activity its
// link's preview photo unless the activity has a photo by then, or no
// longer has a link.
func (s *Service) RunLinkPreview(ctx context.Context, j store.Job) error {
	var p LinkPreviewJob
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	a, err := s.st.Activity(ctx, p.ProgramID, p.ActivityID)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	link := FirstLink(a.Message)
	if a.Type != domain.TypeWeChatPhoto || a.MediaID != "" || a.Removed() || link == "" {
		return nil
	}
	m, err := s.PreviewPhoto(ctx, p.ProgramID, a.CreatedBy, link)
	var de *domain.Error
	var se *statusError
	switch {
	case errors.Is(err, ErrBlockedAddress), errors.As(err, &de):
		s.log.Info("no link preview photo", "activity", a.ID, "link", link, "reason", err)
		return jobs.Permanent(err)
	case errors.As(err, &se) && se.status < 500 && se.status != http.StatusTooManyRequests && se.status != http.StatusRequestTimeout:
		s.log.Info("no link preview photo", "activity", a.ID, "link", link, "reason", err)
		return jobs.Permanent(err)
	case err != nil && j.Attempts >= 4:
		return jobs.Permanent(err)
	case err != nil:
		return err
	case m.ID == "":
		s.log.Info("linked page names no preview image", "activity", a.ID, "link", link)
		return nil
	}
	set, err := s.st.SetActivityMediaIfEmpty(ctx, p.ProgramID, a.ID, m.ID, s.now())
	if err != nil || !set {
		_ = s.Delete(context.WithoutCancel(ctx), m)
		return err
	}
	s.log.Info("link preview photo set", "activity", a.ID, "media", m.ID, "image", m.SourceURL)
	return nil
}

// WantsLinkPreview reports whether an activity should get its link's
// preview photo.
func WantsLinkPreview(a domain.Activity) bool {
	return a.Type == domain.TypeWeChatPhoto && a.MediaID == "" && !a.Removed() && FirstLink(a.Message) != ""
}
