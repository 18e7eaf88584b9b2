package httpapi_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// TestAuthorization calls every route of the API as an anonymous caller, a
// member, a manager of another program and a manager, and checks who gets in.
func TestAuthorization(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	pid, mgr := e.ProgramID, e.Manager
	memberID, _ := e.AddMember("member@acme.test", "UTC")
	spareID, _ := e.AddMember("spare@acme.test", "UTC")
	_, otherMgr := e.OtherProgram()
	g := must[client.Group](t)(mgr.CreateGroup(ctx, pid, "G"))
	ch := must[client.Channel](t)(mgr.CreateChannel(ctx, pid, client.ChannelInput{Name: "C", Visibility: "public"}))
	cp := must[client.Campaign](t)(mgr.CreateCampaign(ctx, pid, client.CampaignInput{Name: apitest.Ptr("K")}))
	a := must[client.Activity](t)(mgr.CreateActivity(ctx, pid, client.ActivityInput{Type: apitest.Ptr("wechat_photo"), Message: apitest.Ptr("m")}))

	tokens := map[string]string{
		"anonymous":     "",
		"member":        loginToken(t, e, "member@acme.test"),
		"other manager": loginToken(t, e, "boss@other.test"),
		"manager":       loginToken(t, e, "mgr@acme.test"),
	}
	_ = otherMgr
	ids := strings.NewReplacer("{pid}", pid, "{uid}", spareID, "{gid}", g.ID, "{cid}", ch.ID, "{id}", cp.ID, "{aid}", a.ID, "{rid}", "rwd_none")
	routes := e.API.Routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, who := range []string{"anonymous", "member", "other manager", "manager"} {
		for _, rt := range routes {
			if rt.Path == "/api/v1/auth/logout" {
				continue // would end the session the rest of the table uses
			}
			path := ids.Replace(rt.Path)
			if rt.Path == "/api/v1/programs/{pid}/members/{uid}" && rt.Method == "DELETE" {
				path = strings.Replace(path, spareID, memberID, 1) // keep spare for PATCH
				if who != "manager" {
					path = strings.Replace(path, memberID, spareID, 1)
				}
			}
			status := call(t, e.URL, rt.Method, path, tokens[who])
			allowed := map[string]bool{
				"public":    true,
				"signed_in": who != "anonymous",
				"member":    who == "member" || who == "manager",
				"manager":   who == "manager",
				"owner":     who == "manager", // the program's creator owns it
			}[rt.Access]
			switch {
			case rt.Access == "public" && (status == 403 || status >= 500):
				t.Errorf("%s %s as %s: %d", rt.Method, rt.Path, who, status)
			case rt.Access == "public":
				// 401 here is about the credentials sent, not the caller.
			case allowed && (status == 401 || status == 403):
				t.Errorf("%s %s as %s: %d, want to be let in", rt.Method, rt.Path, who, status)
			case !allowed && who == "anonymous" && status != 401:
				t.Errorf("%s %s as %s: %d, want 401", rt.Method, rt.Path, who, status)
			case !allowed && who != "anonymous" && status != 403:
				t.Errorf("%s %s as %s: %d, want 403", rt.Method, rt.Path, who, status)
			case status >= 500:
				t.Errorf("%s %s as %s: %d", rt.Method, rt.Path, who, status)
			}
		}
	}
}

func loginToken(t *testing.T, e *apitest.Env, email string) string {
	s, err := e.Client().Login(ctx, email, apitest.Password)
	if err != nil {
		t.Fatal(err)
	}
	return s.Token
}

func call(t *testing.T, base, method, path, token string) int {
	t.Helper()
	var body io.Reader
	if method != "GET" && method != "DELETE" {
		body = bytes.NewBufferString("{}")
	}
	req, _ := http.NewRequest(method, base+path, body)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The API answers the error shape; pages for browsers (the OAuth
	// callback, short links) answer HTML or text, and HEAD has no body.
	isJSON := strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json")
	if resp.StatusCode >= 400 && strings.HasPrefix(path, "/api/") && method != "HEAD" && (!isJSON || !bytes.Contains(b, []byte(`"error":{"code":`))) {
		t.Errorf("%s %s: %d without the error shape: %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode
}

// TestBadInput sends what people and broken clients send, and expects a 4xx
// with the error shape and a message that says what to fix — never a 500.
func TestBadInput(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	pid := e.ProgramID
	token := loginToken(t, e, "mgr@acme.test")
	otherPID, other := e.OtherProgram()
	og := must[client.Group](t)(other.CreateGroup(ctx, otherPID, "Theirs"))
	acts := "/api/v1/programs/" + pid + "/activities"
	cases := []struct {
		name, method, path, ctype, body string
		status                          int
		code, field, says               string
	}{
		{"malformed JSON", "POST", acts, "application/json", `{"type": "wechat_photo",`, 400, "bad_request", "", "not valid JSON"},
		{"not an object", "POST", acts, "application/json", `[1,2]`, 400, "bad_request", "", "JSON object"},
		{"wrong type", "POST", acts, "application/json", `{"type":"wechat_photo","message":"m","points":"ten"}`, 422, "validation_failed", "points", "whole number"},
		{"wrong list type", "POST", acts, "application/json", `{"type":"wechat_photo","message":"m","group_ids":"g1"}`, 422, "validation_failed", "group_ids", "a list"},
		{"unknown field", "POST", acts, "application/json", `{"type":"wechat_photo","message":"m","groups":["g"]}`, 422, "validation_failed", "groups", "not a field"},
		{"two objects", "POST", acts, "application/json", `{} {}`, 400, "bad_request", "", "one JSON object"},
		{"too large", "POST", acts, "application/json", `{"message":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "body_too_large", "", "1 MiB"},
		{"not JSON", "POST", acts, "text/plain", `type=wechat_photo`, 415, "unsupported_media_type", "", "application/json"},
		{"end before start", "POST", acts, "application/json", `{"type":"wechat_photo","message":"m","starts_at":"2030-01-02T00:00:00Z","ends_at":"2030-01-01T00:00:00Z"}`, 422, "validation_failed", "ends_at", "after starts_at"},
		{"bad time", "POST", acts, "application/json", `{"type":"wechat_photo","message":"m","starts_at":"next tuesday"}`, 422, "validation_failed", "starts_at", "2026-11-21T09:00"},
		{"points out of range", "POST", acts, "application/json", `{"type":"wechat_photo","message":"m","points":20000}`, 422, "validation_failed", "points", "10000"},
		{"unknown type", "POST", acts, "application/json", `{"type":"fax","message":"m"}`, 422, "validation_failed", "type", "wechat_photo"},
		{"group of another program", "POST", acts, "application/json", `{"type":"wechat_photo","message":"m","group_ids":["` + og.ID + `"]}`, 422, "validation_failed", "group_ids", "no such group"},
		{"video without media", "POST", acts, "application/json", `{"type":"wechat_video","message":"m"}`, 422, "validation_failed", "media_id", "upload"},
		{"unknown time zone", "PATCH", "/api/v1/me", "application/json", `{"timezone":"Mars/Olympus"}`, 422, "validation_failed", "timezone", "IANA"},
		{"unknown locale", "PATCH", "/api/v1/me", "application/json", `{"locale":"fr"}`, 422, "validation_failed", "locale", "zh-Hans"},
		{"bad email", "POST", "/api/v1/programs/" + pid + "/members", "application/json", `{"email":"not-an-email"}`, 422, "validation_failed", "email", "email address"},
		{"bad role", "POST", "/api/v1/programs/" + pid + "/members", "application/json", `{"email":"x@y.z","role":"admin"}`, 422, "validation_failed", "role", "manager"},
		{"bad visibility", "POST", "/api/v1/programs/" + pid + "/channels", "application/json", `{"name":"X","visibility":"secret"}`, 422, "validation_failed", "visibility", "private"},
		{"empty group name", "POST", "/api/v1/programs/" + pid + "/groups", "application/json", `{"name":"  "}`, 422, "validation_failed", "name", "required"},
		{"unknown activity", "GET", acts + "/act_nope", "", "", 404, "not_found", "", "activity"},
		{"unknown endpoint", "GET", "/api/v1/nope", "", "", 404, "not_found", "", "no such endpoint"},
		{"bad status filter", "GET", acts + "?status=sleeping", "", "", 422, "validation_failed", "status", "live"},
		{"bad token", "GET", "/api/v1/me", "", "", 401, "unauthorized", "", "sign in"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			req, _ := http.NewRequest(c.method, e.URL+c.path, body)
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			tok := token
			if c.code == "unauthorized" {
				tok = "forged"
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, b)
			}
			s := string(b)
			if !strings.Contains(s, fmt.Sprintf(`"code":%q`, c.code)) || !strings.Contains(s, c.says) {
				t.Fatalf("body %s: want code %s and words %q", s, c.code, c.says)
			}
			if c.field != "" && !strings.Contains(s, `"fields":{`) || c.field != "" && !strings.Contains(s, fmt.Sprintf("%q:", c.field)) {
				t.Fatalf("body %s: want a message for field %s", s, c.field)
			}
		})
	}
}
