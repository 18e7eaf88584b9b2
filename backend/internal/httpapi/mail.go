package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/mail"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// JobMail sends one email. Its payload is the built message, sealed when
// the server has a key (it carries invite codes and reset tokens).
const JobMail = "mail"

// Sealer encrypts job payloads at rest (*secret.Keys).
type Sealer interface {
	Seal(plaintext string) string
	Open(sealed string) (string, error)
}

type mailPayload struct {
	Sealed  string        `json:"sealed,omitempty"`
	Message *mail.Message `json:"message,omitempty"`
}

// mailOn reports whether email is sent: a sender and a job runner.
func (s *Server) mailOn() bool { return s.o.Mail != nil && s.o.Jobs != nil }

func (s *Server) registerMailJobs() {
	if s.mailOn() {
		s.o.Jobs.Handle(JobMail, s.runMailJob)
	}
}

// mailJobs are the jobs that send m, to be queued in the transaction of
// the write that causes it (none without email).
func (s *Server) mailJobs(m mail.Message, now time.Time) []store.NewJob {
	if !s.mailOn() {
		return nil
	}
	p := mailPayload{Message: &m}
	if s.o.MailSealer != nil {
		b, _ := json.Marshal(m)
		p = mailPayload{Sealed: s.o.MailSealer.Seal(string(b))}
	}
	b, _ := json.Marshal(p)
	return []store.NewJob{{Kind: JobMail, Payload: string(b), RunAt: now, MaxAttempts: 12}}
}

func (s *Server) runMailJob(ctx context.Context, j store.Job) error {
	var p mailPayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(fmt.Errorf("mail payload: %w", err))
	}
	if p.Sealed != "" {
		if s.o.MailSealer == nil {
			return jobs.Permanent(errors.New("mail payload is sealed but the server has no key"))
		}
		plain, err := s.o.MailSealer.Open(p.Sealed)
		if err != nil {
			return jobs.Permanent(fmt.Errorf("mail payload: %w", err))
		}
		p.Message = new(mail.Message)
		if err := json.Unmarshal([]byte(plain), p.Message); err != nil {
			return jobs.Permanent(fmt.Errorf("mail payload: %w", err))
		}
	}
	if p.Message == nil {
		return jobs.Permanent(errors.New("mail payload without a message"))
	}
	err := s.o.Mail.Send(ctx, *p.Message)
	var perm mail.PermanentError
	if errors.As(err, &perm) {
		return jobs.Permanent(err)
	}
	return err
}

// appLink is a link into the member app's web build that opens a screen
// with a value filled in (#invite/{code}, #reset/{token}).
func (s *Server) appLink(screen, value string) string {
	return s.o.PublicURL + "/app/#" + screen + "/" + url.PathEscape(value)
}

// inviteMail is the invitation a manager's add sends.
func (s *Server) inviteMail(programName string, u domain.User, name, code string, expires time.Time) mail.Message {
	return mail.InviteMessage(mail.Invite{To: u.Email, Locale: u.Locale, Name: name, Program: programName,
		Code: code, Link: s.appLink("invite", code), Expires: expires})
}

// changedMail is the notice that a person's password changed.
func (s *Server) changedMail(u domain.User, now time.Time) []store.NewJob {
	if !s.mailOn() {
		return nil
	}
	return s.mailJobs(mail.PasswordChangedMessage(mail.PasswordChanged{To: u.Email, Locale: u.Locale, Name: u.Name, At: now, Zone: u.Timezone}), now)
}
