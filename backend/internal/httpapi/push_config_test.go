package httpapi_test

import (
	"testing"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// TestPushConfig: anyone may ask which push services are on (a browser
// needs the VAPID key before it can subscribe, and that is before any
// device is registered); the answer follows the server's current senders.
func TestPushConfig(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		current := client.PushConfig{VAPIDPublicKey: "BKey", WebPush: true, APNs: true, APNsTopic: "com.chorusadvocacy.chorus"}
		e := apitest.New(t, st, func(o *httpapi.Options) {
			o.PushConfig = func() client.PushConfig { return current }
		})
		got := must[client.PushConfig](t)(e.Client().PushConfig(ctx))
		if got != current {
			t.Fatalf("push config: %+v, want %+v", got, current)
		}
		// Reloaded credentials show at once.
		current = client.PushConfig{FCM: true}
		if got := must[client.PushConfig](t)(e.Manager.PushConfig(ctx)); got != current {
			t.Fatalf("after reload: %+v, want %+v", got, current)
		}
	})
	// Without a PushConfig every platform is off.
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		bare := apitest.New(t, st)
		if got := must[client.PushConfig](t)(bare.Client().PushConfig(ctx)); got != (client.PushConfig{}) {
			t.Fatalf("no push config: %+v", got)
		}
	})
}
