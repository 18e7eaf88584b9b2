package main

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// TestDemoPushAndStreams: `serve --demo` delivers a new activity to a
// registered phone through the fake FCM (and logs it), an open event stream
// hears of it, and SIGTERM ends the stream and the server promptly.
func TestDemoPushAndStreams(t *testing.T) {
	ctx := context.Background()
	srv := start(t, "--demo", "--data", t.TempDir())
	member := client.New(srv.url)
	if _, err := member.Login(ctx, "member1@demo.test", "chorus-demo"); err != nil {
		t.Fatal(err)
	}
	if _, err := member.RegisterDevice(ctx, client.DeviceInput{Platform: "fcm", Token: "demo-phone-token"}); err != nil {
		t.Fatal(err)
	}
	mgr := client.New(srv.url)
	me, err := mgr.Login(ctx, "manager@demo.test", "chorus-demo")
	if err != nil {
		t.Fatal(err)
	}
	pid := me.User.Memberships[0].ProgramID

	events := make(chan client.Event, 16)
	streamDone := make(chan error, 1)
	go func() {
		_, err := member.StreamEvents(ctx, "", func(ev client.Event) error { events <- ev; return nil })
		streamDone <- err
	}()
	time.Sleep(300 * time.Millisecond) // let the stream subscribe
	msg := "Demo push " + time.Now().Format("150405.000")
	if _, err := mgr.CreateActivity(ctx, pid, client.ActivityInput{Type: ptr("wechat_photo"), Message: &msg}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(srv.stderr.String(), "demo push delivered") || !strings.Contains(srv.stderr.String(), "demo-phone-t") {
		if time.Now().After(deadline) {
			t.Fatalf("no demo delivery logged:\n%s", srv.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case ev := <-events:
		if ev.Kind != "feed_changed" {
			t.Fatalf("event: %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no live event")
	}

	// SIGTERM with the stream open: both end, well within the drain timeout.
	t0 := time.Now()
	srv.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-streamDone:
	case <-time.After(5 * time.Second):
		t.Fatal("event stream still open after SIGTERM")
	}
	select {
	case err := <-srv.done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, srv.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	if d := time.Since(t0); d > 8*time.Second {
		t.Fatalf("shutdown took %s", d)
	}
}
