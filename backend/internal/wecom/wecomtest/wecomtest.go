// Package wecomtest is a fake WeCom server on loopback for tests and
// `serve --demo`: gettoken, message/send (text cards) and
// user/get_userid_by_email, with WeCom's error codes — an expired token
// (42001), an invalid one (40014), the rate limit (45009), unknown users.
package wecomtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Card is a text card the fake accepted.
type Card struct {
	ToUser      string
	AgentID     int64
	Title       string
	Description string
	URL         string
	ButtonText  string
	At          time.Time
}

// Server is the fake.
type Server struct {
	CorpID, Secret string
	AgentID        int64

	srv *httptest.Server

	mu         sync.Mutex
	tokens     map[string]time.Time // token -> expiry
	ttl        time.Duration
	users      map[string]bool   // known user ids
	emails     map[string]string // email -> user id
	throttle   int               // answer 45009 to the next n sends
	cards      []Card
	tokenCalls int
	sendCalls  int
	maxCards   int
	onCard     func(Card)
	dedupe     map[string]time.Time // card key -> until (enable_duplicate_check)
}

// Option adjusts the fake.
type Option func(*Server)

// WithTokenTTL sets how long tokens live (7200 s, as WeCom's).
func WithTokenTTL(d time.Duration) Option { return func(s *Server) { s.ttl = d } }

// WithLog calls f for each accepted card.
func WithLog(f func(Card)) Option { return func(s *Server) { s.onCard = f } }

// WithMaxRecorded keeps only the last n cards (0: all).
func WithMaxRecorded(n int) Option { return func(s *Server) { s.maxCards = n } }

// New starts the fake with its own corp id, secret and agent id.
func New(opts ...Option) *Server {
	s := &Server{CorpID: "ww" + randHex(8), Secret: randHex(16), AgentID: 1000002, tokens: map[string]time.Time{}, ttl: 7200 * time.Second,
		users: map[string]bool{}, emails: map[string]string{}, dedupe: map[string]time.Time{}}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/gettoken", s.getToken)
	mux.HandleFunc("POST /cgi-bin/message/send", s.send)
	mux.HandleFunc("POST /cgi-bin/user/get_userid_by_email", s.byEmail)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the fake's base URL.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the fake.
func (s *Server) Close() { s.srv.Close() }

// AddUser makes a member known, with the emails they can be found by.
func (s *Server) AddUser(userID string, emails ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[userID] = true
	for _, e := range emails {
		s.emails[strings.ToLower(e)] = userID
	}
}

// ExpireTokens ends every issued token: the next call meets 42001.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = time.Time{}
	}
}

// Throttle answers 45009 to the next n sends.
func (s *Server) Throttle(n int) {
	s.mu.Lock()
	s.throttle = n
	s.mu.Unlock()
}

// Cards returns the accepted cards.
func (s *Server) Cards() []Card {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Card(nil), s.cards...)
}

// Calls counts gettoken and message/send requests.
func (s *Server) Calls() (token, send int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenCalls, s.sendCalls
}

func answer(w http.ResponseWriter, v map[string]any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code int, msg string) {
	answer(w, map[string]any{"errcode": code, "errmsg": msg})
}

func (s *Server) getToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenCalls++
	q := r.URL.Query()
	switch {
	case q.Get("corpid") != s.CorpID:
		fail(w, 40013, "invalid corpid")
	case q.Get("corpsecret") != s.Secret:
		fail(w, 40001, "invalid credential")
	default:
		t := randHex(32)
		s.tokens[t] = time.Now().Add(s.ttl)
		answer(w, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": t, "expires_in": int(s.ttl / time.Second)})
	}
}

// checkToken answers WeCom's token errors; true: the token is good.
func (s *Server) checkToken(w http.ResponseWriter, r *http.Request) bool {
	t := r.URL.Query().Get("access_token")
	exp, ok := s.tokens[t]
	switch {
	case t == "":
		fail(w, 41001, "access_token missing")
	case !ok:
		fail(w, 40014, "invalid access_token")
	case !time.Now().Before(exp):
		fail(w, 42001, "access_token expired")
	default:
		return true
	}
	return false
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sendCalls++
	if !s.checkToken(w, r) {
		return
	}
	if s.throttle > 0 {
		s.throttle--
		fail(w, 45009, "api freq out of limit")
		return
	}
	var in struct {
		ToUser   string `json:"touser"`
		MsgType  string `json:"msgtype"`
		AgentID  int64  `json:"agentid"`
		TextCard struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			URL         string `json:"url"`
			BtnTxt      string `json:"btntxt"`
		} `json:"textcard"`
		Dedupe   int `json:"enable_duplicate_check"`
		Interval int `json:"duplicate_check_interval"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil {
		fail(w, 47001, "data format error")
		return
	}
	c := in.TextCard
	switch {
	case in.AgentID != s.AgentID:
		fail(w, 40056, "invalid agentid")
		return
	case in.MsgType != "textcard":
		fail(w, 40008, "invalid message type")
		return
	case c.Title == "" || len(c.Title) > 128:
		fail(w, 44004, "empty content or title too long")
		return
	case c.Description == "" || len(c.Description) > 512:
		fail(w, 44004, "empty content or description too long")
		return
	case c.URL == "" || len(c.URL) > 2048:
		fail(w, 40024, "invalid url size")
		return
	}
	var valid, invalid []string
	for _, u := range strings.Split(in.ToUser, "|") {
		if s.users[u] {
			valid = append(valid, u)
		} else {
			invalid = append(invalid, u)
		}
	}
	if len(valid) == 0 {
		fail(w, 81013, "user & party & tag all invalid")
		return
	}
	now := time.Now()
	for _, u := range valid {
		key := u + "\x00" + c.Title + "\x00" + c.Description + "\x00" + c.URL
		if in.Dedupe == 1 && now.Before(s.dedupe[key]) {
			continue // WeCom drops a repeat within the interval
		}
		if in.Dedupe == 1 {
			s.dedupe[key] = now.Add(time.Duration(max(in.Interval, 1)) * time.Second)
		}
		card := Card{ToUser: u, AgentID: in.AgentID, Title: c.Title, Description: c.Description, URL: c.URL, ButtonText: c.BtnTxt, At: now}
		s.cards = append(s.cards, card)
		if s.maxCards > 0 && len(s.cards) > s.maxCards {
			s.cards = s.cards[len(s.cards)-s.maxCards:]
		}
		if s.onCard != nil {
			s.onCard(card)
		}
	}
	answer(w, map[string]any{"errcode": 0, "errmsg": "ok", "invaliduser": strings.Join(invalid, "|"), "msgid": randHex(8)})
}

func (s *Server) byEmail(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.checkToken(w, r) {
		return
	}
	var in struct {
		Email     string `json:"email"`
		EmailType int    `json:"email_type"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil || in.Email == "" {
		fail(w, 47001, "data format error")
		return
	}
	id, ok := s.emails[strings.ToLower(in.Email)]
	if !ok {
		fail(w, 60111, "email not found")
		return
	}
	answer(w, map[string]any{"errcode": 0, "errmsg": "ok", "userid": id})
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
