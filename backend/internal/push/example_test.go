package push_test

import (
	"context"
	"fmt"

	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/push/apns"
	"github.com/chorus-advocacy/chorus/backend/internal/push/apnstest"
	"github.com/chorus-advocacy/chorus/backend/internal/push/fcm"
	"github.com/chorus-advocacy/chorus/backend/internal/push/fcmtest"
	"github.com/chorus-advocacy/chorus/backend/internal/push/webpush"
	"github.com/chorus-advocacy/chorus/backend/internal/push/webpushtest"
)

// Example wires the three senders to the three fakes, as `serve --demo`
// does, and routes devices by platform.
func Example() {
	fcmFake := fcmtest.New(fcmtest.WithLog(func(d fcmtest.Delivery) { fmt.Println("fcm:", d.Title) }))
	defer fcmFake.Close()
	apnsFake := apnstest.New(apnstest.WithLog(func(d apnstest.Delivery) { fmt.Println("apns:", d.Title) }))
	defer apnsFake.Close()
	webFake := webpushtest.New()
	defer webFake.Close()

	fcmSender, err := fcm.New(fcm.Config{CredentialsJSON: fcmFake.ServiceAccountJSON("chorus-demo"), BaseURL: fcmFake.URL()})
	if err != nil {
		panic(err)
	}
	apnsSender, err := apns.New(apns.Config{KeyP8: apnsFake.KeyP8(), KeyID: apnsFake.KeyID(), TeamID: apnsFake.TeamID(),
		Topic: "com.chorus.app", BaseURL: apnsFake.URL(), HTTPClient: apnsFake.Client()})
	if err != nil {
		panic(err)
	}
	pub, priv, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		panic(err)
	}
	webSender, err := webpush.New(webpush.Config{VAPIDPublicKey: pub, VAPIDPrivateKey: priv, Subscriber: "mailto:ops@example.com",
		AllowLoopback: true}) // the fake is on this machine
	if err != nil {
		panic(err)
	}
	senders := push.Mux{push.PlatformFCM: fcmSender, push.PlatformAPNs: apnsSender, push.PlatformWebPush: webSender}

	sub, browser := webFake.NewSubscription()
	devices := []push.Device{
		{ID: "1", Platform: push.PlatformFCM, Token: "fcm-token", Locale: "en"},
		{ID: "2", Platform: push.PlatformAPNs, Token: "0a1b2c3d4e5f", Locale: "zh-Hans"},
		{ID: "3", Platform: push.PlatformWebPush, Subscription: &sub, Locale: "en"},
	}
	for _, d := range devices {
		m := push.NewActivityMessage(d.Locale, "p1", "a1", "Launch video")
		if err := senders.Send(context.Background(), d, m); err != nil {
			fmt.Println("error:", err)
		}
	}
	fmt.Println("browser:", len(browser.Messages()), "message(s) decrypted")
	// Output:
	// fcm: New activity: Launch video
	// apns: 新活动：Launch video
	// browser: 1 message(s) decrypted
}
