// Package config is the server's one typed configuration: defaults, then an
// optional file, then CHORUS_* environment variables, then flags. Secrets may
// come from a file named by the same variable with _FILE appended.
package config

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/chorus-advocacy/chorus/backend/internal/netguard"
)

// Environment variable names (also the keys of the config file).
const (
	EnvConfig             = "CHORUS_CONFIG"
	EnvAddr               = "CHORUS_ADDR"
	EnvData               = "CHORUS_DATA"
	EnvDatabaseURL        = "CHORUS_DATABASE_URL"
	EnvPublicURL          = "CHORUS_PUBLIC_URL"
	EnvLogLevel           = "CHORUS_LOG_LEVEL"
	EnvDemo               = "CHORUS_DEMO"
	EnvSecretKey          = "CHORUS_SECRET_KEY"
	EnvTikTokClientKey    = "CHORUS_TIKTOK_CLIENT_KEY"
	EnvTikTokClientSecret = "CHORUS_TIKTOK_CLIENT_SECRET"
	EnvTikTokAuthBaseURL  = "CHORUS_TIKTOK_AUTH_BASE_URL"
	EnvTikTokAPIBaseURL   = "CHORUS_TIKTOK_API_BASE_URL"
	EnvWebDir             = "CHORUS_WEB_DIR"

	// Media.
	EnvMediaDir         = "CHORUS_MEDIA_DIR"
	EnvPhotoMaxBytes    = "CHORUS_PHOTO_MAX_BYTES"
	EnvLinkPreviewAllow = "CHORUS_LINK_PREVIEW_ALLOW"

	// EnvTrustedProxies lists the reverse proxies (TLS in front) whose
	// X-Forwarded-For names the client.
	EnvTrustedProxies = "CHORUS_TRUSTED_PROXIES"

	// Push services (all reloadable). Secrets are best given as files:
	// CHORUS_FCM_CREDENTIALS_FILE, CHORUS_APNS_KEY_FILE,
	// CHORUS_WEBPUSH_VAPID_PRIVATE_KEY_FILE.
	EnvFCMCredentials    = "CHORUS_FCM_CREDENTIALS" // service-account JSON key
	EnvFCMProjectID      = "CHORUS_FCM_PROJECT_ID"
	EnvFCMBaseURL        = "CHORUS_FCM_BASE_URL"
	EnvAPNsKey           = "CHORUS_APNS_KEY" // AuthKey_<id>.p8
	EnvAPNsKeyID         = "CHORUS_APNS_KEY_ID"
	EnvAPNsTeamID        = "CHORUS_APNS_TEAM_ID"
	EnvAPNsTopic         = "CHORUS_APNS_TOPIC"
	EnvAPNsBaseURL       = "CHORUS_APNS_BASE_URL"
	EnvWebPushPublicKey  = "CHORUS_WEBPUSH_VAPID_PUBLIC_KEY"
	EnvWebPushPrivateKey = "CHORUS_WEBPUSH_VAPID_PRIVATE_KEY"
	EnvWebPushSubscriber = "CHORUS_WEBPUSH_SUBSCRIBER"

	// Email (invitations, password resets, password-changed notices, new
	// activities; all reloadable). Without a host no mail is sent; the
	// password is best given as CHORUS_SMTP_PASSWORD_FILE.
	EnvSMTPHost     = "CHORUS_SMTP_HOST"
	EnvSMTPPort     = "CHORUS_SMTP_PORT"
	EnvSMTPUsername = "CHORUS_SMTP_USERNAME"
	EnvSMTPPassword = "CHORUS_SMTP_PASSWORD"
	EnvSMTPFrom     = "CHORUS_SMTP_FROM"
	EnvSMTPTLS      = "CHORUS_SMTP_TLS"

	// WeCom (企业微信) application messages (all reloadable): the company's
	// corp id, the application's agent id and secret (best given as
	// CHORUS_WECOM_SECRET_FILE). Without a corp id WeCom is off.
	EnvWeComCorpID  = "CHORUS_WECOM_CORP_ID"
	EnvWeComAgentID = "CHORUS_WECOM_AGENT_ID"
	EnvWeComSecret  = "CHORUS_WECOM_SECRET"
	EnvWeComBaseURL = "CHORUS_WECOM_BASE_URL"

	// Single sign-on for one program set here rather than by its owners
	// (who then see it and cannot change it): the program's id, the OpenID
	// provider's issuer URL, the client id and secret (best given as
	// CHORUS_SSO_CLIENT_SECRET_FILE), the email domains allowed, the
	// button's name and whether passwords still sign in.
	EnvSSOProgram       = "CHORUS_SSO_PROGRAM"
	EnvSSOIssuer        = "CHORUS_SSO_ISSUER"
	EnvSSOClientID      = "CHORUS_SSO_CLIENT_ID"
	EnvSSOClientSecret  = "CHORUS_SSO_CLIENT_SECRET"
	EnvSSODomains       = "CHORUS_SSO_DOMAINS"
	EnvSSOName          = "CHORUS_SSO_NAME"
	EnvSSOPasswordLogin = "CHORUS_SSO_PASSWORD_LOGIN"
)

// Config is everything the server reads at start.
type Config struct {
	File        string // the config file, if any
	Addr        string
	DataDir     string
	DatabaseURL string
	PublicURL   string
	// PublicURLDerived: no public URL was set, so it follows the address
	// the server really listens on.
	PublicURLDerived bool
	LogLevel         slog.Level
	Demo             bool
	SecretKey        string // encrypts tokens at rest
	TikTok           TikTok
	WebDir           string // the member app's web build, served at /app/ ("" = not served)
	// TrustedProxies are the addresses of reverse proxies in front of the
	// server: from them, X-Forwarded-For says who the client is (sign-in
	// limits and click counts go by the client's address).
	TrustedProxies []netip.Prefix
	Push           Push
	Media          Media
	SMTP           SMTP
	WeCom          WeCom
	SSO            SSO
}

// SSO is one program's single sign-on, from the configuration. Program ""
// = none (owners set their own in the app).
type SSO struct {
	Program, Issuer, ClientID, ClientSecret, Name string
	Domains                                       []string
	PasswordLogin                                 bool
}

func (s SSO) check() error {
	if s.Program == "" {
		if s.Issuer != "" || s.ClientID != "" || s.ClientSecret != "" || len(s.Domains) > 0 {
			return errors.New(EnvSSOProgram + " is empty, so the other CHORUS_SSO_* settings do nothing: set it to the program's id (or remove them)")
		}
		return nil
	}
	var problems []string
	if u, err := url.Parse(s.Issuer); s.Issuer == "" || err != nil || u.Host == "" || u.Scheme != "https" {
		problems = append(problems, EnvSSOIssuer+" is required with "+EnvSSOProgram+": the provider's https issuer URL, such as https://login.example.com")
	}
	if s.ClientID == "" {
		problems = append(problems, EnvSSOClientID+" is required with "+EnvSSOProgram)
	}
	if s.ClientSecret == "" {
		problems = append(problems, EnvSSOClientSecret+" (or "+EnvSSOClientSecret+"_FILE) is required with "+EnvSSOProgram)
	}
	if len(s.Domains) == 0 {
		problems = append(problems, EnvSSODomains+" is required with "+EnvSSOProgram+": the email domains whose people may sign in, such as example.com,example.cn")
	}
	return joinProblems(problems)
}

// WeCom says how the server sends WeCom application messages. CorpID "" =
// no WeCom.
type WeCom struct {
	CorpID, Secret, BaseURL string
	AgentID                 int64
}

// Enabled reports whether WeCom is configured.
func (w WeCom) Enabled() bool { return w.CorpID != "" }

func (w WeCom) check() error {
	if w.CorpID == "" {
		if w.Secret != "" || w.AgentID != 0 {
			return errors.New(EnvWeComCorpID + " is empty, so WeCom is off: set it to your company's corp id (or remove the other CHORUS_WECOM_* settings)")
		}
		return nil
	}
	var problems []string
	if w.Secret == "" {
		problems = append(problems, EnvWeComSecret+" (or "+EnvWeComSecret+"_FILE) is required with "+EnvWeComCorpID+": the application's secret")
	}
	if w.AgentID <= 0 {
		problems = append(problems, EnvWeComAgentID+" is required with "+EnvWeComCorpID+": the application's AgentId, a number")
	}
	return joinProblems(problems)
}

// SMTP says how the server sends email. Host "" = no email.
type SMTP struct {
	Host               string
	Port               int // 0 = the TLS mode's usual port (587, 465, 25)
	Username, Password string
	From               string
	TLS                string // starttls, tls or none
}

// Enabled reports whether email is configured.
func (s SMTP) Enabled() bool { return s.Host != "" }

// Media holds where media is kept and the limits a company may change.
type Media struct {
	Dir           string // "" = DATA/media
	PhotoMaxBytes int64  // largest WeChat photo
	// LinkPreviewAllow lists addresses link previews may fetch although
	// they are private or loopback (tests, an intranet site).
	LinkPreviewAllow []netip.Prefix
}

// Push holds the push services' credentials and endpoints. A platform
// without credentials gets no pushes (in --demo: a fake service).
type Push struct {
	FCMCredentials, FCMProjectID, FCMBaseURL            string
	APNsKey, APNsKeyID, APNsTeamID, APNsTopic           string
	APNsBaseURL                                         string
	WebPushPublicKey, WebPushPrivateKey, WebPushSubject string
}

// TikTok holds the TikTok app's credentials and endpoints.
type TikTok struct {
	ClientKey, ClientSecret string
	AuthBaseURL, APIBaseURL string
}

// key is one setting: where it comes from and whether it can change while
// the server runs.
type key struct {
	env, flag  string
	usage      string
	def        string
	secret     bool // may come from ENV_FILE; never logged
	reloadable bool
	set        func(c *Config, v string) error
}

var keys = []key{
	{env: EnvAddr, flag: "addr", usage: "address to listen on", def: "127.0.0.1:8080", set: func(c *Config, v string) error { c.Addr = v; return nil }},
	{env: EnvData, flag: "data", usage: "data directory (SQLite database, media)", def: "./.chorus-data", set: func(c *Config, v string) error { c.DataDir = v; return nil }},
	{env: EnvDatabaseURL, flag: "database-url", usage: "postgres://… to use PostgreSQL instead of SQLite", secret: true, set: setDatabaseURL},
	{env: EnvPublicURL, flag: "public-url", usage: "the address people reach this server at (default http://ADDR)", set: setPublicURL},
	{env: EnvLogLevel, flag: "log-level", usage: "debug, info, warn or error", def: "info", reloadable: true, set: setLogLevel},
	{env: EnvDemo, flag: "demo", usage: "seed the demo program and use fake TikTok and push services", def: "false", set: func(c *Config, v string) error {
		switch strings.ToLower(v) {
		case "1", "true", "yes", "on":
			c.Demo = true
		case "0", "false", "no", "off", "":
			c.Demo = false
		default:
			return fmt.Errorf("must be true or false")
		}
		return nil
	}},
	{env: EnvSecretKey, usage: "key that encrypts tokens at rest (32+ random characters)", secret: true, set: func(c *Config, v string) error { c.SecretKey = v; return nil }},
	{env: EnvTikTokClientKey, usage: "TikTok app client key", reloadable: true, set: func(c *Config, v string) error { c.TikTok.ClientKey = v; return nil }},
	{env: EnvTikTokClientSecret, usage: "TikTok app client secret", secret: true, reloadable: true, set: func(c *Config, v string) error { c.TikTok.ClientSecret = v; return nil }},
	{env: EnvTikTokAuthBaseURL, usage: "TikTok authorization base URL", def: "https://www.tiktok.com", reloadable: true, set: setURL(func(c *Config) *string { return &c.TikTok.AuthBaseURL })},
	{env: EnvTikTokAPIBaseURL, usage: "TikTok API base URL", def: "https://open.tiktokapis.com", reloadable: true, set: setURL(func(c *Config) *string { return &c.TikTok.APIBaseURL })},
	{env: EnvFCMCredentials, usage: "FCM service-account JSON key (use CHORUS_FCM_CREDENTIALS_FILE)", secret: true, reloadable: true, set: func(c *Config, v string) error { c.Push.FCMCredentials = v; return nil }},
	{env: EnvFCMProjectID, usage: "Firebase project ID (default: the key's project_id)", reloadable: true, set: func(c *Config, v string) error { c.Push.FCMProjectID = v; return nil }},
	{env: EnvFCMBaseURL, usage: "FCM API base URL", def: "https://fcm.googleapis.com", reloadable: true, set: setURL(func(c *Config) *string { return &c.Push.FCMBaseURL })},
	{env: EnvAPNsKey, usage: "APNs auth key, the .p8 file's PEM (use CHORUS_APNS_KEY_FILE)", secret: true, reloadable: true, set: func(c *Config, v string) error { c.Push.APNsKey = v; return nil }},
	{env: EnvAPNsKeyID, usage: "APNs key ID", reloadable: true, set: func(c *Config, v string) error { c.Push.APNsKeyID = v; return nil }},
	{env: EnvAPNsTeamID, usage: "Apple developer team ID", reloadable: true, set: func(c *Config, v string) error { c.Push.APNsTeamID = v; return nil }},
	{env: EnvAPNsTopic, usage: "the iOS app's bundle ID", reloadable: true, set: func(c *Config, v string) error { c.Push.APNsTopic = v; return nil }},
	{env: EnvAPNsBaseURL, usage: "APNs base URL (https://api.sandbox.push.apple.com for development builds)", def: "https://api.push.apple.com", reloadable: true, set: setURL(func(c *Config) *string { return &c.Push.APNsBaseURL })},
	{env: EnvWebPushPublicKey, usage: "Web Push VAPID public key (base64url)", reloadable: true, set: func(c *Config, v string) error { c.Push.WebPushPublicKey = v; return nil }},
	{env: EnvWebPushPrivateKey, usage: "Web Push VAPID private key (base64url)", secret: true, reloadable: true, set: func(c *Config, v string) error { c.Push.WebPushPrivateKey = v; return nil }},
	{env: EnvWebPushSubscriber, usage: "contact for Web Push services: mailto: or https URL", reloadable: true, set: func(c *Config, v string) error { c.Push.WebPushSubject = v; return nil }},
	{env: EnvWebDir, flag: "web-dir", usage: "directory of the member app's web build (make web) to serve at /app/", set: func(c *Config, v string) error {
		if v != "" {
			if _, err := os.Stat(v + string(os.PathSeparator) + "index.html"); err != nil {
				return fmt.Errorf("%s holds no index.html: build the web app with make web", v)
			}
		}
		c.WebDir = v
		return nil
	}},
	{env: EnvMediaDir, flag: "media-dir", usage: "directory for uploaded photos and videos (default DATA/media)", set: func(c *Config, v string) error { c.Media.Dir = v; return nil }},
	{env: EnvPhotoMaxBytes, usage: "largest WeChat photo in bytes", def: "20971520", set: func(c *Config, v string) error {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("must be a number of bytes, such as 20971520 for 20 MB")
		}
		c.Media.PhotoMaxBytes = n
		return nil
	}},
	{env: EnvLinkPreviewAllow, usage: "comma-separated addresses or CIDR prefixes that link previews may fetch although private or loopback (default none)", set: func(c *Config, v string) error {
		return setPrefixes(&c.Media.LinkPreviewAllow, v)
	}},
	{env: EnvWeComCorpID, usage: "WeCom (企业微信) corp id; empty = no WeCom messages", reloadable: true, set: func(c *Config, v string) error { c.WeCom.CorpID = strings.TrimSpace(v); return nil }},
	{env: EnvWeComAgentID, usage: "the WeCom application's AgentId", reloadable: true, set: func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if v == "" {
			c.WeCom.AgentID = 0
			return nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return errors.New("must be the application's AgentId, a positive number")
		}
		c.WeCom.AgentID = n
		return nil
	}},
	{env: EnvWeComSecret, usage: "the WeCom application's secret (use CHORUS_WECOM_SECRET_FILE)", secret: true, reloadable: true, set: func(c *Config, v string) error { c.WeCom.Secret = strings.TrimSpace(v); return nil }},
	{env: EnvWeComBaseURL, usage: "WeCom API base URL", def: "https://qyapi.weixin.qq.com", reloadable: true, set: setURL(func(c *Config) *string { return &c.WeCom.BaseURL })},
	{env: EnvSSOProgram, usage: "a program's id: its single sign-on comes from the CHORUS_SSO_* settings, not from its owners", set: func(c *Config, v string) error { c.SSO.Program = strings.TrimSpace(v); return nil }},
	{env: EnvSSOIssuer, usage: "the OpenID provider's issuer URL (https)", set: func(c *Config, v string) error {
		c.SSO.Issuer = strings.TrimRight(strings.TrimSpace(v), "/")
		return nil
	}},
	{env: EnvSSOClientID, usage: "the client id Chorus has at the provider", set: func(c *Config, v string) error { c.SSO.ClientID = strings.TrimSpace(v); return nil }},
	{env: EnvSSOClientSecret, usage: "the client secret (use CHORUS_SSO_CLIENT_SECRET_FILE)", secret: true, set: func(c *Config, v string) error { c.SSO.ClientSecret = strings.TrimSpace(v); return nil }},
	{env: EnvSSODomains, usage: "email domains whose people may sign in, comma-separated", set: func(c *Config, v string) error {
		c.SSO.Domains = nil
		for _, d := range strings.Split(v, ",") {
			d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
			if d == "" {
				continue
			}
			if strings.ContainsAny(d, "@ /:") || !strings.Contains(d, ".") {
				return fmt.Errorf("%q is not an email domain such as example.com", d)
			}
			c.SSO.Domains = append(c.SSO.Domains, d)
		}
		return nil
	}},
	{env: EnvSSOName, usage: "the sign-in button says \"Sign in with\" this (default: the program's name)", set: func(c *Config, v string) error { c.SSO.Name = strings.TrimSpace(v); return nil }},
	{env: EnvSSOPasswordLogin, usage: "whether the program's members may still sign in with a password (owners always may)", def: "true", set: func(c *Config, v string) error {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return errors.New("must be true or false")
		}
		c.SSO.PasswordLogin = b
		return nil
	}},
	{env: EnvSMTPHost, usage: "SMTP server for email (invitations, password resets); empty = no email", reloadable: true, set: func(c *Config, v string) error { c.SMTP.Host = strings.TrimSpace(v); return nil }},
	{env: EnvSMTPPort, usage: "SMTP port (default: 587 for starttls, 465 for tls, 25 for none)", reloadable: true, set: func(c *Config, v string) error {
		if v = strings.TrimSpace(v); v == "" {
			c.SMTP.Port = 0
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("must be a port number such as 587")
		}
		c.SMTP.Port = n
		return nil
	}},
	{env: EnvSMTPUsername, usage: "SMTP user name (empty = no authentication)", reloadable: true, set: func(c *Config, v string) error { c.SMTP.Username = v; return nil }},
	{env: EnvSMTPPassword, usage: "SMTP password (use CHORUS_SMTP_PASSWORD_FILE)", secret: true, reloadable: true, set: func(c *Config, v string) error { c.SMTP.Password = v; return nil }},
	{env: EnvSMTPFrom, usage: "the address email comes from, such as \"Chorus <chorus@example.com>\"", reloadable: true, set: func(c *Config, v string) error {
		if v = strings.TrimSpace(v); v != "" {
			if _, err := mail.ParseAddress(v); err != nil {
				return fmt.Errorf("must be an email address such as chorus@example.com or \"Chorus <chorus@example.com>\"")
			}
		}
		c.SMTP.From = v
		return nil
	}},
	{env: EnvSMTPTLS, usage: "starttls (port 587), tls (implicit, port 465) or none (only a relay on this machine)", def: "starttls", reloadable: true, set: func(c *Config, v string) error {
		switch v = strings.ToLower(strings.TrimSpace(v)); v {
		case "starttls", "tls", "none":
			c.SMTP.TLS = v
			return nil
		}
		return fmt.Errorf("must be starttls, tls or none")
	}},
	{env: EnvTrustedProxies, flag: "trusted-proxies", usage: "comma-separated addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For names the client (default none)", set: func(c *Config, v string) error {
		return setPrefixes(&c.TrustedProxies, v)
	}},
}

func setPrefixes(dst *[]netip.Prefix, v string) error {
	ps, err := netguard.ParseAllow(v)
	if err != nil {
		return fmt.Errorf("%w (like 127.0.0.1 or 10.0.0.0/8)", err)
	}
	*dst = ps
	return nil
}

func setDatabaseURL(c *Config, v string) error {
	if v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
		return fmt.Errorf("must start with postgres:// (leave it empty for the embedded SQLite database)")
	}
	c.DatabaseURL = v
	return nil
}

func setPublicURL(c *Config, v string) error {
	if v == "" {
		c.PublicURL = ""
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an absolute http:// or https:// URL, like https://chorus.example.com")
	}
	c.PublicURL = strings.TrimRight(v, "/")
	return nil
}

func setURL(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("must be an absolute URL")
		}
		*field(c) = strings.TrimRight(v, "/")
		return nil
	}
}

func setLogLevel(c *Config, v string) error {
	return c.LogLevel.UnmarshalText([]byte(v))
}

// check validates the email settings as a whole.
func (s SMTP) check() error {
	var problems []string
	if s.Host == "" {
		if s.From != "" || s.Username != "" || s.Password != "" || s.Port != 0 {
			problems = append(problems, EnvSMTPHost+" is empty, so no email is sent: set it to your SMTP server (or remove the other CHORUS_SMTP_* settings)")
		}
		return joinProblems(problems)
	}
	if s.From == "" {
		problems = append(problems, EnvSMTPFrom+" is required with "+EnvSMTPHost+": the address email comes from, such as chorus@example.com")
	}
	if s.Password != "" && s.Username == "" {
		problems = append(problems, EnvSMTPUsername+" is required with "+EnvSMTPPassword)
	}
	if s.Username != "" && s.TLS == "none" {
		problems = append(problems, EnvSMTPTLS+"=none would send the SMTP password unencrypted: use starttls or tls")
	}
	return joinProblems(problems)
}

func joinProblems(p []string) error {
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(p, "; "))
}

// Loader remembers where each setting came from, so a reload of the file
// changes only what flags and the environment did not set.
type Loader struct {
	flags   map[string]string // env name -> flag value, for flags given
	getenv  func(string) string
	file    string
	current Config
}

// FlagSet returns a flag set with a flag for each key that has one, plus --config.
func FlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.String("config", "", "config file of KEY=value lines (CHORUS_* names); watched for changes")
	for _, k := range keys {
		if k.flag == "" {
			continue
		}
		if k.flag == "demo" {
			fs.Bool(k.flag, false, k.usage)
			continue
		}
		fs.String(k.flag, k.def, k.usage+" (env "+k.env+")")
	}
	return fs
}

// Load builds the config from parsed flags, the environment and the file.
func Load(fs *flag.FlagSet, getenv func(string) string) (Config, *Loader, error) {
	l := &Loader{flags: map[string]string{}, getenv: getenv}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" {
			l.file = f.Value.String()
			return
		}
		for _, k := range keys {
			if k.flag == f.Name {
				l.flags[k.env] = f.Value.String()
			}
		}
	})
	if l.file == "" {
		l.file = getenv(EnvConfig)
	}
	c, err := l.build()
	if err != nil {
		return Config{}, nil, err
	}
	l.current = c
	return c, l, nil
}

func (l *Loader) build() (Config, error) {
	fileVals := map[string]string{}
	if l.file != "" {
		var err error
		if fileVals, err = readFile(l.file); err != nil {
			return Config{}, err
		}
	}
	c := Config{File: l.file}
	var problems []string
	for _, k := range keys {
		v, from, err := l.value(k, fileVals)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if err := k.set(&c, v); err != nil {
			problems = append(problems, fmt.Sprintf("%s (%s): %v", k.env, from, err))
		}
	}
	if len(problems) > 0 {
		return Config{}, fmt.Errorf("configuration: %s", strings.Join(problems, "; "))
	}
	if err := c.SMTP.check(); err != nil {
		return Config{}, fmt.Errorf("configuration: %v", err)
	}
	if err := c.WeCom.check(); err != nil {
		return Config{}, fmt.Errorf("configuration: %v", err)
	}
	if err := c.SSO.check(); err != nil {
		return Config{}, fmt.Errorf("configuration: %v", err)
	}
	if c.PublicURL == "" {
		c.PublicURL, c.PublicURLDerived = "http://"+c.Addr, true
	}
	return c, nil
}

// value resolves one key: flag > env > env_FILE > file > file _FILE > default.
func (l *Loader) value(k key, file map[string]string) (string, string, error) {
	if v, ok := l.flags[k.env]; ok {
		return v, "flag --" + k.flag, nil
	}
	if v := l.getenv(k.env); v != "" {
		return v, "environment", nil
	}
	if k.secret {
		if p := l.getenv(k.env + "_FILE"); p != "" {
			return readSecret(k.env+"_FILE", p)
		}
	}
	if v, ok := file[k.env]; ok {
		return v, "config file", nil
	}
	if k.secret {
		if p, ok := file[k.env+"_FILE"]; ok {
			return readSecret(k.env+"_FILE", p)
		}
	}
	return k.def, "default", nil
}

func readSecret(name, path string) (string, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", fmt.Errorf("%s: cannot read %s: %v", name, path, err)
	}
	return strings.TrimSpace(string(b)), name, nil
}

// readFile reads KEY=value lines; # starts a comment; values may be quoted.
func readFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	known := map[string]bool{}
	for _, k := range keys {
		known[k.env], known[k.env+"_FILE"] = true, k.secret
	}
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(strings.TrimPrefix(k, "export "))
		if !ok {
			return nil, fmt.Errorf("config file %s line %d: want KEY=value", path, n)
		}
		if !known[k] {
			return nil, fmt.Errorf("config file %s line %d: unknown key %s (known: %s)", path, n, k, strings.Join(knownKeys(), ", "))
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out[k] = v
	}
	return out, sc.Err()
}

func knownKeys() []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.env)
	}
	sort.Strings(out)
	return out
}

// Change is the outcome of a reload.
type Change struct {
	Config      Config   // the new config (only reloadable keys changed)
	Applied     []string // reloadable keys whose value changed
	NeedRestart []string // keys that changed but need a restart
	Err         error    // the file could not be read or is invalid; nothing changed
}

// Reload re-reads the file. Reloadable keys take their new values; other
// changed keys keep their old values and are reported as needing a restart.
func (l *Loader) Reload() Change {
	next, err := l.build()
	if err != nil {
		return Change{Config: l.current, Err: err}
	}
	old := l.current
	merged := old
	var ch Change
	for _, k := range keys {
		ov, nv := snapshot(old, k), snapshot(next, k)
		if ov == nv {
			continue
		}
		if k.reloadable {
			_ = k.set(&merged, nv)
			ch.Applied = append(ch.Applied, k.env)
		} else {
			ch.NeedRestart = append(ch.NeedRestart, k.env)
		}
	}
	l.current = merged
	ch.Config = merged
	return ch
}

// snapshot renders a key's effective value for comparison.
func snapshot(c Config, k key) string {
	switch k.env {
	case EnvAddr:
		return c.Addr
	case EnvData:
		return c.DataDir
	case EnvDatabaseURL:
		return c.DatabaseURL
	case EnvPublicURL:
		return c.PublicURL
	case EnvLogLevel:
		return c.LogLevel.String()
	case EnvDemo:
		return fmt.Sprint(c.Demo)
	case EnvSecretKey:
		return c.SecretKey
	case EnvTikTokClientKey:
		return c.TikTok.ClientKey
	case EnvTikTokClientSecret:
		return c.TikTok.ClientSecret
	case EnvTikTokAuthBaseURL:
		return c.TikTok.AuthBaseURL
	case EnvTikTokAPIBaseURL:
		return c.TikTok.APIBaseURL
	case EnvWebDir:
		return c.WebDir
	case EnvFCMCredentials:
		return c.Push.FCMCredentials
	case EnvFCMProjectID:
		return c.Push.FCMProjectID
	case EnvFCMBaseURL:
		return c.Push.FCMBaseURL
	case EnvAPNsKey:
		return c.Push.APNsKey
	case EnvAPNsKeyID:
		return c.Push.APNsKeyID
	case EnvAPNsTeamID:
		return c.Push.APNsTeamID
	case EnvAPNsTopic:
		return c.Push.APNsTopic
	case EnvAPNsBaseURL:
		return c.Push.APNsBaseURL
	case EnvWebPushPublicKey:
		return c.Push.WebPushPublicKey
	case EnvWebPushPrivateKey:
		return c.Push.WebPushPrivateKey
	case EnvWebPushSubscriber:
		return c.Push.WebPushSubject
	case EnvMediaDir:
		return c.Media.Dir
	case EnvPhotoMaxBytes:
		return strconv.FormatInt(c.Media.PhotoMaxBytes, 10)
	case EnvLinkPreviewAllow:
		return fmt.Sprint(c.Media.LinkPreviewAllow)
	case EnvTrustedProxies:
		return fmt.Sprint(c.TrustedProxies)
	case EnvSMTPHost:
		return c.SMTP.Host
	case EnvSMTPPort:
		return strconv.Itoa(c.SMTP.Port)
	case EnvSMTPUsername:
		return c.SMTP.Username
	case EnvSMTPPassword:
		return c.SMTP.Password
	case EnvSMTPFrom:
		return c.SMTP.From
	case EnvSMTPTLS:
		return c.SMTP.TLS
	case EnvWeComCorpID:
		return c.WeCom.CorpID
	case EnvWeComAgentID:
		return strconv.FormatInt(c.WeCom.AgentID, 10)
	case EnvWeComSecret:
		return c.WeCom.Secret
	case EnvWeComBaseURL:
		return c.WeCom.BaseURL
	case EnvSSOProgram:
		return c.SSO.Program
	case EnvSSOIssuer:
		return c.SSO.Issuer
	case EnvSSOClientID:
		return c.SSO.ClientID
	case EnvSSOClientSecret:
		return c.SSO.ClientSecret
	case EnvSSODomains:
		return strings.Join(c.SSO.Domains, ",")
	case EnvSSOName:
		return c.SSO.Name
	case EnvSSOPasswordLogin:
		return strconv.FormatBool(c.SSO.PasswordLogin)
	}
	panic("config: no snapshot for " + k.env)
}
