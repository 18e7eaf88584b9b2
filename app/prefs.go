package app

import "fyne.io/fyne/v2"

// Preference keys; renaming one loses what members saved under it.
const (
	prefServer  = "server_url"
	prefToken   = "session_token"
	prefUser    = "user_id"
	prefEmail   = "last_email"
	prefProgram = "program_id"
	prefLang    = "language"
	// prefPushDevice + user id: the push registration this device made for
	// that member (its id, to delete at sign-out or when turned off).
	prefPushDevice = "push_device."
	// prefLocalNotify: notifications while the app runs (default on).
	prefLocalNotify = "local_notifications"
)

// Prefs is the app's typed view of fyne.Preferences: small values that
// decide what the app shows at start. Larger state lives in Cache.
type Prefs struct {
	p fyne.Preferences
}

// NewPrefs wraps p.
func NewPrefs(p fyne.Preferences) Prefs { return Prefs{p: p} }

func (s Prefs) ServerURL() string     { return s.p.String(prefServer) }
func (s Prefs) SetServerURL(v string) { s.p.SetString(prefServer, v) }
func (s Prefs) Token() string         { return s.p.String(prefToken) }
func (s Prefs) SetToken(v string)     { s.p.SetString(prefToken, v) }
func (s Prefs) UserID() string        { return s.p.String(prefUser) }
func (s Prefs) SetUserID(v string)    { s.p.SetString(prefUser, v) }
func (s Prefs) Email() string         { return s.p.String(prefEmail) }
func (s Prefs) SetEmail(v string)     { s.p.SetString(prefEmail, v) }
func (s Prefs) ProgramID() string     { return s.p.String(prefProgram) }
func (s Prefs) SetProgramID(v string) { s.p.SetString(prefProgram, v) }
func (s Prefs) Lang() string          { return s.p.String(prefLang) }
func (s Prefs) SetLang(v Lang)        { s.p.SetString(prefLang, string(v)) }
func (s Prefs) PushDevice(userID string) string {
	if userID == "" {
		return ""
	}
	return s.p.String(prefPushDevice + userID)
}

func (s Prefs) SetPushDevice(userID, id string) {
	if userID == "" {
		return
	}
	if id == "" {
		s.p.RemoveValue(prefPushDevice + userID)
		return
	}
	s.p.SetString(prefPushDevice+userID, id)
}

func (s Prefs) LocalNotify() bool      { return s.p.BoolWithFallback(prefLocalNotify, true) }
func (s Prefs) SetLocalNotify(on bool) { s.p.SetBool(prefLocalNotify, on) }
func (s Prefs) ClearSession()          { s.p.RemoveValue(prefToken); s.p.RemoveValue(prefProgram) }
func (s Prefs) SignedIn() bool         { return s.Token() != "" && s.ServerURL() != "" }
