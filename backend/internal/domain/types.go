package domain

import (
	"net/mail"
	"strings"
	"time"
	// Zones must resolve the same on a server without tzdata and on phones.
	_ "time/tzdata"

	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Role is a person's role inside one program.
type Role string

const (
	RoleManager Role = wire.RoleManager
	RoleMember  Role = wire.RoleMember
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleOwner || r == RoleManager || r == RoleMember }

// Locales the interface is translated into.
const (
	LocaleEnglish = "en"
	LocaleChinese = "zh-Hans"
)

// ValidLocale reports whether the interface is available in l.
func ValidLocale(l string) bool { return l == LocaleEnglish || l == LocaleChinese }

// User is a person; they may belong to several programs.
type User struct {
	ID             string
	Email          string
	Name           string
	PasswordHash   string // empty until an invite is accepted
	Timezone       string
	Locale         string
	TrackingOptOut bool
	// QuietHoursStart and QuietHoursEnd ("HH:MM" in Timezone, both or
	// neither) hold back new-activity pushes.
	QuietHoursStart string
	QuietHoursEnd   string
	CreatedAt       time.Time
}

// Program is one company's advocacy space.
type Program struct {
	ID                 string
	Name               string
	Timezone           string
	LeaderboardEnabled bool
	RewardsEnabled     bool
	CreatedAt          time.Time
}

// Membership ties a user to a program with a role.
type Membership struct {
	ProgramID   string
	ProgramName string
	UserID      string
	Role        Role
	// Scope is set for a limited manager: what they may work with.
	Scope *Scope
}

// Member is a membership seen from the program: the person and their groups.
type Member struct {
	User     User
	Role     Role
	GroupIDs []string
	Invited  bool // has not accepted the invite yet
}

// Group is a manager-chosen set of members, visible to managers only.
type Group struct {
	ID          string
	ProgramID   string
	Name        string
	MemberCount int
}

// Visibility of a channel.
type Visibility string

const (
	VisibilityPublic  Visibility = wire.VisibilityPublic  // members follow or unfollow
	VisibilityPrivate Visibility = wire.VisibilityPrivate // managers choose who is in
)

// Channel is a content stream.
type Channel struct {
	ID          string
	ProgramID   string
	Name        string
	Visibility  Visibility
	MemberCount int
	Following   bool // for the caller: follows (public) or belongs (private)
}

// Campaign groups activities for planning and reporting.
type Campaign struct {
	ID          string
	ProgramID   string
	Name        string
	Description string
}

// NormalizeEmail lower-cases and trims an address, and checks its shape.
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s, "@") {
		return s, false
	}
	return s, true
}

// LoadLocation resolves an IANA zone name; "" and "Local" are refused so a
// person's zone never depends on the server's.
func LoadLocation(name string) (*time.Location, bool) {
	if name == "" || name == "Local" {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}
