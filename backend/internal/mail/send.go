package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Sender sends one message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// TLS modes of an SMTP connection.
const (
	TLSStartTLS = "starttls" // plain connect, then STARTTLS (required), usually port 587
	TLSImplicit = "tls"      // TLS from the first byte, usually port 465
	TLSNone     = "none"     // no encryption: only for a relay on this machine (and tests)
)

// Settings say how to reach the SMTP server.
type Settings struct {
	Host     string
	Port     int
	Username string // "" = no authentication
	Password string
	From     string // the sender address, e.g. "Chorus <chorus@example.com>"
	TLS      string // TLSStartTLS (default), TLSImplicit or TLSNone
	// TLSConfig overrides the TLS settings (tests trust their own CA).
	TLSConfig *tls.Config
	Timeout   time.Duration
}

// SMTP sends over an SMTP server, one connection per message: mail is
// rare (invitations, resets), so a pool would only hold idle connections.
type SMTP struct{ s Settings }

var _ Sender = (*SMTP)(nil)

// NewSMTP checks settings and returns a sender.
func NewSMTP(s Settings) (*SMTP, error) {
	if s.Host == "" {
		return nil, errors.New("mail: no SMTP host")
	}
	if s.From == "" {
		return nil, errors.New("mail: no from address")
	}
	if err := gomail.NewMsg().From(s.From); err != nil {
		return nil, fmt.Errorf("mail: the from address %q is not valid: %w", s.From, err)
	}
	switch s.TLS {
	case "":
		s.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("mail: TLS mode %q: want starttls, tls or none", s.TLS)
	}
	if s.Timeout == 0 {
		s.Timeout = 30 * time.Second
	}
	return &SMTP{s: s}, nil
}

func (c *SMTP) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithTimeout(c.s.Timeout)}
	if c.s.Port != 0 {
		opts = append(opts, gomail.WithPort(c.s.Port))
	}
	switch c.s.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
		if c.s.Port == 0 {
			opts = append(opts, gomail.WithPort(465))
		}
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		if c.s.Port == 0 {
			opts = append(opts, gomail.WithPort(25))
		}
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		if c.s.Port == 0 {
			opts = append(opts, gomail.WithPort(587))
		}
	}
	if c.s.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(c.s.TLSConfig))
	}
	if c.s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(c.s.Username), gomail.WithPassword(c.s.Password))
	}
	return gomail.NewClient(c.s.Host, opts...)
}

// Build makes the MIME message: multipart/alternative, plain text first.
func (c *SMTP) Build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(c.s.From); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, Permanent(fmt.Errorf("recipient %q: %w", m.To, err))
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	if m.Unsubscribe != "" {
		// RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to the URL.
		msg.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+m.Unsubscribe+">")
		msg.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	return msg, nil
}

// Send sends m. A recipient the server refuses for good (5xx) is marked
// Permanent: trying again cannot help. Everything else (a connection,
// authentication, a busy server) may be fixed by time or by the settings.
func (c *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := c.Build(m)
	if err != nil {
		return err
	}
	cl, err := c.client()
	if err != nil {
		return Permanent(err)
	}
	err = cl.DialAndSendWithContext(ctx, msg)
	var se *gomail.SendError
	if errors.As(err, &se) && !se.IsTemp() && (se.Reason == gomail.ErrSMTPRcptTo || se.Reason == gomail.ErrGetRcpts) {
		return Permanent(err)
	}
	return err
}

// PermanentError is a send error no retry can fix (the address is refused).
type PermanentError struct{ Err error }

func (p PermanentError) Error() string { return p.Err.Error() }
func (p PermanentError) Unwrap() error { return p.Err }

// Permanent marks err as permanent.
func Permanent(err error) error { return PermanentError{err} }
