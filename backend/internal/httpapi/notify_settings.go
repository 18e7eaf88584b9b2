package httpapi

import (
	"strings"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// ChannelInfo is what a notifier may tell about the channels the server
// has credentials for (Me.NotifyChannels). A notifier without it: push
// only.
type ChannelInfo interface {
	Channels() (push, email, wecom bool)
}

// notifyPrefs fills the channel fields of a Me.
func (s *Server) notifyPrefs(c *call, me *client.Me) error {
	p, err := s.store.NotifyPrefs(c.ctx, me.ID)
	if err != nil {
		return err
	}
	me.NotifyPush, me.NotifyEmail, me.NotifyWeCom = p.Push, p.Email, p.WeCom
	pushOn, emailOn, wecomOn := true, false, false
	if ci, ok := s.o.Notify.(ChannelInfo); ok {
		pushOn, emailOn, wecomOn = ci.Channels()
	}
	me.NotifyChannels = []string{}
	if pushOn {
		me.NotifyChannels = append(me.NotifyChannels, client.ChannelPush)
	}
	if emailOn || wecomOn {
		pe, pw, err := s.store.UserChannelsOn(c.ctx, me.ID)
		if err != nil {
			return err
		}
		if emailOn && pe {
			me.NotifyChannels = append(me.NotifyChannels, client.ChannelEmail)
		}
		if wecomOn && pw {
			me.NotifyChannels = append(me.NotifyChannels, client.ChannelWeCom)
		}
	}
	return nil
}

// applyNotifyPrefs validates PATCH /me's channel fields; changed says
// whether there is anything to save.
func (s *Server) applyNotifyPrefs(c *call, f domain.Fields, in client.UpdateMe) (p store.NotifyPrefs, changed bool, err error) {
	if in.NotifyPush == nil && in.NotifyEmail == nil && in.NotifyWeCom == nil {
		return p, false, nil
	}
	if p, err = s.store.NotifyPrefs(c.ctx, c.user.ID); err != nil {
		return p, false, err
	}
	if in.NotifyPush != nil {
		p.Push = *in.NotifyPush
	}
	for _, v := range []struct {
		field string
		in    *string
		dst   *string
	}{{"notify_email", in.NotifyEmail, &p.Email}, {"notify_wecom", in.NotifyWeCom, &p.WeCom}} {
		if v.in == nil {
			continue
		}
		if choice := strings.TrimSpace(*v.in); store.ValidNotifyChoice(choice) {
			*v.dst = choice
		} else {
			f.Add(v.field, "must be auto, on or off")
		}
	}
	return p, true, nil
}

// programChannels fills a Program's channel fields.
func (s *Server) programChannels(c *call, p *client.Program) error {
	pc, err := s.store.ProgramChannels(c.ctx, p.ID)
	if err != nil {
		return err
	}
	p.EmailEnabled, p.WeComEnabled = pc.EmailEnabled, pc.WeComEnabled
	p.SlackWebhookSet, p.TeamsWebhookSet = pc.SlackWebhook != "", pc.TeamsWebhook != ""
	return nil
}

// applyProgramChannels validates PATCH /programs/{pid}'s channel fields;
// save stores them (nil when none were given).
func (s *Server) applyProgramChannels(c *call, f domain.Fields, in client.UpdateProgram) (save func() error, err error) {
	if in.EmailEnabled == nil && in.WeComEnabled == nil && in.SlackWebhookURL == nil && in.TeamsWebhookURL == nil {
		return nil, nil
	}
	pc, err := s.store.ProgramChannels(c.ctx, c.programID)
	if err != nil {
		return nil, err
	}
	if in.EmailEnabled != nil {
		pc.EmailEnabled = *in.EmailEnabled
	}
	if in.WeComEnabled != nil {
		pc.WeComEnabled = *in.WeComEnabled
	}
	policy := push.EndpointPolicy{AllowLoopback: s.o.WebPushLoopback}
	for _, v := range []struct {
		field string
		in    *string
		dst   *string
	}{{"slack_webhook_url", in.SlackWebhookURL, &pc.SlackWebhook}, {"teams_webhook_url", in.TeamsWebhookURL, &pc.TeamsWebhook}} {
		if v.in == nil {
			continue
		}
		u := strings.TrimSpace(*v.in)
		switch {
		case u == "":
			*v.dst = ""
		case policy.CheckEndpoint(u) != nil:
			f.Add(v.field, "must be the https address of an incoming webhook on a public host")
		default:
			*v.dst = s.seal(u)
		}
	}
	return func() error { return s.store.SetProgramChannels(c.ctx, c.programID, pc) }, nil
}

// seal encrypts a credential kept in the database (as queued mail is);
// without a sealer (tests) it is kept as it is.
func (s *Server) seal(v string) string {
	if s.o.MailSealer == nil {
		return v
	}
	return s.o.MailSealer.Seal(v)
}

// memberWeComIDs fills members' WeCom ids.
func (s *Server) memberWeComIDs(c *call, ms []client.Member) error {
	ids, err := s.store.MemberWeComIDs(c.ctx, c.programID)
	for i := range ms {
		ms[i].WeComUserID = ids[ms[i].ID]
	}
	return err
}

// applyMemberWeComID validates UpdateMember's WeCom id; save stores it
// (nil when none was given).
func (s *Server) applyMemberWeComID(c *call, userID string, in client.UpdateMember) (save func() error, err error) {
	if in.WeComUserID == nil {
		return nil, nil
	}
	id := strings.TrimSpace(*in.WeComUserID)
	// WeCom user ids are 1–64 letters, digits, and _-.@ (WeCom's own rule).
	if len(id) > 64 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.@") != "" {
		return nil, &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention",
			Fields: map[string]string{"wecom_user_id": "must be a WeCom user id: up to 64 letters, digits, _ - . @"}}
	}
	return func() error { return s.store.SetMemberWeComID(c.ctx, c.programID, userID, id) }, nil
}
