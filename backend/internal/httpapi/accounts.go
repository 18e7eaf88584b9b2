package httpapi

import (
	"context"
	"errors"
	"fmt"
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
	u, err := s.store.UserByEmail(c.ctx, email)
	if err != nil && !isCode(err, domain.CodeNotFound) {
		return client.Session{}, err
	}
	// An unknown address and an invited person without a password yet cost
	// the same hash as a real check: timing tells nothing.
	if err := s.checkPassword(c, email, in.Password, u.PasswordHash); err != nil {
		return client.Session{}, err
	}
	if err := s.ssoOnly(c, u); err != nil {
		return client.Session{}, err
	}
	return s.newSession(c, u)
}

var errWrongPassword = domain.Errorf(domain.CodeUnauthorized, "that email and password do not match")

// checkPassword is every sign-in's password check: the address's budget and
// the account's backoff are taken before hashing (parallel guesses are
// counted as they start), hashes run through the gate, and a success gives
// both back. An empty hash (no account, or no password yet) never matches
// but costs the same.
func (s *Server) checkPassword(c *call, account, password, hash string) error {
	now := c.now
	ok, wait, undo := s.addrs.Try(s.clientIP(c.r), now)
	if !ok {
		return tooManyTries(wait)
	}
	if ok, wait := s.accounts.Try(account, now); !ok {
		undo() // the address did not get to guess
		return tooManyTries(wait)
	}
	var err error
	if gerr := s.hashes.Do(c.ctx, func() { err = auth.Verify(password, hash, s.o.PasswordParams) }); gerr != nil {
		undo()
		if errors.Is(gerr, auth.ErrBusy) {
			return retryAfter{domain.Errorf(domain.CodeRateLimited, "many people are signing in right now; try again in a moment"), 2 * time.Second}
		}
		return gerr
	}
	if errors.Is(err, auth.ErrMismatch) {
		return errWrongPassword
	}
	if err != nil {
		return err
	}
	undo()
	s.accounts.Forget(account)
	return nil
}

func roundUp(d time.Duration) string {
	if d < time.Second {
		return "1s"
	}
	return d.Round(time.Second).String()
}

func tooManyTries(wait time.Duration) error {
	return retryAfter{domain.Errorf(domain.CodeRateLimited, "too many failed sign-ins; try again in %s", roundUp(wait)), wait}
}

// hashPassword hashes a new password in the gate.
func (s *Server) hashPassword(c *call, password string) (string, error) {
	var hash string
	err := s.hashes.Do(c.ctx, func() { hash = auth.HashPassword(password, s.o.PasswordParams) })
	if errors.Is(err, auth.ErrBusy) {
		return "", retryAfter{domain.Errorf(domain.CodeRateLimited, "the server is busy; try again in a moment"), 2 * time.Second}
	}
	return hash, err
}

func (s *Server) newSession(c *call, u domain.User) (client.Session, error) {
	token, hash := auth.NewToken(32)
	now := c.now
	exp := now.Add(s.o.SessionTTL)
	if err := s.store.CreateSession(c.ctx, hash, u.ID, now, exp); err != nil {
		return client.Session{}, err
	}
	ms, err := s.store.Memberships(c.ctx, u.ID)
	if err != nil {
		return client.Session{}, err
	}
	me := toMe(u, ms)
	if err := s.notifyPrefs(c, &me); err != nil {
		return client.Session{}, err
	}
	return client.Session{Token: token, ExpiresAt: exp.UTC().Truncate(time.Second), User: me}, nil
}

func (s *Server) logout(c *call, _ none) (none, error) {
	s.caches.forgetSession(c.session)
	defer s.endSessionStreams(c.ctx, c.session) // after the session is gone
	return none{}, s.store.DeleteSession(c.ctx, c.session)
}

// acceptInvite joins the invite's program, and only that one. A person
// without a password yet chooses their name and first password here; a person
// who has one proves it, and nothing about their account changes: whoever
// holds an invite code never gets more than that program's membership.
func (s *Server) acceptInvite(c *call, in client.AcceptInvite) (client.Session, error) {
	f := domain.Fields{}
	if strings.TrimSpace(in.Code) == "" {
		f.Add("code", "is required")
	}
	if in.Password == "" {
		f.Add("password", "is required")
	}
	if err := f.Err(); err != nil {
		return client.Session{}, err
	}
	hash := auth.HashInviteCode(in.Code)
	now := c.now
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
	var first *domain.User
	if u.PasswordHash == "" {
		name := strings.TrimSpace(in.Name)
		if name == "" {
			f.Add("name", "is required")
		}
		checkPassword(f, "password", in.Password)
		if err := f.Err(); err != nil {
			return client.Session{}, err
		}
		if u.PasswordHash, err = s.hashPassword(c, in.Password); err != nil {
			return client.Session{}, err
		}
		u.Name = name
		first = &u
	} else if err := s.checkPassword(c, u.Email, in.Password, u.PasswordHash); err != nil {
		if isCode(err, domain.CodeUnauthorized) {
			return client.Session{}, domain.Errorf(domain.CodeUnauthorized, "this invite is for an account that already has a password: enter that password to join (your name and password stay as they are)")
		}
		return client.Session{}, err
	}
	if err := s.store.AcceptInvite(c.ctx, hash, inv, first, now); err != nil {
		if isCode(err, domain.CodeNotFound) { // lost a race with another accept, or the invite was withdrawn
			return client.Session{}, domain.Errorf(domain.CodeConflict, "this invite was already used or withdrawn; sign in with your email and password")
		}
		return client.Session{}, err
	}
	if first != nil {
		s.endSessions(c, u.ID)
	}
	s.caches.forgetMembers(inv.ProgramID)
	s.membershipChanged(c.ctx, inv.ProgramID, u.ID)
	return s.newSession(c, u)
}

// endSessions follows the database's ending of every session of a person
// (a new password): cached sessions are forgotten and their event streams
// closed, on every instance.
func (s *Server) endSessions(c *call, userID string) {
	s.caches.sessions.forget(func(_ string, u domain.User) bool { return u.ID == userID })
	s.endUserStreams(c.ctx, userID)
}

// checkPassword holds a new password to the rules: long enough, not too
// long, and not one of the passwords guessed first.
func checkPassword(f domain.Fields, field, pw string) {
	if len([]rune(pw)) < auth.MinPasswordLength {
		f.Add(field, "must be at least 8 characters")
	} else if len(pw) > domain.MaxPasswordLength {
		f.Add(field, fmt.Sprintf("must be at most %d bytes", domain.MaxPasswordLength))
	} else if auth.CommonPassword(pw) {
		f.Add(field, "is one of the most common passwords, which are guessed first: choose another")
	}
}

func (s *Server) me(c *call, _ none) (client.Me, error) {
	ms, err := s.store.Memberships(c.ctx, c.user.ID)
	me := toMe(c.user, ms)
	if err == nil {
		err = s.notifyPrefs(c, &me)
	}
	return me, err
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
	prefs, prefsChanged, err := s.applyNotifyPrefs(c, f, in)
	if err != nil {
		return client.Me{}, err
	}
	if err := f.Err(); err != nil {
		return client.Me{}, err
	}
	if err := s.store.UpdateUser(c.ctx, u); err != nil {
		return client.Me{}, err
	}
	if prefsChanged {
		if err := s.store.SetNotifyPrefs(c.ctx, u.ID, prefs); err != nil {
			return client.Me{}, err
		}
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
	if err != nil {
		return client.Program{}, err
	}
	out := toProgram(p)
	return out, s.programChannels(c, &out)
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
	saveChannels, err := s.applyProgramChannels(c, f, in)
	if err != nil {
		return client.Program{}, err
	}
	if err := f.Err(); err != nil {
		return client.Program{}, err
	}
	defer s.forgetProgram(c.programID)
	if err := s.store.UpdateProgram(c.ctx, p); err != nil {
		return client.Program{}, err
	}
	if saveChannels != nil {
		if err := saveChannels(); err != nil {
			return client.Program{}, err
		}
	}
	out := toProgram(p)
	return out, s.programChannels(c, &out)
}
