package httpapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// send makes a raw request (bytes a client library would not send) and
// returns the status, the Content-Type and the body; API responses are
// checked against the OpenAPI document.
func send(t *testing.T, e *apitest.Env, method, path, token, body string) (int, string, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	hc := e.HTTP()
	if strings.HasPrefix(path, "/oauth/") {
		hc = http.DefaultClient // an HTML page: kin-openapi cannot read text/html
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// TestTextAtTheEdge sends NUL and bytes that are not UTF-8 in every place a
// request carries text — path, query, JSON body, nested and in lists, on
// signed-in and public routes and the raw ones (media, short links, the
// OAuth callback) — and expects 404 for path values, 400 for the rest,
// the same on SQLite and PostgreSQL (which refuses such text: a 500 before).
func TestTextAtTheEdge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid := e.ProgramID
		token := loginToken(t, e, "mgr@acme.test")
		p := "/api/v1/programs/" + pid
		cases := []struct {
			name, method, path, body string
			anonymous                bool
			status                   int
			code, field              string // JSON error shape when code is set
			ctype                    string // else this Content-Type
		}{
			{"login: NUL in email", "POST", "/api/v1/auth/login", `{"email":"x\u0000","password":"password-123"}`, true, 400, "bad_request", "email", ""},
			{"login: not UTF-8", "POST", "/api/v1/auth/login", "{\"email\":\"\xff\xfe@acme.test\",\"password\":\"password-123\"}", true, 400, "bad_request", "", ""},
			{"invite: NUL in code", "POST", "/api/v1/invites/accept", `{"code":"\u0000","name":"n","password":"password-123"}`, true, 400, "bad_request", "code", ""},
			{"short link: not UTF-8", "GET", "/l/%ff%fe", "", true, 404, "", "", "text/plain"},
			{"short link: NUL", "GET", "/l/%00", "", true, 404, "", "", "text/plain"},
			{"short link: query", "GET", "/l/abc?x=%ff", "", true, 400, "", "", "text/plain"},
			{"OAuth callback: query", "GET", "/oauth/tiktok/callback?state=%ff&code=%00", "", true, 400, "", "", "text/html"},
			{"program id", "GET", "/api/v1/programs/%ff/feed", "", false, 404, "not_found", "", ""},
			{"program id, anonymous", "GET", "/api/v1/programs/%ff%fe/feed", "", true, 404, "not_found", "", ""},
			{"program id with NUL", "PATCH", "/api/v1/programs/%00", `{"name":"x"}`, false, 404, "not_found", "", ""},
			{"activity id", "GET", p + "/activities/act%ff", "", false, 404, "not_found", "", ""},
			{"member id", "DELETE", p + "/members/%00", "", false, 404, "not_found", "", ""},
			{"device id", "DELETE", "/api/v1/me/devices/%c3%28", "", false, 404, "not_found", "", ""},
			{"media id", "GET", p + "/media/%ff", "", false, 404, "not_found", "", ""},
			{"thumbnail", "GET", p + "/media/%ff/thumbnail", "", false, 404, "not_found", "", ""},
			{"upload id (HEAD)", "HEAD", p + "/media/uploads/%00", "", false, 404, "", "", ""},
			{"upload id (PATCH)", "PATCH", p + "/media/uploads/%ff", "", false, 404, "not_found", "", ""},
			{"query value", "GET", p + "/activities?campaign_id=%ff", "", false, 400, "bad_request", "campaign_id", ""},
			{"query value NUL", "GET", p + "/activities?campaign_id=%00", "", false, 400, "bad_request", "campaign_id", ""},
			{"search words", "GET", p + "/activities?q=a%00b", "", false, 400, "bad_request", "q", ""},
			{"query name", "GET", p + "/leaderboard?%ff=1", "", false, 400, "bad_request", "", ""},
			{"as_member", "GET", p + "/feed?as_member=%ff", "", false, 400, "bad_request", "as_member", ""},
			{"group name", "POST", p + "/groups", `{"name":"a\u0000b"}`, false, 400, "bad_request", "name", ""},
			{"group name not UTF-8", "POST", p + "/groups", "{\"name\":\"a\xc3\x28b\"}", false, 400, "bad_request", "", ""},
			{"channel name", "POST", p + "/channels", `{"name":"\u0000"}`, false, 400, "bad_request", "name", ""},
			{"campaign description", "POST", p + "/campaigns", `{"name":"K","description":"\u0000"}`, false, 400, "bad_request", "description", ""},
			{"profile", "PATCH", "/api/v1/me", `{"name":"\u0000"}`, false, 400, "bad_request", "name", ""},
			{"ids in a list", "POST", p + "/activities", `{"type":"wechat_photo","message":"m","group_ids":["g\u0000"]}`, false, 400, "bad_request", "group_ids", ""},
			{"nested object", "POST", "/api/v1/me/devices", `{"platform":"webpush","subscription":{"endpoint":"https://push.example.com/\u0000","keys":{"p256dh":"k","auth":"a"}}}`, false, 400, "bad_request", "subscription.endpoint", ""},
			{"reward title", "POST", p + "/rewards", `{"title":"\u0000","cost":1}`, false, 400, "bad_request", "title", ""},
			{"perform key", "POST", p + "/activities/act_x/perform", `{"client_action_id":"\u0000"}`, false, 400, "bad_request", "client_action_id", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tok := token
				if c.anonymous {
					tok = ""
				}
				status, ctype, body := send(t, e, c.method, c.path, tok, c.body)
				if status != c.status {
					t.Fatalf("status %d, want %d: %s", status, c.status, body)
				}
				if c.code != "" {
					var eb client.ErrorBody
					if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error.Code != c.code || eb.Error.Message == "" {
						t.Fatalf("body %s: want the error shape with code %s", body, c.code)
					}
					if _, ok := eb.Error.Fields[c.field]; c.field != "" && !ok {
						t.Fatalf("body %s: want a message for field %s", body, c.field)
					}
				}
				if c.ctype != "" && !strings.HasPrefix(ctype, c.ctype) {
					t.Fatalf("Content-Type %q, want %s: %s", ctype, c.ctype, body)
				}
			})
		}
		// Nothing was stored on the way, and the server is fine.
		if gs := must[[]client.Group](t)(e.Manager.Groups(ctx, pid)); len(gs) != 0 {
			t.Errorf("groups stored: %+v", gs)
		}
	})
}

// TestRequestLimits sends every field of every request body the OpenAPI
// document limits (maxLength, maxItems) one past its limit, and expects
// 422 validation_failed naming the field; then the limits that were asked
// for by name, over HTTP on both databases.
func TestRequestLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid := e.ProgramID
		token := loginToken(t, e, "mgr@acme.test")
		raw := must[[]byte](t)(openapiJSON(e))
		var doc struct {
			Paths      map[string]map[string]json.RawMessage `json:"paths"`
			Components struct {
				Schemas map[string]schema `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		ids := strings.NewReplacer("{pid}", pid, "{", "", "}", "")
		checked := 0
		var paths []string
		for path := range doc.Paths {
			paths = append(paths, path)
		}
		sort.Strings(paths)
		for _, path := range paths {
			for method, opRaw := range doc.Paths[path] {
				var op struct {
					RequestBody struct {
						Content map[string]struct {
							Schema schema `json:"schema"`
						} `json:"content"`
					} `json:"requestBody"`
				}
				_ = json.Unmarshal(opRaw, &op)
				body, ok := op.RequestBody.Content["application/json"]
				if !ok {
					continue
				}
				for _, over := range overLimit(doc.Components.Schemas, body.Schema, "") {
					t.Run(strings.ToUpper(method)+" "+path+" "+over.field, func(t *testing.T) {
						status, _, got := send(t, e, strings.ToUpper(method), ids.Replace(path), token, over.body)
						var eb client.ErrorBody
						_ = json.Unmarshal([]byte(got), &eb)
						if status != 422 || eb.Error.Code != domain.CodeValidation || !strings.Contains(eb.Error.Fields[over.field], "at most") {
							t.Fatalf("%s over its limit: %d %.300s; want 422 validation_failed naming it", over.field, status, got)
						}
					})
					checked++
				}
			}
		}
		if checked < 40 {
			t.Fatalf("only %d limited fields found in openapi.json", checked)
		}

		// The cases of the report, with the words people see.
		p := "/api/v1/programs/" + pid
		longName := strings.Repeat("n", 1000000) // once made a 26 MB list
		manyIDs := func(n int) string {
			b, _ := json.Marshal(func() []string {
				out := make([]string, n)
				for i := range out {
					out[i] = fmt.Sprintf("c%d", i)
				}
				return out
			}())
			return string(b)
		}
		cases := []struct {
			name, method, path, body, field, says string
		}{
			{"reward of a million characters", "POST", p + "/rewards", `{"title":"` + longName + `","cost":1}`, "title", "must be at most 200 characters"},
			{"group name", "POST", p + "/groups", `{"name":"` + strings.Repeat("é", 201) + `"}`, "name", "must be at most 200 characters"},
			{"message", "POST", p + "/activities", `{"type":"wechat_photo","message":"` + strings.Repeat("m", domain.MaxMessageLength+1) + `"}`, "message", "must be at most 10000 characters"},
			{"channel ids over SQLite's variable limit", "POST", p + "/activities", `{"type":"wechat_photo","message":"m","channel_ids":` + manyIDs(32767) + `}`, "channel_ids", "must have at most 1000 items"},
			{"group ids", "PATCH", p + "/members/usr_x", `{"group_ids":` + manyIDs(1001) + `}`, "group_ids", "must have at most 1000 items"},
			{"group members", "PUT", p + "/groups/grp_x/members", `{"user_ids":` + manyIDs(domain.MaxMembers+1) + `}`, "user_ids", "must have at most 100000 items"},
			{"long id in a list", "PUT", p + "/channels/chn_x/members", `{"user_ids":["` + strings.Repeat("u", 65) + `"]}`, "user_ids", "items must be at most 64 characters"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				status, _, got := send(t, e, c.method, c.path, token, c.body)
				var eb client.ErrorBody
				_ = json.Unmarshal([]byte(got), &eb)
				if status != 422 || eb.Error.Fields[c.field] != c.says {
					t.Fatalf("%d %.300s; want 422 with %s %q", status, got, c.field, c.says)
				}
			})
		}
		// At the limit is fine.
		if _, err := e.Manager.CreateGroup(ctx, pid, strings.Repeat("é", domain.MaxNameLength)); err != nil {
			t.Fatalf("a name of %d characters: %v", domain.MaxNameLength, err)
		}
	})
}

// schema is the part of a JSON schema the limits test reads.
type schema struct {
	Ref        string            `json:"$ref"`
	AllOf      []schema          `json:"allOf"`
	Type       string            `json:"type"`
	Properties map[string]schema `json:"properties"`
	Items      *schema           `json:"items"`
	MaxLength  *int              `json:"maxLength"`
	MaxItems   *int              `json:"maxItems"`
}

type overCase struct{ field, body string }

// overLimit makes, for each limited field of s (nested objects too), a body
// with that field one past its limit.
func overLimit(defs map[string]schema, s schema, prefix string) []overCase {
	for s.Ref != "" || len(s.AllOf) > 0 {
		if len(s.AllOf) > 0 {
			s = s.AllOf[0]
			continue
		}
		s = defs[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	var out []overCase
	for name, ps := range s.Properties {
		field := name
		if prefix != "" {
			field = prefix + "." + name
		}
		wrap := func(v string) string { return `{"` + name + `":` + v + `}` }
		switch {
		case ps.MaxLength != nil:
			out = append(out, overCase{field, wrap(`"` + strings.Repeat("x", *ps.MaxLength+1) + `"`)})
		case ps.MaxItems != nil:
			items := make([]string, *ps.MaxItems+1)
			for i := range items {
				items[i] = fmt.Sprintf(`"i%d"`, i)
			}
			out = append(out, overCase{field, wrap("[" + strings.Join(items, ",") + "]")})
			if ps.Items != nil && ps.Items.MaxLength != nil {
				out = append(out, overCase{field, wrap(`["` + strings.Repeat("x", *ps.Items.MaxLength+1) + `"]`)})
			}
		case ps.Ref != "" || len(ps.AllOf) > 0:
			for _, inner := range overLimit(defs, ps, field) {
				out = append(out, overCase{inner.field, wrap(inner.body)})
			}
		}
	}
	return out
}

func openapiJSON(e *apitest.Env) ([]byte, error) {
	resp, err := http.Get(e.URL + "/api/v1/openapi.json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// TestLargeMemberLists sets a group's and a private channel's members to
// 50,000 people — more ids than SQLite binds in one statement and than
// 1 MiB of JSON holds — on both databases.
func TestLargeMemberLists(t *testing.T) {
	const n = 50000
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		pid := e.ProgramID
		now := time.Now().UnixMilli()
		ids := make([]string, n)
		users := make([][]any, n)
		members := make([][]any, n)
		for i := range ids {
			ids[i] = domain.NewID("usr")
			users[i] = []any{ids[i], fmt.Sprintf("m%d@acme.test", i), fmt.Sprintf("Member %d", i), "", "UTC", "en", false, now}
			members[i] = []any{pid, ids[i], "member", now}
		}
		if err := st.BulkInsert(ctx, "users", []string{"id", "email", "name", "password_hash", "timezone", "locale", "tracking_opt_out", "created_at"}, users); err != nil {
			t.Fatal(err)
		}
		if err := st.BulkInsert(ctx, "memberships", []string{"program_id", "user_id", "role", "created_at"}, members); err != nil {
			t.Fatal(err)
		}
		g := must[client.Group](t)(e.Manager.CreateGroup(ctx, pid, "Everyone"))
		if g = must[client.Group](t)(e.Manager.SetGroupMembers(ctx, pid, g.ID, ids)); g.MemberCount != n {
			t.Fatalf("group has %d members, want %d", g.MemberCount, n)
		}
		// Again, smaller: the old members go.
		if g = must[client.Group](t)(e.Manager.SetGroupMembers(ctx, pid, g.ID, ids[:n/2])); g.MemberCount != n/2 {
			t.Fatalf("group has %d members, want %d", g.MemberCount, n/2)
		}
		ch := must[client.Channel](t)(e.Manager.CreateChannel(ctx, pid, client.ChannelInput{Name: "All hands", Visibility: "private"}))
		if ch = must[client.Channel](t)(e.Manager.SetChannelMembers(ctx, pid, ch.ID, ids)); ch.MemberCount != n {
			t.Fatalf("channel has %d members, want %d", ch.MemberCount, n)
		}
		// One stranger among them: refused, naming a few, and nothing changes.
		_, err := e.Manager.SetChannelMembers(ctx, pid, ch.ID, append(ids[1:], "usr_stranger"))
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Status != 422 || !strings.Contains(ce.Fields["user_ids"], "usr_stranger") || len(ce.Fields["user_ids"]) > 1000 {
			t.Fatalf("a stranger among the members: %v", err)
		}
		for _, c := range must[[]client.Channel](t)(e.Manager.Channels(ctx, pid)) {
			if c.ID == ch.ID && (c.MemberCount != n || len(c.MemberIDs) != n) {
				t.Fatalf("channel changed by a refused request: %d members, %d ids", c.MemberCount, len(c.MemberIDs))
			}
		}
	})
}
