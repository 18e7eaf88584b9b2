package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// feedCache keeps, per program, the activities that are live or scheduled.
// Every write that can change a feed bumps the program's content version in
// the same transaction, and each feed request reads that version with the
// caller's membership, so a cache is never stale, on any instance, and a
// feed costs the membership, the audience and no activity query.
type feedCache struct {
	mu sync.Mutex
	m  map[string]*feedEntry

	// views keeps each member's view (groups, channels, performs) from
	// their last feed. On PostgreSQL a view is used as kept while the
	// store's changes say nothing it covers changed (store.Changes: no
	// round trip); otherwise, and on SQLite, a request reads the member's
	// stamp, three index seeks, instead of the whole view, and the view
	// again only when the stamp says it changed (store.FeedStamp). Either
	// way a change made on any instance shows at the next request. The
	// maps in a kept view are shared by the requests that use it and never
	// written.
	views keptCache[memberKey, keptView]
	// audiences keeps members' audiences for performs (Server.audience).
	audiences keptCache[memberKey, marked[audienceVersion]]
}

type feedEntry struct {
	mu      sync.Mutex // one loader at a time per program
	version int64
	cur     *feedSet // loaded at cur.from
}

// feedSet is one load: read-only once published, but for its memo of
// audiences.
type feedSet struct {
	items []*domain.Activity
	byID  map[string]*domain.Activity
	// sorted holds the items in feed order; rank gives each one's place
	// there, so a member's feed is put in order by sorting small integers.
	sorted []*domain.Activity
	rank   map[*domain.Activity]int32
	// An index by target, so a member's feed checks only the activities
	// sent to everyone and those naming one of their groups or channels.
	open      []*domain.Activity
	byGroup   map[string][]*domain.Activity
	byChannel map[string][]*domain.Activity
	// media holds the facts of the activities' media, loaded with them in
	// one query: media rows never change but for a SHA-256 filled in
	// later, which bumps the content version like any feed change.
	media mediaInfos
	// encoded holds each item's JSON by its rank, not performed [0] and
	// performed [1]: a feed response is then assembled from bytes, not
	// encoded per request, and without a map lookup per item.
	encoded [][2][]byte

	// from is the load (the cache's age counts from it too). live holds,
	// by rank, whether each item was live then; until
	// then, the first moment an item starts or ends, a request reads its
	// liveness here rather than from the item (a pointer each, scattered
	// in memory). A removal bumps the content version, so a new set.
	live        []bool
	from, until time.Time

	// audiences memoizes, per audience (a member's groups and channels),
	// the ranks of the items sent to it, in feed order and whatever the
	// time: members who share groups and channels, and every request of
	// one member, then cost a walk of that list and a time check per item.
	// It lives and dies with the set, so the content version invalidates it.
	audMu     sync.RWMutex
	audiences map[string][]int32
}

// maxAudiences bounds the memo of one feed set; when full it starts again,
// so the audiences asking now are the ones kept.
const maxAudiences = 20000

func newFeedSet(items []*domain.Activity, mi mediaInfos, now time.Time) (*feedSet, error) {
	fs := &feedSet{items: items, media: mi, encoded: make([][2][]byte, len(items)), byID: make(map[string]*domain.Activity, len(items)),
		byGroup: map[string][]*domain.Activity{}, byChannel: map[string][]*domain.Activity{},
		sorted: append([]*domain.Activity(nil), items...), rank: make(map[*domain.Activity]int32, len(items)), audiences: map[string][]int32{}}
	domain.SortFeed(fs.sorted)
	for i, a := range fs.sorted {
		fs.rank[a] = int32(i)
	}
	fs.from, fs.until = now, now.Add(maxCacheAge)
	fs.live = make([]bool, len(fs.sorted))
	for i, a := range fs.sorted {
		fs.live[i] = a.Live(now)
		for _, t := range []time.Time{a.StartsAt, a.EndsAt} {
			if t.After(now) && t.Before(fs.until) {
				fs.until = t
			}
		}
	}
	for _, a := range items {
		fs.byID[a.ID] = a
		switch {
		case len(a.GroupIDs) > 0:
			for _, g := range a.GroupIDs {
				fs.byGroup[g] = append(fs.byGroup[g], a)
			}
		case len(a.ChannelIDs) > 0:
			for _, c := range a.ChannelIDs {
				fs.byChannel[c] = append(fs.byChannel[c], a)
			}
		default:
			fs.open = append(fs.open, a)
		}
		for i, done := range []bool{false, true} {
			b, err := json.Marshal(toFeedItem(a, done, mi))
			if err != nil {
				return nil, err
			}
			fs.encoded[fs.rank[a]][i] = b
		}
	}
	return fs, nil
}

// maxCacheAge drops ended activities from memory now and then; correctness
// does not depend on it (Visible checks the time).
const maxCacheAge = 5 * time.Minute

func newFeedCache() *feedCache {
	return &feedCache{m: map[string]*feedEntry{}}
}

// keptView is a member's view between feeds, with their performs only of
// the feed set's activities (all a feed can show: a new activity bumps the
// version, and so the stamp), so a member with years of performs keeps a few
// flags; performs counts all of them, as the stamp does.
type keptView struct {
	v        store.FeedView
	performs int
	stagings bool // the member had TikTok stagings (store.FeedStamp)
	// mark, when it is current, vouches for the whole view, stagings
	// included, with no stamp read.
	mark store.Mark
}

// feedView is member uid's view now: the kept one if it still holds, else
// read whole. keep, when set, is the view to keep for the next feed
// (keepView).
func (s *Server) feedView(ctx context.Context, programID, uid string) (v store.FeedView, keep *keptView, err error) {
	changes := s.store.Changes()
	kv, ok := s.feeds.views.get(memberKey{programID, uid})
	if ok && changes.Current(kv.mark) {
		return kv.v, nil, nil
	}
	// Taken before reading: a change committed after the read's snapshot
	// moves the changes past it.
	mark := changes.Mark(uid)
	if ok {
		st, err := s.store.FeedStamp(ctx, programID, uid, kv.stagings || mark.OK())
		if err != nil {
			return v, nil, err
		}
		if st.Version == kv.v.Version && st.Performs == kv.performs {
			v = kv.v
			v.TikTok = st.TikTok
			if mark.OK() {
				// The stamp vouched for the view as of now: keep it
				// under the new mark.
				kv.v, kv.stagings, kv.mark = v, len(st.TikTok) > 0, mark
				keep = &kv
			}
			return v, keep, nil
		}
	}
	v, err = s.store.FeedView(ctx, programID, uid)
	if err != nil {
		return v, nil, err
	}
	return v, &keptView{v: v, performs: len(v.Performed), stagings: len(v.TikTok) > 0, mark: mark}, nil
}

// keepView keeps a view for the next feed, with only the performs of set's
// activities.
func (s *Server) keepView(programID, uid string, kv keptView, set *feedSet) {
	performed := make(map[string]bool, min(len(kv.v.Performed), len(set.byID)))
	for id := range kv.v.Performed {
		if set.byID[id] != nil {
			performed[id] = true
		}
	}
	kv.v.Performed = performed
	if !kv.mark.OK() {
		kv.v.TikTok = nil // read with every stamp
	}
	s.feeds.views.put(memberKey{programID, uid}, kv)
}

func (s *Server) currentActivities(ctx context.Context, programID string, version int64, now time.Time) (*feedSet, error) {
	s.feeds.mu.Lock()
	e := s.feeds.m[programID]
	if e == nil {
		e = &feedEntry{version: -1}
		s.feeds.m[programID] = e
	}
	s.feeds.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur != nil && e.version == version && now.Sub(e.cur.from) < maxCacheAge && !now.Before(e.cur.from) {
		return e.cur, nil
	}
	items, err := s.store.CurrentActivities(ctx, programID, now)
	if err != nil {
		return nil, err
	}
	mi, err := s.mediaInfos(ctx, programID, items...)
	if err != nil {
		return nil, err
	}
	set, err := newFeedSet(items, mi, now)
	if err != nil {
		return nil, err
	}
	// Tag with the version read before loading: a write that lands during
	// the load bumps it again, so the next request reloads.
	e.cur, e.version = set, version
	return set, nil
}

// visibleTo returns what member uid sees now, in feed order, and which
// activities they performed.
func (s *Server) visibleTo(c *call, uid string, now time.Time) ([]*domain.Activity, store.FeedView, *feedSet, error) {
	ranks, v, set, err := s.sentTo(c, uid, now)
	if err != nil {
		return nil, v, nil, err
	}
	out := make([]*domain.Activity, 0, len(ranks))
	for _, r := range ranks {
		if set.liveAt(r, now) {
			out = append(out, set.sorted[r])
		}
	}
	return out, v, set, nil
}

// sentTo returns the ranks of the items sent to member uid, live now or
// not (the caller checks), with the member's view and the feed set.
func (s *Server) sentTo(c *call, uid string, now time.Time) ([]int32, store.FeedView, *feedSet, error) {
	// The program's content version comes with the member's view, in the
	// same query, and says whether the cached activities are current.
	v, keep, err := s.feedView(c.ctx, c.programID, uid)
	if err != nil {
		return nil, v, nil, err
	}
	set, err := s.currentActivities(c.ctx, c.programID, v.Version, now)
	if err != nil {
		return nil, v, nil, err
	}
	if keep != nil {
		s.keepView(c.programID, uid, *keep, set)
	}
	return set.sentTo(v.Audience), v, set, nil
}

// liveAt says whether the item of rank r is live at now.
func (fs *feedSet) liveAt(r int32, now time.Time) bool {
	if !now.Before(fs.from) && now.Before(fs.until) {
		return fs.live[r]
	}
	return fs.sorted[r].Live(now)
}

// sentTo returns the ranks of the items sent to this audience, in feed
// order, from the memo or made and remembered.
func (fs *feedSet) sentTo(aud domain.Audience) []int32 {
	key := audienceKey(aud)
	fs.audMu.RLock()
	ranks, ok := fs.audiences[key]
	fs.audMu.RUnlock()
	if ok {
		return ranks
	}
	cands := fs.candidates(aud)
	ranks = make([]int32, 0, len(cands))
	for _, a := range cands {
		if domain.Targets(a, aud) {
			ranks = append(ranks, fs.rank[a])
		}
	}
	slices.Sort(ranks)
	fs.audMu.Lock()
	if len(fs.audiences) >= maxAudiences {
		clear(fs.audiences)
	}
	fs.audiences[key] = ranks
	fs.audMu.Unlock()
	return ranks
}

// audienceKey names an audience: its groups, then its channels, each
// sorted.
func audienceKey(aud domain.Audience) string {
	ids := make([]string, 0, len(aud.Groups)+len(aud.Channels)+1)
	for g := range aud.Groups {
		ids = append(ids, g)
	}
	slices.Sort(ids)
	n := len(ids)
	ids = append(ids, "|")
	for c := range aud.Channels {
		ids = append(ids, c)
	}
	slices.Sort(ids[n+1:])
	return strings.Join(ids, ",")
}

// candidates are the activities that may be sent to this audience: each is
// then checked with the full rule (an activity indexed by group must also
// pass its channels). An activity with groups is indexed under its groups
// only, since a member outside all of them never sees it.
func (fs *feedSet) candidates(aud domain.Audience) []*domain.Activity {
	out := make([]*domain.Activity, 0, len(fs.open)+16)
	out = append(out, fs.open...)
	seen := map[*domain.Activity]bool{}
	for g := range aud.Groups {
		for _, a := range fs.byGroup[g] {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	for c := range aud.Channels {
		out = append(out, fs.byChannel[c]...) // indexed here only without groups: no repeats
	}
	return out
}

func (s *Server) feed(c *call, _ none) (client.Feed, error) {
	uid, zone, locale := c.user.ID, c.user.Timezone, c.user.Locale
	if as := c.query("as_member"); as != "" && as != c.user.ID {
		if !c.fullManager() {
			return client.Feed{}, domain.Errorf(domain.CodeForbidden, "only managers can see another member's feed")
		}
		m, err := s.store.Member(c.ctx, c.programID, as)
		if err != nil {
			return client.Feed{}, err
		}
		uid, zone, locale = m.User.ID, m.User.Timezone, m.User.Locale
	}
	ranks, view, set, err := s.sentTo(c, uid, c.now)
	if err != nil {
		return client.Feed{}, err
	}
	// The same JSON as encoding client.Feed, from pre-encoded items, in a
	// buffer used again by later requests (a feed is tens of kilobytes).
	b := feedBuffers.Get().(*bytes.Buffer)
	defer putFeedBuffer(b)
	b.Grow(64 + len(ranks)*400)
	b.WriteString(`{"member_id":`)
	writeJSONString(b, uid)
	b.WriteString(`,"timezone":`)
	writeJSONString(b, zone)
	b.WriteString(`,"locale":`)
	writeJSONString(b, locale)
	b.WriteString(`,"items":[`)
	first := true
	for _, r := range ranks {
		if !set.liveAt(r, c.now) {
			continue
		}
		a := set.sorted[r]
		if !first {
			b.WriteByte(',')
		}
		first = false
		if len(view.TikTok) > 0 {
			if _, staged := view.TikTok[a.ID]; staged {
				enc, err := json.Marshal(feedItem(a, view, set.media))
				if err != nil {
					return client.Feed{}, err
				}
				b.Write(enc)
				continue
			}
		}
		if len(view.Performed) > 0 && view.Performed[a.ID] {
			b.Write(set.encoded[r][1])
		} else {
			b.Write(set.encoded[r][0])
		}
	}
	b.WriteString("]}\n")
	writeJSON(c.w, http.StatusOK, rawJSON(b.Bytes()))
	return client.Feed{}, errHandled
}

var feedBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putFeedBuffer keeps a buffer for the next feed unless an unusually large
// feed grew it past what is worth holding on to.
func putFeedBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	feedBuffers.Put(b)
}

// feedItem is an activity as this member sees it, with their staging.
func feedItem(a *domain.Activity, v store.FeedView, mi mediaInfos) client.FeedItem {
	it := toFeedItem(a, v.Performed[a.ID], mi)
	if st, ok := v.TikTok[a.ID]; ok {
		it.TikTok = &client.TikTokStaging{Status: st.Status, FailReason: st.FailReason}
	}
	return it
}

func writeJSONString(b *bytes.Buffer, s string) {
	b.Write(appendJSONString(b.AvailableBuffer(), s))
}

func (s *Server) feedItem(c *call, _ none) (client.FeedItem, error) {
	items, view, set, err := s.visibleTo(c, c.user.ID, c.now)
	if err != nil {
		return client.FeedItem{}, err
	}
	for _, a := range items {
		if a.ID == c.path("aid") {
			return feedItem(a, view, set.media), nil
		}
	}
	return client.FeedItem{}, domain.Errorf(domain.CodeNotFound, "this activity is no longer in your feed")
}
