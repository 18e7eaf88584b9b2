package client

import (
	"encoding/json"
	"time"
)

// DeviceInput registers a device for push notifications. FCM and APNs
// devices send token; browsers send subscription (PushSubscription.toJSON()).
// Registering the same token again updates that registration.
type DeviceInput struct {
	// Platform is fcm, apns or webpush.
	Platform     string               `json:"platform" maxLength:"word"`
	Token        string               `json:"token,omitempty" maxLength:"token"`
	Subscription *WebPushSubscription `json:"subscription,omitempty"`
	// Locale is the app's language (en, zh-Hans); empty: the person's.
	Locale string `json:"locale,omitempty" maxLength:"locale"`
}

// WebPushSubscription is a browser's push subscription.
type WebPushSubscription struct {
	Endpoint string      `json:"endpoint" maxLength:"url"`
	Keys     WebPushKeys `json:"keys"`
}

// WebPushKeys are the subscription's base64url keys.
type WebPushKeys struct {
	P256dh string `json:"p256dh" maxLength:"token"`
	Auth   string `json:"auth" maxLength:"token"`
}

// Device is one push registration.
type Device struct {
	ID       string `json:"id"`
	Platform string `json:"platform"`
	// Locale is the language pushes to this device are written in; empty:
	// the person's.
	Locale    string    `json:"locale"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Event is one live event (GET /api/v1/events). Kinds: feed_changed,
// points_changed, tiktok_status, handoff; reset (no id) means events were
// missed and the app should reload what it shows.
type Event struct {
	ID   string          `json:"id,omitempty"`
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data"`
	At   time.Time       `json:"at"`
}

// EventList answers GET /api/v1/events without Accept: text/event-stream:
// the events after last_event_id (a poll), and the id to ask after next.
type EventList struct {
	Items       []Event `json:"items"`
	LastEventID string  `json:"last_event_id"`
	// Reset means events after the given id are gone: reload, then poll on.
	Reset bool `json:"reset"`
}

// PushConfig answers GET /api/v1/push/config (no sign-in needed): which push
// services this server sends through, and the key a browser subscribes with.
// A client registers a device only for a platform that is on.
type PushConfig struct {
	// VAPIDPublicKey is the Web Push applicationServerKey (base64url, the
	// uncompressed P-256 point); empty when Web Push is off.
	VAPIDPublicKey string `json:"vapid_public_key"`
	APNs           bool   `json:"apns"`
	FCM            bool   `json:"fcm"`
	WebPush        bool   `json:"webpush"`
	// APNsTopic is the iOS bundle id the server pushes to (CHORUS_APNS_TOPIC):
	// an iOS build whose bundle id differs gets no pushes.
	APNsTopic string `json:"apns_topic,omitempty"`
}
