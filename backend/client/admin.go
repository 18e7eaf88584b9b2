package client

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// AuditEntry is one manager action in a program's audit log.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	ActorName  string    `json:"actor_name"`
	Action     string    `json:"action"`
	ObjectKind string    `json:"object_kind"`
	ObjectID   string    `json:"object_id"`
	Detail     string    `json:"detail"`
	// Args are the entry's facts by name (email, role, role_from, role_to,
	// groups, limited, added, invited, existing, errors, points, reason,
	// enabled, issuer, client, domains, passwords) for a client to word the
	// entry in its language; Detail says the same in English.
	Args map[string]string `json:"args,omitempty"`
}

// AuditPage is a page of the audit log, newest first. NextBefore, when
// non-zero, asks for the next (older) page.
type AuditPage struct {
	Items      []AuditEntry `json:"items"`
	NextBefore int64        `json:"next_before,omitempty"`
}

// AuditLog reads a page of a program's audit log (owners): before 0 starts
// at the newest entry.
func (c *Client) AuditLog(ctx context.Context, pid string, before int64, limit int) (AuditPage, error) {
	q := url.Values{}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := prog(pid, "audit")
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return do[AuditPage](ctx, c, http.MethodGet, path, nil)
}

// ImportResult is the answer to a members import: one row per CSV data row.
type ImportResult struct {
	DryRun bool          `json:"dry_run"`
	Rows   []ImportedRow `json:"rows"`
	// Counts per Outcome.
	Added    int `json:"added"`
	Invited  int `json:"invited"`
	Existing int `json:"existing"`
	Errors   int `json:"errors"`
}

// Import outcomes (ImportedRow.Outcome).
const (
	ImportAdded    = "added"    // a new account, invited by email
	ImportInvited  = "invited"  // an existing account, invited to this program
	ImportExisting = "existing" // already a member: nothing changed
	ImportError    = "error"    // nothing done; Reason says why
)

// ImportedRow is what happened to one CSV row (Line counts from 1, the
// header included). A dry run answers what would happen.
type ImportedRow struct {
	Line     int      `json:"line"`
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Groups   []string `json:"groups"`
	Timezone string   `json:"timezone"`
	Language string   `json:"language"`
	Role     string   `json:"role"`
	Outcome  string   `json:"outcome"`
	// Reason says in English why the row was refused; Problems says the
	// same, one problem a field, by code (wire.Import…) for clients to word.
	Reason   string          `json:"reason,omitempty"`
	Problems []ImportProblem `json:"problems,omitempty"`
	MemberID string          `json:"member_id,omitempty"`
}

// ImportProblem is one reason a row was refused: the column, a code
// (wire.ImportBadEmail…) and the value the words need (a line, a limit, a
// group's name), if any.
type ImportProblem struct {
	Field string `json:"field"`
	Code  string `json:"code"`
	Value string `json:"value,omitempty"`
}

// ImportMembers sends a CSV (header: email,name,groups,timezone,language,role;
// groups separated by ";") to add people in bulk; dryRun only checks it.
func (c *Client) ImportMembers(ctx context.Context, pid string, csv []byte, dryRun bool) (ImportResult, error) {
	var out ImportResult
	path := prog(pid, "members", "import")
	if dryRun {
		path += "?dry_run=1"
	}
	resp, err := c.r.R().SetContext(ctx).SetError(&ErrorBody{}).SetHeader("Content-Type", "text/csv").SetBody(csv).SetResult(&out).Post(path)
	if err != nil {
		return out, err
	}
	if resp.IsError() {
		return out, toError(resp)
	}
	return out, nil
}

// SSOSettings are a program's single sign-on settings (owners). The
// client secret is never answered: SecretSet says whether one is stored.
type SSOSettings struct {
	Enabled        bool     `json:"enabled"`
	DisplayName    string   `json:"display_name"` // "Sign in with <DisplayName>"
	IssuerURL      string   `json:"issuer_url"`
	ClientID       string   `json:"client_id"`
	SecretSet      bool     `json:"secret_set"`
	AllowedDomains []string `json:"allowed_domains"`
	PasswordLogin  bool     `json:"password_login"`
	// FromConfig: set in the server's configuration, not changeable here.
	FromConfig bool `json:"from_config"`
}

// SSOInput changes single sign-on settings; nil fields stay. ClientSecret
// "" keeps the stored one.
type SSOInput struct {
	Enabled        *bool     `json:"enabled,omitempty"`
	DisplayName    *string   `json:"display_name,omitempty" maxLength:"name"`
	IssuerURL      *string   `json:"issuer_url,omitempty" maxLength:"url"`
	ClientID       *string   `json:"client_id,omitempty" maxLength:"key"`
	ClientSecret   *string   `json:"client_secret,omitempty" maxLength:"key"`
	AllowedDomains *[]string `json:"allowed_domains,omitempty" maxItems:"ids" maxLength:"email"`
	PasswordLogin  *bool     `json:"password_login,omitempty"`
}

// SSOProvider is what the sign-in screen shows for one program's SSO.
type SSOProvider struct {
	ProgramID     string `json:"program_id"`
	ProgramName   string `json:"program_name"`
	DisplayName   string `json:"display_name"`
	PasswordLogin bool   `json:"password_login"`
}

// SSOStart is where to send the person's browser to sign in.
type SSOStart struct {
	URL string `json:"url"`
}

// SSOExchange trades the one-time code the browser flow handed the app for
// a session.
type SSOExchange struct {
	Code string `json:"code" maxLength:"key"`
	// Verifier is the secret whose SSOChallenge the phone app put in its
	// chorus://sso return: a code that came back through the app's URL
	// scheme is only good with it, so another app that registered the
	// same scheme and caught the code cannot use it.
	Verifier string `json:"verifier,omitempty" maxLength:"key"`
}

// SSOAppScheme is the phone apps' URL scheme, the one return besides the
// desktop's loopback listener and the web build that the server accepts.
const SSOAppScheme = "chorus"

// NewSSOVerifier returns a fresh secret for SSOAppReturn (256 bits).
func NewSSOVerifier() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SSOChallenge is the public half of a verifier (S256, as PKCE's).
func SSOChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// SSOAppReturn is the return address a phone app gives StartSSO: the
// browser comes back to chorus://sso?challenge=…&sso_code=….
func SSOAppReturn(verifier string) string {
	return SSOAppScheme + "://sso?challenge=" + SSOChallenge(verifier)
}

// SSO reads a program's single sign-on settings (owners).
func (c *Client) SSO(ctx context.Context, pid string) (SSOSettings, error) {
	return do[SSOSettings](ctx, c, http.MethodGet, prog(pid, "sso"), nil)
}

// SetSSO changes a program's single sign-on settings (owners).
func (c *Client) SetSSO(ctx context.Context, pid string, in SSOInput) (SSOSettings, error) {
	return do[SSOSettings](ctx, c, http.MethodPatch, prog(pid, "sso"), in)
}

// SSOProviders lists the programs offering single sign-on on this server
// (for the sign-in screen; public).
func (c *Client) SSOProviders(ctx context.Context) ([]SSOProvider, error) {
	l, err := do[List[SSOProvider]](ctx, c, http.MethodGet, "/api/v1/auth/sso", nil)
	return l.Items, err
}

// StartSSO begins a sign-in with a program's identity provider: open the
// answered URL in a browser. ret is where the browser is sent at the end
// with ?sso_code=…: an http://127.0.0.1 loopback address of the app, the
// app's URL scheme (chorus://sso), or "" for the server's own page that
// shows the code.
func (c *Client) StartSSO(ctx context.Context, pid, ret string) (SSOStart, error) {
	q := url.Values{"program": {pid}}
	if ret != "" {
		q.Set("return", ret)
	}
	return do[SSOStart](ctx, c, http.MethodPost, "/api/v1/auth/sso/start?"+q.Encode(), nil)
}

// ExchangeSSO trades a one-time sign-in code for a session (and keeps its
// token, as Login does).
func (c *Client) ExchangeSSO(ctx context.Context, code string) (Session, error) {
	return c.ExchangeAppSSO(ctx, code, "")
}

// ExchangeAppSSO is ExchangeSSO for a code that came back through the
// app's URL scheme, with the verifier of SSOAppReturn.
func (c *Client) ExchangeAppSSO(ctx context.Context, code, verifier string) (Session, error) {
	s, err := do[Session](ctx, c, http.MethodPost, "/api/v1/auth/sso/exchange", SSOExchange{Code: code, Verifier: verifier})
	if err == nil {
		c.SetToken(s.Token)
	}
	return s, err
}
