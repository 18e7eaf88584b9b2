package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/chorus-advocacy/chorus/backend/internal/config"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/push/apns"
	"github.com/chorus-advocacy/chorus/backend/internal/push/apnstest"
	"github.com/chorus-advocacy/chorus/backend/internal/push/fcm"
	"github.com/chorus-advocacy/chorus/backend/internal/push/fcmtest"
	"github.com/chorus-advocacy/chorus/backend/internal/push/webpush"
	"github.com/chorus-advocacy/chorus/backend/internal/push/webpushtest"
)

// Senders builds a sender per platform that has credentials in p. A
// platform without them is left out: its devices' pushes are refused (and
// logged). The error says which settings to fix.
func Senders(p config.Push) (push.Mux, error) {
	mux := push.Mux{}
	var errs []error
	if p.FCMCredentials != "" {
		s, err := fcm.New(fcm.Config{CredentialsJSON: []byte(p.FCMCredentials), ProjectID: p.FCMProjectID, BaseURL: p.FCMBaseURL})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", config.EnvFCMCredentials, err))
		} else {
			mux[push.PlatformFCM] = s
		}
	}
	if p.APNsKey != "" || p.APNsKeyID != "" || p.APNsTeamID != "" || p.APNsTopic != "" {
		s, err := apns.New(apns.Config{KeyP8: []byte(p.APNsKey), KeyID: p.APNsKeyID, TeamID: p.APNsTeamID, Topic: p.APNsTopic, BaseURL: p.APNsBaseURL})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s, %s, %s, %s: %w", config.EnvAPNsKey, config.EnvAPNsKeyID, config.EnvAPNsTeamID, config.EnvAPNsTopic, err))
		} else {
			mux[push.PlatformAPNs] = s
		}
	}
	if p.WebPushPublicKey != "" || p.WebPushPrivateKey != "" {
		s, err := webpush.New(webpush.Config{VAPIDPublicKey: p.WebPushPublicKey, VAPIDPrivateKey: p.WebPushPrivateKey, Subscriber: p.WebPushSubject})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s, %s, %s: %w", config.EnvWebPushPublicKey, config.EnvWebPushPrivateKey, config.EnvWebPushSubscriber, err))
		} else {
			mux[push.PlatformWebPush] = s
		}
	}
	return mux, errors.Join(errs...)
}

// Fakes are the three fake push services of `serve --demo`, on loopback,
// logging what they "deliver".
type Fakes struct {
	FCM     *fcmtest.Server
	APNs    *apnstest.Server
	WebPush *webpushtest.Server
	senders push.Mux
}

// StartFakes starts the fakes and senders pointed at them.
func StartFakes(log *slog.Logger) (*Fakes, error) {
	f := &Fakes{
		FCM: fcmtest.New(fcmtest.WithMaxRecorded(1000), fcmtest.WithLog(func(d fcmtest.Delivery) {
			log.Info("demo push delivered", "platform", "fcm", "token", short(d.Token), "title", d.Title, "deep_link", d.Data[push.DataDeepLink])
		})),
		APNs: apnstest.New(apnstest.WithMaxRecorded(1000), apnstest.WithLog(func(d apnstest.Delivery) {
			log.Info("demo push delivered", "platform", "apns", "token", short(d.Token), "title", d.Title)
		})),
		WebPush: webpushtest.New(webpushtest.WithMaxRecorded(1000), webpushtest.WithLog(func(d webpushtest.Delivery) {
			var m struct {
				Title    string `json:"title"`
				DeepLink string `json:"deep_link"`
			}
			_ = json.Unmarshal(d.Plaintext, &m)
			log.Info("demo push delivered", "platform", "webpush", "endpoint", d.Endpoint, "title", m.Title, "deep_link", m.DeepLink)
		})),
	}
	fcmSender, err := fcm.New(fcm.Config{CredentialsJSON: f.FCM.ServiceAccountJSON("chorus-demo"), BaseURL: f.FCM.URL()})
	if err != nil {
		f.Close()
		return nil, err
	}
	apnsSender, err := apns.New(apns.Config{KeyP8: f.APNs.KeyP8(), KeyID: f.APNs.KeyID(), TeamID: f.APNs.TeamID(),
		Topic: "app.chorus.demo", BaseURL: f.APNs.URL(), HTTPClient: f.APNs.Client()})
	if err != nil {
		f.Close()
		return nil, err
	}
	pub, priv, err := webpush.GenerateVAPIDKeys()
	if err == nil {
		var ws *webpush.Sender
		// AllowLoopback: the fake listens on this machine.
		wcfg := webpush.Config{VAPIDPublicKey: pub, VAPIDPrivateKey: priv, Subscriber: "mailto:demo@chorus.invalid", AllowLoopback: true}
		if ws, err = webpush.New(wcfg); err == nil {
			f.senders = push.Mux{push.PlatformFCM: fcmSender, push.PlatformAPNs: apnsSender, push.PlatformWebPush: ws}
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Senders returns senders wired to the fakes.
func (f *Fakes) Senders() push.Mux { return f.senders }

// FillIn adds a fake's sender for every platform mux has none for.
func (f *Fakes) FillIn(mux push.Mux) push.Mux {
	out := push.Mux{}
	for p, s := range f.senders {
		out[p] = s
	}
	for p, s := range mux {
		out[p] = s
	}
	return out
}

// Close stops the fakes.
func (f *Fakes) Close() {
	f.FCM.Close()
	f.APNs.Close()
	f.WebPush.Close()
}

func short(token string) string {
	if len(token) > 12 {
		return token[:12] + "…"
	}
	return token
}
