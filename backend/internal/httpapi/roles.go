package httpapi

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// audited marks a route whose success is a manager action for the audit
// log (action is "kind.verb"; the object is the route's own path id, or
// what the handler names with c.audited).
func audited(action string, rt route) route {
	rt.audit = action
	return rt
}

// scoped marks a manager route a limited manager may call too: its
// handler keeps them within their groups and channels.
func scoped(rt route) route {
	rt.scoped = true
	return rt
}

// authorize checks the caller's role against the route's access.
func authorize(c *call, rt route) error {
	switch rt.access {
	case manager:
		if !c.role.Manages() {
			return domain.Errorf(domain.CodeForbidden, "only managers of this program can do this")
		}
		if c.scope != nil && !rt.scoped {
			return domain.Errorf(domain.CodeForbidden, "you manage only some groups and channels of this program; an owner or a manager without limits can do this")
		}
	case owner:
		if c.role != domain.RoleOwner {
			return domain.Errorf(domain.CodeForbidden, "only owners of this program can do this")
		}
	}
	return nil
}

// fullManager: an owner, or a manager without limits.
func (c *call) fullManager() bool { return c.role.Manages() && c.scope == nil }

func (c *call) scopeHasChannel(id string) bool {
	if c.scope == nil {
		return false
	}
	for _, ch := range c.scope.ChannelIDs {
		if ch == id {
			return true
		}
	}
	return false
}

// inScope refuses an activity a limited manager may not work with.
func (c *call) inScope(a *domain.Activity) error {
	if c.scope == nil || domain.InScope(a, *c.scope) {
		return nil
	}
	return domain.Errorf(domain.CodeForbidden, "this activity reaches people outside your groups and channels; choose only groups or channels you manage")
}

// pathObject names the object of a route by the first path id it has.
var pathObject = []string{"aid", "uid", "gid", "cid", "rid", "id"}

func (s *Server) startAudit(c *call, rt route) {
	kind, _, _ := strings.Cut(rt.audit, ".")
	e := &store.AuditEntry{ProgramID: c.programID, At: c.now, ActorID: c.user.ID, ActorName: c.user.Name, Action: rt.audit, ObjectKind: kind}
	if e.ActorName == "" {
		e.ActorName = c.user.Email
	}
	for _, n := range pathObject {
		if v := c.r.PathValue(n); v != "" {
			e.ObjectID = v
			break
		}
	}
	c.audit = e
	c.ctx = store.WithAudit(c.ctx, e)
}

// audited names the object (when the handler made it) and says what
// changed, before the store saves the change with its entry; args, in
// pairs of name and value, are the same facts for clients to word.
func (c *call) audited(objectID, detail string, args ...string) {
	if c.audit == nil {
		return
	}
	if objectID != "" {
		c.audit.ObjectID = objectID
	}
	if detail != "" {
		c.audit.Detail = detail
	}
	for i := 0; i+1 < len(args); i += 2 {
		if c.audit.Args == nil {
			c.audit.Args = map[string]string{}
		}
		c.audit.Args[args[i]] = args[i+1]
	}
}

const (
	auditPageDefault = 50
	auditPageMax     = 200
	auditCSVMax      = 50000
)

// auditLog is GET …/audit: newest first, a page at a time; ?format=csv
// exports up to auditCSVMax entries.
func (s *Server) auditLog(c *call, _ none) (client.AuditPage, error) {
	f := domain.Fields{}
	var before int64
	if v := c.query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			f.Add("before", "must be an entry id (a positive whole number)")
		}
		before = n
	}
	limit := auditPageDefault
	if v := c.query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > auditPageMax {
			f.Add("limit", fmt.Sprintf("must be from 1 to %d", auditPageMax))
		}
		limit = n
	}
	if err := f.Err(); err != nil {
		return client.AuditPage{}, err
	}
	if c.query("format") == "csv" {
		return client.AuditPage{}, s.auditCSV(c)
	}
	es, err := s.store.AuditLog(c.ctx, c.programID, before, limit+1)
	if err != nil {
		return client.AuditPage{}, err
	}
	page := client.AuditPage{Items: []client.AuditEntry{}}
	for i, e := range es {
		if i == limit {
			page.NextBefore = es[i-1].ID
			break
		}
		page.Items = append(page.Items, toAuditEntry(e))
	}
	return page, nil
}

func toAuditEntry(e store.AuditEntry) client.AuditEntry {
	return client.AuditEntry{ID: e.ID, At: e.At, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action,
		ObjectKind: e.ObjectKind, ObjectID: e.ObjectID, Detail: e.Detail, Args: e.Args}
}

// auditCSV streams the log page by page, so a long log never sits in memory.
func (s *Server) auditCSV(c *call) error {
	c.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.w.Header().Set("Content-Disposition", `attachment; filename="audit.csv"`)
	c.w.WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.w)
	_ = w.Write([]string{"id", "at", "actor_id", "actor_name", "action", "object_kind", "object_id", "detail"})
	var before int64
	for n := 0; n < auditCSVMax; {
		es, err := s.store.AuditLog(c.ctx, c.programID, before, min(1000, auditCSVMax-n))
		if err != nil {
			s.log.Error("audit csv", "err", err)
			break
		}
		for _, e := range es {
			_ = w.Write(csvSafe([]string{strconv.FormatInt(e.ID, 10), e.At.Format("2006-01-02T15:04:05.000Z07:00"), e.ActorID, e.ActorName,
				e.Action, e.ObjectKind, e.ObjectID, e.Detail}))
		}
		if len(es) == 0 {
			break
		}
		n += len(es)
		before = es[len(es)-1].ID
	}
	w.Flush()
	return errHandled
}

// csvSafe quotes cells a spreadsheet would run as a formula.
func csvSafe(r []string) []string {
	for i, cell := range r {
		if cell != "" && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@') {
			r[i] = "'" + cell
		}
	}
	return r
}

// auditText is a short excerpt of free text for an entry's detail.
func auditText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return s
}

// scopeReport keeps what a limited manager may see: activities within
// their scope, and members in their groups or channels.
func (s *Server) scopeReport(c *call, acts []*domain.Activity, members []domain.Member) ([]*domain.Activity, []domain.Member, error) {
	keptActs := acts[:0:0]
	for _, a := range acts {
		if c.inScope(a) == nil {
			keptActs = append(keptActs, a)
		}
	}
	keptMembers, err := s.reachedMembers(c, members)
	return keptActs, keptMembers, err
}

// reachedMembers keeps the members within a limited manager's scope.
func (s *Server) reachedMembers(c *call, members []domain.Member) ([]domain.Member, error) {
	if c.scope == nil {
		return members, nil
	}
	auds, err := s.store.Audiences(c.ctx, c.programID)
	if err != nil {
		return nil, err
	}
	kept := members[:0:0]
	for _, m := range members {
		if c.scope.Reaches(auds[m.User.ID]) {
			kept = append(kept, m)
		}
	}
	return kept, nil
}
