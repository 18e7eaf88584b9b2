package notify_test

import (
	"strings"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/internal/config"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/push/webpush"
)

func TestSendersFromConfig(t *testing.T) {
	fk, err := notify.StartFakes(quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer fk.Close()
	if mux, err := notify.Senders(config.Push{}); err != nil || len(mux) != 0 {
		t.Fatalf("no credentials: %v %v", mux, err)
	}
	pub, priv, _ := webpush.GenerateVAPIDKeys()
	mux, err := notify.Senders(config.Push{
		FCMCredentials: string(fk.FCM.ServiceAccountJSON("p")), FCMBaseURL: fk.FCM.URL(),
		APNsKey: string(fk.APNs.KeyP8()), APNsKeyID: fk.APNs.KeyID(), APNsTeamID: fk.APNs.TeamID(), APNsTopic: "app.chorus", APNsBaseURL: fk.APNs.URL(),
		WebPushPublicKey: pub, WebPushPrivateKey: priv, WebPushSubject: "mailto:ops@example.com",
	})
	if err != nil || len(mux) != 3 {
		t.Fatalf("all three: %v %v", mux, err)
	}
	_, err = notify.Senders(config.Push{FCMCredentials: "{}", APNsKeyID: "K", WebPushPublicKey: priv, WebPushPrivateKey: pub})
	for _, want := range []string{config.EnvFCMCredentials, config.EnvAPNsKey, config.EnvWebPushPublicKey, "swapped"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad credentials: %v, want it to mention %s", err, want)
		}
	}
	// Demo: fakes fill in what is not configured.
	if m := fk.FillIn(push.Mux{}); len(m) != 3 {
		t.Fatalf("fill in: %v", m)
	}
}
