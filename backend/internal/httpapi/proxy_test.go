package httpapi_test

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// Behind a trusted proxy, sign-in limits go by the client the proxy names;
// from anyone else, X-Forwarded-For is a claim and changes nothing.
func TestClientAddressBehindProxies(t *testing.T) {
	login := func(t *testing.T, url, forwarded, email string) int {
		req, _ := http.NewRequest("POST", url+"/api/v1/auth/login", strings.NewReader(`{"email":"`+email+`","password":"wrong-guess"}`))
		req.Header.Set("Content-Type", "application/json")
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	limit := func(o *httpapi.Options) { o.AddressFailures = 2 }

	// No proxy trusted: varying the header does not escape the limit.
	e := apitest.New(t, storetest.SQLite(t), limit)
	got := []int{login(t, e.URL, "198.51.100.1", "a@x.test"), login(t, e.URL, "198.51.100.2", "b@x.test"), login(t, e.URL, "198.51.100.3", "c@x.test")}
	if got[0] != 401 || got[1] != 401 || got[2] != 429 {
		t.Fatalf("untrusted X-Forwarded-For: %v", got)
	}

	// The loopback proxy is trusted: each client has its own budget, and
	// what a client wrote further left is not believed.
	e = apitest.New(t, storetest.SQLite(t), limit, func(o *httpapi.Options) {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	for i, c := range []struct {
		forwarded string
		want      int
	}{
		{"198.51.100.1", 401}, {"198.51.100.1", 401}, {"198.51.100.1", 429},
		{"198.51.100.2", 401},
		{"203.0.113.9, 198.51.100.1", 429}, // a claim left of the real client
		{"198.51.100.3, 127.0.0.1", 401},   // a second trusted hop is skipped
	} {
		if got := login(t, e.URL, c.forwarded, "p"+string(rune('a'+i))+"@x.test"); got != c.want {
			t.Fatalf("%d %q: %d, want %d", i, c.forwarded, got, c.want)
		}
	}
}
