package httpapi_test

import (
	"errors"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

func TestNotifyChannelSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st, loopbackWebPush)
		annID, ann := e.AddMember("ann@acme.test", "UTC")

		me := must[client.Me](t)(ann.Me(ctx))
		if !me.NotifyPush || me.NotifyEmail != client.NotifyAuto || me.NotifyWeCom != client.NotifyAuto || me.NotifyChannels == nil {
			t.Fatalf("defaults: %+v", me)
		}
		me = must[client.Me](t)(ann.UpdateMe(ctx, client.UpdateMe{NotifyPush: apitest.Ptr(false), NotifyEmail: apitest.Ptr("on"), NotifyWeCom: apitest.Ptr("off")}))
		if me.NotifyPush || me.NotifyEmail != "on" || me.NotifyWeCom != "off" {
			t.Fatalf("after update: %+v", me)
		}
		// Other fields leave the choice alone.
		me = must[client.Me](t)(ann.UpdateMe(ctx, client.UpdateMe{Name: apitest.Ptr("Ann")}))
		if me.NotifyPush || me.NotifyEmail != "on" || me.NotifyWeCom != "off" || me.Name != "Ann" {
			t.Fatalf("after a name change: %+v", me)
		}
		_, err := ann.UpdateMe(ctx, client.UpdateMe{NotifyEmail: apitest.Ptr("sometimes"), Name: apitest.Ptr("Annie")})
		if apitest.Code(err) != "validation_failed" || fieldErrors(err)["notify_email"] == "" {
			t.Fatalf("bad choice: %v", err)
		}
		if me = must[client.Me](t)(ann.Me(ctx)); me.Name != "Ann" {
			t.Fatalf("a refused update changed the profile: %+v", me)
		}

		// Program settings: managers only; webhook URLs are never answered.
		p := must[client.Program](t)(e.Manager.Program(ctx, e.ProgramID))
		if !p.EmailEnabled || !p.WeComEnabled || p.SlackWebhookSet || p.TeamsWebhookSet {
			t.Fatalf("program defaults: %+v", p)
		}
		p = must[client.Program](t)(e.Manager.UpdateProgram(ctx, e.ProgramID, client.UpdateProgram{EmailEnabled: apitest.Ptr(false),
			SlackWebhookURL: apitest.Ptr("https://hooks.slack.com/services/T0/B0/x")}))
		if p.EmailEnabled || !p.WeComEnabled || !p.SlackWebhookSet || p.TeamsWebhookSet {
			t.Fatalf("program after update: %+v", p)
		}
		pc, err := st.ProgramChannels(ctx, e.ProgramID)
		if err != nil || pc.SlackWebhook != "https://hooks.slack.com/services/T0/B0/x" {
			t.Fatalf("stored: %+v %v", pc, err)
		}
		for _, bad := range []string{"http://hooks.slack.com/x", "https://10.0.0.1/hook", "https://192.168.1.2/x", "hooks"} {
			_, err := e.Manager.UpdateProgram(ctx, e.ProgramID, client.UpdateProgram{TeamsWebhookURL: apitest.Ptr(bad)})
			if apitest.Code(err) != "validation_failed" || fieldErrors(err)["teams_webhook_url"] == "" {
				t.Errorf("webhook %q: %v", bad, err)
			}
		}
		if _, err := ann.UpdateProgram(ctx, e.ProgramID, client.UpdateProgram{EmailEnabled: apitest.Ptr(true)}); apitest.Code(err) != "forbidden" {
			t.Fatalf("member changed program channels: %v", err)
		}
		p = must[client.Program](t)(e.Manager.UpdateProgram(ctx, e.ProgramID, client.UpdateProgram{SlackWebhookURL: apitest.Ptr("")}))
		if p.SlackWebhookSet {
			t.Fatalf("webhook not removed: %+v", p)
		}

		// A member's WeCom id: set by a manager of their program only.
		m := must[client.Member](t)(e.Manager.UpdateMember(ctx, e.ProgramID, annID, client.UpdateMember{WeComUserID: apitest.Ptr("ann.li")}))
		if m.WeComUserID != "ann.li" {
			t.Fatalf("member: %+v", m)
		}
		ms := must[[]client.Member](t)(e.Manager.Members(ctx, e.ProgramID))
		found := false
		for _, x := range ms {
			found = found || (x.ID == annID && x.WeComUserID == "ann.li")
		}
		if !found {
			t.Fatalf("members: %+v", ms)
		}
		if _, err := e.Manager.UpdateMember(ctx, e.ProgramID, annID, client.UpdateMember{WeComUserID: apitest.Ptr("bad id!")}); fieldErrors(err)["wecom_user_id"] == "" {
			t.Fatalf("bad WeCom id: %v", err)
		}
		other, boss := e.OtherProgram()
		if _, err := boss.UpdateMember(ctx, other, annID, client.UpdateMember{WeComUserID: apitest.Ptr("x")}); apitest.Code(err) != "not_found" {
			t.Fatalf("another program's manager: %v", err)
		}
	})
}

func fieldErrors(err error) map[string]string {
	var ae *client.Error
	if errors.As(err, &ae) {
		return ae.Fields
	}
	return nil
}
