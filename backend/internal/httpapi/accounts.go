package httpapi

import (
	"context"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

func (s *Server) health(c *call, _ none) (client.Health, error) {
	ctx, cancel := context.WithTimeout(c.ctx, 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("health check: database", "err", err)
		c.w.Header().Set("Content-Type", "application/json; charset=utf-8")
		writeJSON(c.w, 503, client.Health{Status: "unavailable", Database: "unreachable"})
		return client.Health{}, errHandled
	}
	return client.Health{Status: "ok", Database: s.store.Dialect()}, nil
}

func (s *Server) login(c *call, in client.LoginRequest) (client.Session, error) {
	email, _ := domain.NormalizeEmail(in.Email)
	now := s.now()
	ip := clientIP(c.r)
	for _, l := range []struct {
		lim *auth.Limiter
		key string
	}{{s.accounts, email}, {s.addrs, ip}} {
		if blocked, wait := l.lim.Blocked(l.key, now); blocked {
			return client.Session{}, retryAfter{domain.Errorf(domain.CodeRateLimited, "too many failed sign-ins; try again in %s", roundUp(wait)), wait}
		}
	}
	u, err := s.store.UserByEmail(c.ctx, email)
	if err == nil {
		err = auth.CheckPassword(in.Password, u.PasswordHash)
	} else if isCode(err, domain.CodeNotFound) {
		// Spend the same time as a real check so timing does not tell
		// which addresses have accounts.
		_ = auth.CheckPassword(in.Password, dummyHash(s.o.PasswordParams))
		err = auth.ErrMismatch
	}
	if err == auth.ErrMismatch {
		s.accounts.Take(email, now)
		s.addrs.Take(ip, now)
		return client.Session{}, domain.Errorf(domain.CodeUnauthorized, "that email and password do not match")
	}
	if err != nil {
		return client.Session{}, err
	}
	return s.newSession(c.ctx, u)
}

var dummy struct {
	params auth.Params
	hash   string
}

func dummyHash(p auth.Params) string {
	if dummy.params != p {
		dummy.hash, dummy.params = auth.HashPassword("not a password", p), p
	}
	return dummy.hash
}

func roundUp(d time.Duration) string {
	if d < time.Second {
		return "1s"
	}
	return d.Round(time.Second).String()
}

func (s *Server) newSession(ctx context.Context, u domain.User) (client.Session, error) {
	token, hash := auth.NewToken(32)
	now := s.now()
	exp := now.Add(s.o.SessionTTL)
	if err := s.store.CreateSession(ctx, hash, u.ID, now, exp); err != nil {
		return client.Session{}, err
	}
	ms, err := s.store.Memberships(ctx, u.ID)
	if err != nil {
		return client.Session{}, err
	}
	return client.Session{Token: token, ExpiresAt: exp.UTC().Truncate(time.Second), User: toMe(u, ms)}, nil
}

func (s *Server) logout(c *call, _ none) (none, error) {
	s.caches.forgetSession(c.session)
	defer s.endSessionStreams(c.ctx, c.session) // after the session is gone
	return none{}, s.store.DeleteSession(c.ctx, c.session)
}

func (s *Server) acceptInvite(c *call, in client.AcceptInvite) (client.Session, error) {
	f := domain.Fields{}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		f.Add("name", "is required")
	}
	checkPassword(f, "password", in.Password)
	if strings.TrimSpace(in.Code) == "" {
		f.Add("code", "is required")
	}
	if err := f.Err(); err != nil {
		return client.Session{}, err
	}
	hash := auth.HashInviteCode(in.Code)
	now := s.now()
	inv, err := s.store.Invite(c.ctx, hash)
	if isCode(err, domain.CodeNotFound) {
		return client.Session{}, domain.Errorf(domain.CodeNotFound, "this invite code is not known; check it, or ask your manager for a new one")
	}
	if err != nil {
		return client.Session{}, err
	}
	if !inv.AcceptedAt.IsZero() {
		return client.Session{}, domain.Errorf(domain.CodeConflict, "this invite was already used; sign in with your email and password")
	}
	if !now.Before(inv.ExpiresAt) {
		return client.Session{}, domain.Errorf(domain.CodeConflict, "this invite has expired; ask your manager for a new one")
	}
	u, err := s.store.UserByID(c.ctx, inv.UserID)
	if err != nil {
		return client.Session{}, err
	}
	u.Name, u.PasswordHash = name, auth.HashPassword(in.Password, s.o.PasswordParams)
	if err := s.store.AcceptInvite(c.ctx, hash, u, now); err != nil {
		if isCode(err, domain.CodeNotFound) { // lost a race with another accept
			return client.Session{}, domain.Errorf(domain.CodeConflict, "this invite was already used; sign in with your email and password")
		}
		return client.Session{}, err
	}
	return s.newSession(c.ctx, u)
}

func checkPassword(f domain.Fields, field, pw string) {
	if len([]rune(pw)) < auth.MinPasswordLength {
		f.Add(field, "must be at least 8 characters")
	} else if len(pw) > 256 {
		f.Add(field, "must be at most 256 bytes")
	}
}

func (s *Server) me(c *call, _ none) (client.Me, error) {
	ms, err := s.store.Memberships(c.ctx, c.user.ID)
	return toMe(c.user, ms), err
}

func (s *Server) updateMe(c *call, in client.UpdateMe) (client.Me, error) {
	u := c.user
	f := domain.Fields{}
	if in.Name != nil {
		if u.Name = strings.TrimSpace(*in.Name); u.Name == "" {
			f.Add("name", "must not be empty")
		}
	}
	if in.Timezone != nil {
		checkZone(f, "timezone", *in.Timezone)
		u.Timezone = *in.Timezone
	}
	if in.Locale != nil {
		if !domain.ValidLocale(*in.Locale) {
			f.Add("locale", "must be en or zh-Hans")
		}
		u.Locale = *in.Locale
	}
	if in.TrackingOptOut != nil {
		u.TrackingOptOut = *in.TrackingOptOut
	}
	applyQuietHours(f, &u, in)
	if err := f.Err(); err != nil {
		return client.Me{}, err
	}
	if err := s.store.UpdateUser(c.ctx, u); err != nil {
		return client.Me{}, err
	}
	s.caches.updateUser(u)
	c.user = u
	return s.me(c, none{})
}

func checkZone(f domain.Fields, field, name string) {
	if _, ok := domain.LoadLocation(name); !ok {
		f.Add(field, "must be an IANA time zone such as Asia/Shanghai or Europe/Berlin")
	}
}

func (s *Server) program(c *call, _ none) (client.Program, error) {
	p, err := s.store.Program(c.ctx, c.programID)
	return toProgram(p), err
}

func (s *Server) updateProgram(c *call, in client.UpdateProgram) (client.Program, error) {
	p, err := s.store.Program(c.ctx, c.programID)
	if err != nil {
		return client.Program{}, err
	}
	f := domain.Fields{}
	if in.Name != nil {
		if p.Name = strings.TrimSpace(*in.Name); p.Name == "" {
			f.Add("name", "must not be empty")
		}
	}
	if in.Timezone != nil {
		checkZone(f, "timezone", *in.Timezone)
		p.Timezone = *in.Timezone
	}
	if in.LeaderboardEnabled != nil {
		p.LeaderboardEnabled = *in.LeaderboardEnabled
	}
	if in.RewardsEnabled != nil {
		p.RewardsEnabled = *in.RewardsEnabled
	}
	if err := f.Err(); err != nil {
		return client.Program{}, err
	}
	return toProgram(p), s.store.UpdateProgram(c.ctx, p)
}
