// Package client is the Go client of the Chorus HTTP API, used by the app and
// by the server's black-box tests.
package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// Client talks to one Chorus server. Safe for concurrent use once set up.
type Client struct {
	r *resty.Client
}

// New returns a client for the server at baseURL (e.g. http://127.0.0.1:8080).
func New(baseURL string) *Client {
	r := resty.New().
		SetBaseURL(strings.TrimRight(baseURL, "/")).
		SetTimeout(30*time.Second).
		SetHeader("Accept", "application/json").
		SetRetryCount(2).
		SetRetryWaitTime(200 * time.Millisecond).
		SetRetryMaxWaitTime(2 * time.Second).
		AddRetryCondition(retryable)
	// resty retries on its own for some errors; we decide with retryable.
	r.RetryConditions = r.RetryConditions[:1]
	return &Client{r: r}
}

// retryable retries only what is safe to repeat: requests that failed before
// an answer or got a gateway error, and only for methods without side effects
// (writes carry their own idempotency keys and are retried by their callers).
func retryable(resp *resty.Response, err error) bool {
	if resp == nil || resp.Request == nil {
		return false
	}
	switch resp.Request.Method {
	case http.MethodGet, http.MethodHead:
	default:
		return false
	}
	if err != nil {
		return true
	}
	switch resp.StatusCode() {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// SetToken sets the bearer token sent with every request.
func (c *Client) SetToken(token string) *Client {
	c.r.SetAuthToken(token)
	return c
}

// Token is the bearer token sent with every request ("" when signed out):
// the app's media downloads, which are ranged requests outside this client,
// send it too.
func (c *Client) Token() string { return c.r.Token }

// SetTransport replaces the HTTP transport (tests wrap it to check responses).
func (c *Client) SetTransport(rt http.RoundTripper) *Client {
	c.r.SetTransport(rt)
	return c
}

// SetRetryCount changes how often failed reads are retried (0 = never).
func (c *Client) SetRetryCount(n int) *Client {
	c.r.SetRetryCount(n)
	return c
}

// BaseURL is the server address.
func (c *Client) BaseURL() string { return c.r.BaseURL }

func do[T any](ctx context.Context, c *Client, method, path string, body any) (T, error) {
	var out T
	req := c.r.R().SetContext(ctx).SetError(&ErrorBody{})
	if _, isNone := any(&out).(*struct{}); !isNone {
		req.SetResult(&out)
	}
	if body != nil {
		req.SetBody(body)
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		return out, err
	}
	if resp.IsError() {
		return out, toError(resp)
	}
	return out, nil
}

func toError(resp *resty.Response) error {
	if eb, ok := resp.Error().(*ErrorBody); ok && eb.Error.Code != "" {
		e := eb.Error
		e.Status = resp.StatusCode()
		return &e
	}
	return &Error{Status: resp.StatusCode(), Code: "http_" + fmt.Sprint(resp.StatusCode()), Message: strings.TrimSpace(string(resp.Body()))}
}

// Code returns the API error code of err, or "".
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Status returns the HTTP status of an API error, or 0.
func Status(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

func formatFields(f map[string]string) string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + f[k]
	}
	return "(" + strings.Join(parts, "; ") + ")"
}

func prog(pid string, rest ...string) string {
	p := "/api/v1/programs/" + url.PathEscape(pid)
	for _, r := range rest {
		p += "/" + url.PathEscape(r)
	}
	return p
}

// Health calls GET /healthz.
func (c *Client) Health(ctx context.Context) (Health, error) {
	return do[Health](ctx, c, http.MethodGet, "/healthz", nil)
}

// Login signs in and keeps the token for later calls.
func (c *Client) Login(ctx context.Context, email, password string) (Session, error) {
	s, err := do[Session](ctx, c, http.MethodPost, "/api/v1/auth/login", LoginRequest{Email: email, Password: password})
	if err == nil {
		c.SetToken(s.Token)
	}
	return s, err
}

// Logout ends the session.
func (c *Client) Logout(ctx context.Context) error {
	_, err := do[struct{}](ctx, c, http.MethodPost, "/api/v1/auth/logout", nil)
	return err
}

// AcceptInvite creates the account of an invited person and signs them in.
func (c *Client) AcceptInvite(ctx context.Context, in AcceptInvite) (Session, error) {
	s, err := do[Session](ctx, c, http.MethodPost, "/api/v1/invites/accept", in)
	if err == nil {
		c.SetToken(s.Token)
	}
	return s, err
}

// Me returns the signed-in person.
func (c *Client) Me(ctx context.Context) (Me, error) {
	return do[Me](ctx, c, http.MethodGet, "/api/v1/me", nil)
}

// UpdateMe changes the signed-in person's profile.
func (c *Client) UpdateMe(ctx context.Context, in UpdateMe) (Me, error) {
	return do[Me](ctx, c, http.MethodPatch, "/api/v1/me", in)
}

// Program returns a program's settings.
func (c *Client) Program(ctx context.Context, pid string) (Program, error) {
	return do[Program](ctx, c, http.MethodGet, prog(pid), nil)
}

// UpdateProgram changes a program's settings (managers).
func (c *Client) UpdateProgram(ctx context.Context, pid string, in UpdateProgram) (Program, error) {
	return do[Program](ctx, c, http.MethodPatch, prog(pid), in)
}

// Members lists a program's members (managers).
func (c *Client) Members(ctx context.Context, pid string) ([]Member, error) {
	l, err := do[List[Member]](ctx, c, http.MethodGet, prog(pid, "members"), nil)
	return l.Items, err
}

// AddMember adds or invites a person (managers).
func (c *Client) AddMember(ctx context.Context, pid string, in AddMember) (AddedMember, error) {
	return do[AddedMember](ctx, c, http.MethodPost, prog(pid, "members"), in)
}

// UpdateMember changes a member's role or groups (managers).
func (c *Client) UpdateMember(ctx context.Context, pid, uid string, in UpdateMember) (Member, error) {
	return do[Member](ctx, c, http.MethodPatch, prog(pid, "members", uid), in)
}

// RemoveMember takes a person out of the program (managers).
func (c *Client) RemoveMember(ctx context.Context, pid, uid string) error {
	_, err := do[struct{}](ctx, c, http.MethodDelete, prog(pid, "members", uid), nil)
	return err
}

// Groups lists member groups (managers).
func (c *Client) Groups(ctx context.Context, pid string) ([]Group, error) {
	l, err := do[List[Group]](ctx, c, http.MethodGet, prog(pid, "groups"), nil)
	return l.Items, err
}

// CreateGroup creates a member group (managers).
func (c *Client) CreateGroup(ctx context.Context, pid, name string) (Group, error) {
	return do[Group](ctx, c, http.MethodPost, prog(pid, "groups"), GroupInput{Name: name})
}

// RenameGroup renames a group (managers).
func (c *Client) RenameGroup(ctx context.Context, pid, gid, name string) (Group, error) {
	return do[Group](ctx, c, http.MethodPatch, prog(pid, "groups", gid), GroupInput{Name: name})
}

// DeleteGroup deletes a group (managers).
func (c *Client) DeleteGroup(ctx context.Context, pid, gid string) error {
	_, err := do[struct{}](ctx, c, http.MethodDelete, prog(pid, "groups", gid), nil)
	return err
}

// SetGroupMembers replaces a group's members (managers).
func (c *Client) SetGroupMembers(ctx context.Context, pid, gid string, userIDs []string) (Group, error) {
	return do[Group](ctx, c, http.MethodPut, prog(pid, "groups", gid, "members"), SetMembers{UserIDs: userIDs})
}

// Channels lists channels: all for managers; public and own private ones for members.
func (c *Client) Channels(ctx context.Context, pid string) ([]Channel, error) {
	l, err := do[List[Channel]](ctx, c, http.MethodGet, prog(pid, "channels"), nil)
	return l.Items, err
}

// CreateChannel creates a channel (managers).
func (c *Client) CreateChannel(ctx context.Context, pid string, in ChannelInput) (Channel, error) {
	return do[Channel](ctx, c, http.MethodPost, prog(pid, "channels"), in)
}

// UpdateChannel edits a channel (managers).
func (c *Client) UpdateChannel(ctx context.Context, pid, cid string, in ChannelInput) (Channel, error) {
	return do[Channel](ctx, c, http.MethodPatch, prog(pid, "channels", cid), in)
}

// DeleteChannel deletes a channel (managers).
func (c *Client) DeleteChannel(ctx context.Context, pid, cid string) error {
	_, err := do[struct{}](ctx, c, http.MethodDelete, prog(pid, "channels", cid), nil)
	return err
}

// SetChannelMembers replaces who is in a private channel (managers).
func (c *Client) SetChannelMembers(ctx context.Context, pid, cid string, userIDs []string) (Channel, error) {
	return do[Channel](ctx, c, http.MethodPut, prog(pid, "channels", cid, "members"), SetMembers{UserIDs: userIDs})
}

// Follow follows a public channel.
func (c *Client) Follow(ctx context.Context, pid, cid string) (Channel, error) {
	return do[Channel](ctx, c, http.MethodPost, prog(pid, "channels", cid, "follow"), nil)
}

// Unfollow stops following a public channel.
func (c *Client) Unfollow(ctx context.Context, pid, cid string) (Channel, error) {
	return do[Channel](ctx, c, http.MethodDelete, prog(pid, "channels", cid, "follow"), nil)
}

// Campaigns lists campaigns (managers).
func (c *Client) Campaigns(ctx context.Context, pid string) ([]Campaign, error) {
	l, err := do[List[Campaign]](ctx, c, http.MethodGet, prog(pid, "campaigns"), nil)
	return l.Items, err
}

// CreateCampaign creates a campaign (managers).
func (c *Client) CreateCampaign(ctx context.Context, pid string, in CampaignInput) (Campaign, error) {
	return do[Campaign](ctx, c, http.MethodPost, prog(pid, "campaigns"), in)
}

// UpdateCampaign edits a campaign (managers).
func (c *Client) UpdateCampaign(ctx context.Context, pid, id string, in CampaignInput) (Campaign, error) {
	return do[Campaign](ctx, c, http.MethodPatch, prog(pid, "campaigns", id), in)
}

// DeleteCampaign deletes a campaign (managers).
func (c *Client) DeleteCampaign(ctx context.Context, pid, id string) error {
	_, err := do[struct{}](ctx, c, http.MethodDelete, prog(pid, "campaigns", id), nil)
	return err
}

// ActivityQuery filters the managers' activity list.
type ActivityQuery struct {
	Status, CampaignID, Type, Search string
}

// Activities lists a program's activities (managers).
func (c *Client) Activities(ctx context.Context, pid string, q ActivityQuery) ([]Activity, error) {
	v := url.Values{}
	for k, s := range map[string]string{"status": q.Status, "campaign_id": q.CampaignID, "type": q.Type, "q": q.Search} {
		if s != "" {
			v.Set(k, s)
		}
	}
	path := prog(pid, "activities")
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	l, err := do[List[Activity]](ctx, c, http.MethodGet, path, nil)
	return l.Items, err
}

// CreateActivity creates an activity (managers).
func (c *Client) CreateActivity(ctx context.Context, pid string, in ActivityInput) (Activity, error) {
	return do[Activity](ctx, c, http.MethodPost, prog(pid, "activities"), in)
}

// Activity returns one activity (managers; members only while it is in their feed).
func (c *Client) Activity(ctx context.Context, pid, aid string) (Activity, error) {
	return do[Activity](ctx, c, http.MethodGet, prog(pid, "activities", aid), nil)
}

// UpdateActivity edits an activity (managers).
func (c *Client) UpdateActivity(ctx context.Context, pid, aid string, in ActivityInput) (Activity, error) {
	return do[Activity](ctx, c, http.MethodPatch, prog(pid, "activities", aid), in)
}

// RemoveActivity takes an activity out of member view (managers).
func (c *Client) RemoveActivity(ctx context.Context, pid, aid string) (Activity, error) {
	return do[Activity](ctx, c, http.MethodPost, prog(pid, "activities", aid, "remove"), nil)
}

// Feed returns what the caller sees now; a manager may pass asMember to see
// exactly that member's feed.
func (c *Client) Feed(ctx context.Context, pid, asMember string) (Feed, error) {
	path := prog(pid, "feed")
	if asMember != "" {
		path += "?as_member=" + url.QueryEscape(asMember)
	}
	return do[Feed](ctx, c, http.MethodGet, path, nil)
}

// FeedItem returns one activity of the caller's feed (for a notification's
// deep link); not_found once it has left the feed.
func (c *Client) FeedItem(ctx context.Context, pid, aid string) (FeedItem, error) {
	return do[FeedItem](ctx, c, http.MethodGet, prog(pid, "feed", aid), nil)
}
