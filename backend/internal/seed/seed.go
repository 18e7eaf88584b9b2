// Package seed creates programs and people outside the API: the admin
// commands that bootstrap an installation, and the demo program.
package seed

import (
	"context"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// UserSpec describes a person to create.
type UserSpec struct {
	Email, Name, Password, Timezone, Locale string
}

// NewUser validates a spec and returns the user to store.
func NewUser(u UserSpec, p auth.Params, now time.Time) (domain.User, error) {
	f := domain.Fields{}
	email, ok := domain.NormalizeEmail(u.Email)
	if !ok {
		f.Add("email", "must be an email address like name@example.com")
	}
	if len(u.Password) < auth.MinPasswordLength {
		f.Add("password", "must be at least 8 characters")
	}
	if u.Timezone == "" {
		u.Timezone = "UTC"
	}
	if _, ok := domain.LoadLocation(u.Timezone); !ok {
		f.Add("timezone", "must be an IANA time zone such as Asia/Shanghai")
	}
	if u.Locale == "" {
		u.Locale = domain.LocaleEnglish
	}
	if !domain.ValidLocale(u.Locale) {
		f.Add("locale", "must be en or zh-Hans")
	}
	if u.Name == "" {
		u.Name = email
	}
	if err := f.Err(); err != nil {
		return domain.User{}, err
	}
	return domain.User{ID: domain.NewID("usr"), Email: email, Name: u.Name, PasswordHash: auth.HashPassword(u.Password, p),
		Timezone: u.Timezone, Locale: u.Locale, CreatedAt: now}, nil
}

// CreateUser creates a person.
func CreateUser(ctx context.Context, st *store.Store, u UserSpec, p auth.Params) (domain.User, error) {
	user, err := NewUser(u, p, time.Now())
	if err != nil {
		return domain.User{}, err
	}
	return user, st.CreateUser(ctx, user)
}

// CreateProgram creates a program with its first manager; the manager is
// created too unless a person with that email exists.
func CreateProgram(ctx context.Context, st *store.Store, name, timezone string, managerSpec UserSpec, p auth.Params) (domain.Program, domain.User, error) {
	f := domain.Fields{}
	if name == "" {
		f.Add("name", "is required")
	}
	if timezone == "" {
		timezone = "UTC"
	}
	if _, ok := domain.LoadLocation(timezone); !ok {
		f.Add("timezone", "must be an IANA time zone such as Asia/Shanghai")
	}
	if err := f.Err(); err != nil {
		return domain.Program{}, domain.User{}, err
	}
	email, _ := domain.NormalizeEmail(managerSpec.Email)
	mgr, err := st.UserByEmail(ctx, email)
	if err != nil {
		if mgr, err = CreateUser(ctx, st, managerSpec, p); err != nil {
			return domain.Program{}, domain.User{}, err
		}
	}
	prog := domain.Program{ID: domain.NewID("prg"), Name: name, Timezone: timezone, LeaderboardEnabled: true, RewardsEnabled: true, CreatedAt: time.Now()}
	return prog, mgr, st.CreateProgram(ctx, prog, mgr.ID)
}
