package httpapi_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// A connection that sends a request's headers and then nothing is answered
// and closed once the body has stalled for BodyIdle, on public and signed-in
// routes alike; one that keeps sending, however slowly, is not cut.
func TestStalledBodiesAreClosed(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t), func(o *httpapi.Options) { o.BodyIdle = 300 * time.Millisecond })
	addr := strings.TrimPrefix(e.URL, "http://")
	sess, err := e.Client().Login(ctx, "mgr@acme.test", apitest.Password)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/auth/login", "/api/v1/programs/" + e.ProgramID + "/activities"} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_, _ = io.WriteString(conn, "POST "+path+" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer "+sess.Token+"\r\nContent-Length: 100\r\n\r\n{")
		// The test's own bound: far above BodyIdle, and it only fails
		// when the server never closes.
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: the stalled connection was not answered: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}

	// A slow but steady body passes: each byte comes well within BodyIdle,
	// the whole takes longer than it.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"email":"mgr@acme.test","password":"` + apitest.Password + `"}`
	_, _ = io.WriteString(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n")
	for i := 0; i < len(body); i += 8 {
		_, _ = io.WriteString(conn, body[i:min(i+8, len(body))])
		time.Sleep(60 * time.Millisecond)
	}
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("slow login: %d", resp.StatusCode)
	}
}
