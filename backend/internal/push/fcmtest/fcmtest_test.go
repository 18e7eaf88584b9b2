package fcmtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A body that repeats the last valid one but for its token is answered as
// a decoded one would be: recorded with its own token and data, and
// anything else that differs (an unknown field, a bad token) refused.
func TestSameMessageToManyTokens(t *testing.T) {
	s := New()
	defer s.Close()
	s.mu.Lock()
	s.tokens["good"] = time.Now().Add(time.Hour)
	s.mu.Unlock()
	body := func(token, extra string) string {
		return `{"message":{"token":"` + token + `","data":{"kind":"k"},"android":{"priority":"HIGH","ttl":"60s","notification":{"tag":"t"` + extra + `}},` +
			`"apns":{"headers":{"apns-priority":"10"},"payload":{"aps":{"sound":"default"}}}}}`
	}
	send := func(b string) int {
		r := httptest.NewRequest(http.MethodPost, "/v1/projects/p/messages:send", strings.NewReader(b))
		r.SetPathValue("project", "p")
		r.Header.Set("Authorization", "Bearer good")
		w := httptest.NewRecorder()
		s.handleSend(w, r)
		return w.Code
	}
	for i, c := range []struct {
		body string
		want int
	}{
		{body("tok-1", ""), 200},
		{body("tok-2", ""), 200},            // from the memo
		{body("tok 3", ""), 400},            // whitespace: decoded, refused
		{body("tok-4", `,"tagg":"x"`), 400}, // unknown field
		{body(`tok\"5`, ""), 200},           // escaped: decoded in full
		{body("tok-6", ""), 200},            // the memo is the last valid body
		{strings.Replace(body("tok-7", ""), `"aps":{"sound":"default"}`, `"aps":1`, 1), 400},
	} {
		if got := send(c.body); got != c.want {
			t.Errorf("request %d: HTTP %d, want %d", i, got, c.want)
		}
	}
	if s.Count() != 4 {
		t.Fatalf("%d accepted, want 4", s.Count())
	}
	ds := s.Deliveries()
	for i, tok := range []string{"tok-1", "tok-2", `tok"5`, "tok-6"} {
		if ds[i].Token != tok || ds[i].Data["kind"] != "k" || !strings.Contains(string(ds[i].Request), tok[:3]) {
			t.Errorf("delivery %d: token %q data %v", i, ds[i].Token, ds[i].Data)
		}
	}
	ds[1].Data["kind"] = "changed"
	if ds[3].Data["kind"] != "k" {
		t.Error("deliveries share a data map")
	}
}
