package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/mail"
)

// ResetTTL is how long a password reset link works.
const ResetTTL = time.Hour

// accepted marks a POST whose work happens later (202).
func accepted(rt route) route {
	rt.status = http.StatusAccepted
	return rt
}

// changePassword: the person proves their current password (through the
// sign-in limits) and chooses a new one. Every other session of theirs
// ends, with its event streams; the caller's stays.
func (s *Server) changePassword(c *call, in client.ChangePassword) (none, error) {
	f := domain.Fields{}
	if in.CurrentPassword == "" {
		f.Add("current_password", "is required")
	}
	checkPassword(f, "new_password", in.NewPassword)
	if err := f.Err(); err != nil {
		return none{}, err
	}
	u, err := s.store.UserByID(c.ctx, c.user.ID) // the cached copy may hold an older hash
	if err != nil {
		return none{}, err
	}
	if err := s.checkPassword(c, u.Email, in.CurrentPassword, u.PasswordHash); err != nil {
		if isCode(err, domain.CodeUnauthorized) {
			// Not 401: the session is fine, only the password is wrong.
			return none{}, &domain.Error{Code: domain.CodeValidation, Message: "your current password is not right",
				Fields: map[string]string{"current_password": "is not your current password"}}
		}
		return none{}, err
	}
	hash, err := s.hashPassword(c, in.NewPassword)
	if err != nil {
		return none{}, err
	}
	ended, err := s.store.ChangePassword(c.ctx, u.ID, hash, c.session, c.now, s.changedMail(u, c.now)...)
	if err != nil {
		return none{}, err
	}
	s.wakeJobs()
	s.caches.sessions.forget(func(k string, v domain.User) bool { return v.ID == u.ID && k != c.session })
	for _, h := range ended {
		s.endSessionStreams(c.ctx, h)
	}
	u.PasswordHash = hash
	s.caches.updateUser(u)
	return none{}, nil
}

var forgotAnswer = client.ForgotPasswordAnswer{Message: "If an account has this address, a link to reset its password is on its way. It works for one hour."}

// forgotPassword mails a reset link to an account's address. The answer,
// and the work done, are the same whether or not the address has an
// account: a token is made and hashed and the email built either way; only
// a real account's is stored and queued.
func (s *Server) forgotPassword(c *call, in client.ForgotPassword) (client.ForgotPasswordAnswer, error) {
	email, ok := domain.NormalizeEmail(in.Email)
	if !ok {
		return client.ForgotPasswordAnswer{}, &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention",
			Fields: map[string]string{"email": "must be an email address like name@example.com"}}
	}
	if !s.mailOn() {
		return client.ForgotPasswordAnswer{}, domain.Errorf(domain.CodeConflict, "this server does not send email: ask your program's manager or the server's administrator to reset your password")
	}
	now := c.now
	ok, wait, undo := s.resetAddrs.Try(s.clientIP(c.r), now)
	if !ok {
		return client.ForgotPasswordAnswer{}, tooManyResets(wait)
	}
	if ok, wait, _ := s.resetEmails.Try(email, now); !ok {
		undo() // the address did not get to ask
		return client.ForgotPasswordAnswer{}, tooManyResets(wait)
	}
	token, hash := auth.NewToken(32)
	u, err := s.store.UserByEmail(c.ctx, email)
	if err != nil && !isCode(err, domain.CodeNotFound) {
		return client.ForgotPasswordAnswer{}, err
	}
	msg := mail.ResetMessage(mail.Reset{To: email, Locale: u.Locale, Name: u.Name, Token: token, Link: s.appLink("reset", token), Valid: ResetTTL})
	// An invited person without a password yet sets it with their invite
	// code, not here: they get nothing, like an unknown address.
	if err != nil || u.PasswordHash == "" {
		return forgotAnswer, nil
	}
	if err := s.store.CreatePasswordReset(c.ctx, hash, u.ID, now, now.Add(ResetTTL), s.mailJobs(msg, now)...); err != nil {
		return client.ForgotPasswordAnswer{}, err
	}
	s.wakeJobs()
	return forgotAnswer, nil
}

func tooManyResets(wait time.Duration) error {
	return retryAfter{domain.Errorf(domain.CodeRateLimited, "too many reset requests; try again in %s", roundUp(wait)), wait}
}

// resetPassword spends a reset token on a new password: every session of
// the account ends, and the caller gets a new one.
func (s *Server) resetPassword(c *call, in client.ResetPassword) (client.Session, error) {
	f := domain.Fields{}
	token := strings.TrimSpace(in.Token)
	if token == "" {
		f.Add("token", "is required")
	}
	checkPassword(f, "new_password", in.NewPassword)
	if err := f.Err(); err != nil {
		return client.Session{}, err
	}
	hash := auth.HashToken(token)
	r, err := s.store.PasswordReset(c.ctx, hash)
	if isCode(err, domain.CodeNotFound) {
		return client.Session{}, domain.Errorf(domain.CodeNotFound, "this reset link is not known; check it, or ask for a new one with \"Forgot password?\"")
	}
	if err != nil {
		return client.Session{}, err
	}
	if !r.UsedAt.IsZero() {
		return client.Session{}, domain.Errorf(domain.CodeConflict, "this reset link was already used; sign in, or ask for a new one with \"Forgot password?\"")
	}
	if !c.now.Before(r.ExpiresAt) {
		return client.Session{}, domain.Errorf(domain.CodeConflict, "this reset link has expired; ask for a new one with \"Forgot password?\"")
	}
	u, err := s.store.UserByID(c.ctx, r.UserID)
	if err != nil {
		return client.Session{}, err
	}
	pw, err := s.hashPassword(c, in.NewPassword)
	if err != nil {
		return client.Session{}, err
	}
	if err := s.store.UsePasswordReset(c.ctx, hash, u.ID, pw, c.now, s.changedMail(u, c.now)...); err != nil {
		if isCode(err, domain.CodeNotFound) { // lost a race with another use
			return client.Session{}, domain.Errorf(domain.CodeConflict, "this reset link was already used; sign in, or ask for a new one with \"Forgot password?\"")
		}
		return client.Session{}, err
	}
	s.wakeJobs()
	s.endSessions(c, u.ID)
	s.accounts.Forget(u.Email)
	u.PasswordHash = pw
	return s.newSession(c, u)
}
