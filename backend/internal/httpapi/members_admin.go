package httpapi

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// checkMemberChange holds the role rules: only owners make or unmake
// owners and set a manager's limits; a limit is for managers only. It also
// says what changed, for the audit log.
func (s *Server) checkMemberChange(c *call, m domain.Member, role domain.Role, in client.UpdateMember) error {
	if (role == domain.RoleOwner || m.Role == domain.RoleOwner) && role != m.Role && c.role != domain.RoleOwner {
		return domain.Errorf(domain.CodeForbidden, "only owners can make someone an owner or change an owner's role")
	}
	if in.Limited != nil || in.ScopeGroupIDs != nil || in.ScopeChannelIDs != nil {
		if c.role != domain.RoleOwner {
			return domain.Errorf(domain.CodeForbidden, "only owners can limit a manager to some groups and channels")
		}
		if role != domain.RoleManager {
			return &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention",
				Fields: map[string]string{"limited": "only a manager can be limited to some groups and channels"}}
		}
		// Checked before anything is saved: the role and the limits are
		// saved one after the other.
		if err := s.checkScopeIDs(c, in); err != nil {
			return err
		}
	}
	var parts []string
	args := []string{"email", m.User.Email}
	if role != m.Role {
		parts = append(parts, fmt.Sprintf("role %s → %s", m.Role, role))
		args = append(args, "role_from", string(m.Role), "role_to", string(role))
	}
	if in.GroupIDs != nil {
		parts = append(parts, fmt.Sprintf("groups: %d", len(*in.GroupIDs)))
		args = append(args, "groups", strconv.Itoa(len(*in.GroupIDs)))
	}
	if in.Limited != nil {
		if *in.Limited {
			parts = append(parts, "limited to some groups and channels")
		} else {
			parts = append(parts, "limits lifted")
		}
		args = append(args, "limited", strconv.FormatBool(*in.Limited))
	}
	c.audited("", m.User.Email+": "+strings.Join(parts, "; "), args...)
	return nil
}

func (s *Server) checkScopeIDs(c *call, in client.UpdateMember) error {
	f := domain.Fields{}
	if in.ScopeGroupIDs != nil {
		gs, err := s.store.Groups(c.ctx, c.programID)
		if err != nil {
			return err
		}
		for _, id := range *in.ScopeGroupIDs {
			if !slices.ContainsFunc(gs, func(g domain.Group) bool { return g.ID == id }) {
				f.Add("scope_group_ids", "has an id that is not one of this program's groups: "+id)
			}
		}
	}
	if in.ScopeChannelIDs != nil {
		cs, err := s.store.Channels(c.ctx, c.programID, c.user.ID)
		if err != nil {
			return err
		}
		for _, id := range *in.ScopeChannelIDs {
			if !slices.ContainsFunc(cs, func(ch domain.Channel) bool { return ch.ID == id }) {
				f.Add("scope_channel_ids", "has an id that is not one of this program's channels: "+id)
			}
		}
	}
	return f.Err()
}

// applyScope saves a manager's limits when the request set them.
func (s *Server) applyScope(c *call, userID string, in client.UpdateMember) error {
	if in.Limited == nil && in.ScopeGroupIDs == nil && in.ScopeChannelIDs == nil {
		return nil
	}
	cur, err := s.store.ManagerScope(c.ctx, c.programID, userID)
	if err != nil {
		return err
	}
	sc := domain.Scope{}
	if cur != nil {
		sc = *cur
	}
	limited := true // sending lists limits to them
	if in.Limited != nil {
		limited = *in.Limited
	}
	if in.ScopeGroupIDs != nil {
		sc.GroupIDs = uniq(*in.ScopeGroupIDs)
	}
	if in.ScopeChannelIDs != nil {
		sc.ChannelIDs = uniq(*in.ScopeChannelIDs)
	}
	if err := s.store.SetManagerScope(c.ctx, c.programID, userID, limited, sc); err != nil {
		return err
	}
	s.caches.forgetMembers(c.programID)
	return nil
}

// memberScopes fills in the limits of limited managers.
func (s *Server) memberScopes(c *call, ms []client.Member) error {
	scopes, err := s.store.ManagerScopes(c.ctx, c.programID)
	if err != nil || len(scopes) == 0 {
		return err
	}
	for i := range ms {
		if sc, ok := scopes[ms[i].ID]; ok {
			ms[i].Limited, ms[i].ScopeGroupIDs, ms[i].ScopeChannelIDs = true, orEmpty(sc.GroupIDs), orEmpty(sc.ChannelIDs)
		}
	}
	return nil
}

// checkRemoval: only owners take an owner out.
func (s *Server) checkRemoval(c *call, userID string) error {
	m, err := s.store.Member(c.ctx, c.programID, userID)
	if err != nil {
		return err
	}
	if m.Role == domain.RoleOwner && c.role != domain.RoleOwner {
		return domain.Errorf(domain.CodeForbidden, "only owners can take an owner out of the program")
	}
	c.audited("", m.User.Email)
	return nil
}

func scopeGroups(gs []domain.Group, sc *domain.Scope) []domain.Group {
	kept := gs[:0:0]
	for _, g := range gs {
		for _, id := range sc.GroupIDs {
			if g.ID == id {
				kept = append(kept, g)
				break
			}
		}
	}
	return kept
}

// importColumns are the CSV columns of an import and an export, in order.
var importColumns = []string{"email", "name", "groups", "timezone", "language", "role"}

// membersCSV answers GET …/members?format=csv: the import's columns (so an
// export imports again), then the status.
func (s *Server) membersCSV(c *call, ms []domain.Member) error {
	gs, err := s.store.Groups(c.ctx, c.programID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, g := range gs {
		names[g.ID] = g.Name
	}
	rows := [][]string{append(append([]string{}, importColumns...), "status")}
	for _, m := range ms {
		var groups []string
		for _, id := range m.GroupIDs {
			groups = append(groups, names[id])
		}
		sort.Strings(groups)
		status := "active"
		if m.Invited {
			status = "invited"
		}
		rows = append(rows, []string{m.User.Email, m.User.Name, strings.Join(groups, ";"), m.User.Timezone, m.User.Locale, string(m.Role), status})
	}
	return writeCSV(c, "members.csv", rows)
}

// Import limits: a file of at most MaxImportBytes and MaxImportRows rows.
const (
	MaxImportRows  = 10000
	MaxImportBytes = 4 << 20
)

// importMembers is POST …/members/import: a CSV with a header row naming
// its columns (email required; name, groups, timezone, language, role
// optional, in any order). Every row gets an answer; a bad row never stops
// the others. With dry_run nothing is saved: the answer says what would be.
func (s *Server) importMembers(c *call, _ none) (client.ImportResult, error) {
	if ct := c.r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "text/csv") && !strings.HasPrefix(ct, "text/plain") {
		return client.ImportResult{}, domain.Errorf(domain.CodeUnsupportedMedia, "send the file as text/csv")
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, MaxImportBytes+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || len(body) > MaxImportBytes {
		return client.ImportResult{}, domain.Errorf(domain.CodeTooLarge, "the file is larger than %d MB; split it", MaxImportBytes>>20)
	} else if err != nil {
		return client.ImportResult{}, err
	}
	dry := c.query("dry_run") == "1" || c.query("dry_run") == "true"
	return s.runImport(c, body, dry)
}

func (s *Server) runImport(c *call, body []byte, dry bool) (client.ImportResult, error) {
	res := client.ImportResult{DryRun: dry, Rows: []client.ImportedRow{}}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return res, domain.Errorf(domain.CodeValidation, "the file is empty: the first row names the columns (%s)", strings.Join(importColumns, ","))
	} else if err != nil {
		return res, domain.Errorf(domain.CodeValidation, "the file is not CSV: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch h {
		case "time zone", "time_zone", "timezone", "zone":
			h = "timezone"
		case "locale", "language", "lang":
			h = "language"
		}
		known := false
		for _, k := range importColumns {
			known = known || k == h
		}
		if !known {
			return res, &domain.Error{Code: domain.CodeValidation, Message: fmt.Sprintf("unknown column %q: the columns are %s", header[i], strings.Join(importColumns, ", ")),
				Fields: map[string]string{"csv": "unknown column " + header[i]}}
		}
		if _, dup := col[h]; dup {
			return res, domain.Errorf(domain.CodeValidation, "the column %q appears twice", h)
		}
		col[h] = i
	}
	if _, ok := col["email"]; !ok {
		return res, &domain.Error{Code: domain.CodeValidation, Message: "the file needs an email column", Fields: map[string]string{"csv": "no email column"}}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	gs, err := s.store.Groups(c.ctx, c.programID)
	if err != nil {
		return res, err
	}
	groupByName := map[string]string{}
	for _, g := range gs {
		groupByName[strings.ToLower(g.Name)] = g.ID
		groupByName[strings.ToLower(g.ID)] = g.ID
	}
	seen := map[string]int{}
	type pending struct {
		row  int
		user domain.User
		role domain.Role
		gids []string
	}
	var todo []pending
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if len(res.Rows) >= MaxImportRows {
			return res, domain.Errorf(domain.CodeTooLarge, "the file has more than %d rows; split it", MaxImportRows)
		}
		row := client.ImportedRow{Line: line, Groups: []string{}}
		if err != nil {
			row.Outcome, row.Reason = client.ImportError, "not a CSV row: "+err.Error()
			row.Problems = []client.ImportProblem{{Field: "line", Code: wire.ImportNotCSV}}
			res.Rows = append(res.Rows, row)
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		var reasons []string
		refuse := func(field, code, value, why string) {
			reasons = append(reasons, field+": "+why)
			row.Problems = append(row.Problems, client.ImportProblem{Field: field, Code: code, Value: value})
		}
		email, ok := domain.NormalizeEmail(get(rec, "email"))
		row.Email = email
		if !ok {
			refuse("email", wire.ImportBadEmail, "", "must be an email address like name@example.com")
		} else if len(email) > domain.MaxEmailLength {
			refuse("email", wire.ImportEmailTooLong, strconv.Itoa(domain.MaxEmailLength), "too long")
		} else if first, dup := seen[email]; dup {
			refuse("email", wire.ImportDuplicate, strconv.Itoa(first), fmt.Sprintf("the same address is on line %d", first))
		} else {
			seen[email] = line
		}
		row.Name = get(rec, "name")
		if row.Name == "" && ok {
			row.Name = strings.SplitN(email, "@", 2)[0]
		}
		if len([]rune(row.Name)) > domain.MaxNameLength {
			refuse("name", wire.ImportNameTooLong, strconv.Itoa(domain.MaxNameLength), fmt.Sprintf("must be at most %d characters", domain.MaxNameLength))
		}
		var gids []string
		for _, g := range strings.Split(get(rec, "groups"), ";") {
			if g = strings.TrimSpace(g); g == "" {
				continue
			}
			row.Groups = append(row.Groups, g)
			id, found := groupByName[strings.ToLower(g)]
			if !found {
				refuse("groups", wire.ImportUnknownGroup, g, fmt.Sprintf("no group named %q (create it first)", g))
				continue
			}
			if !slices.Contains(gids, id) {
				gids = append(gids, id)
			}
		}
		row.Timezone = get(rec, "timezone")
		if row.Timezone == "" {
			row.Timezone = c.user.Timezone
		} else if _, ok := domain.LoadLocation(row.Timezone); !ok {
			refuse("timezone", wire.ImportBadTimezone, row.Timezone, "must be an IANA time zone such as Asia/Shanghai")
		}
		row.Language = get(rec, "language")
		switch strings.ToLower(row.Language) {
		case "":
			row.Language = c.user.Locale
		case "en", "en-us", "en-gb", "english":
			row.Language = domain.LocaleEnglish
		case "zh-hans", "zh", "zh-cn", "中文", "简体中文":
			row.Language = domain.LocaleChinese
		default:
			refuse("language", wire.ImportBadLanguage, row.Language, "must be en or zh-Hans")
		}
		row.Role = strings.ToLower(get(rec, "role"))
		if row.Role == "" {
			row.Role = string(domain.RoleMember)
		}
		role := domain.Role(row.Role)
		if !role.Valid() {
			refuse("role", wire.ImportBadRole, row.Role, "must be member, manager or owner")
		} else if role == domain.RoleOwner && c.role != domain.RoleOwner {
			refuse("role", wire.ImportOwnerOnly, "", "only owners can make someone an owner")
		}
		if len(reasons) > 0 {
			row.Outcome, row.Reason = client.ImportError, strings.Join(reasons, "; ")
			res.Rows = append(res.Rows, row)
			continue
		}
		res.Rows = append(res.Rows, row)
		todo = append(todo, pending{row: len(res.Rows) - 1, role: role, gids: gids,
			user: domain.User{Email: email, Name: row.Name, Timezone: row.Timezone, Locale: row.Language, CreatedAt: c.now}})
	}
	if len(res.Rows) == 0 {
		return res, domain.Errorf(domain.CodeValidation, "the file has a header but no rows")
	}
	emails := make([]string, len(todo))
	for i, p := range todo {
		emails[i] = p.user.Email
	}
	accounts, err := s.store.UsersByEmails(c.ctx, emails)
	if err != nil {
		return res, err
	}
	members, err := s.store.Members(c.ctx, c.programID)
	if err != nil {
		return res, err
	}
	inProgram := make(map[string]bool, len(members))
	for _, m := range members {
		inProgram[m.User.ID] = true
	}
	p, err := s.store.Program(c.ctx, c.programID)
	if err != nil {
		return res, err
	}
	var nms []store.NewMember
	type invite struct {
		to         domain.User
		name, code string
	}
	var invites []invite
	for _, t := range todo {
		row := &res.Rows[t.row]
		nm := store.NewMember{Role: t.role, GroupIDs: t.gids, InviteTTL: s.o.InviteTTL, User: t.user}
		to := t.user
		if acc, ok := accounts[t.user.Email]; ok {
			if inProgram[acc.ID] {
				row.Outcome, row.MemberID = client.ImportExisting, acc.ID
				continue
			}
			nm.User.ID, to = acc.ID, acc
			row.Outcome = client.ImportInvited
		} else {
			nm.User.ID, nm.CreateUser = domain.NewID("usr"), true
			row.Outcome = client.ImportAdded
		}
		row.MemberID = nm.User.ID
		if dry {
			continue
		}
		var code string
		code, nm.InviteHash = auth.NewInviteCode()
		nms = append(nms, nm)
		invites = append(invites, invite{to, t.user.Name, code})
	}
	for _, row := range res.Rows {
		switch row.Outcome {
		case client.ImportAdded:
			res.Added++
		case client.ImportInvited:
			res.Invited++
		case client.ImportExisting:
			res.Existing++
		default:
			res.Errors++
		}
	}
	if dry {
		// Checking is no change: nothing for the audit log.
		c.audit.Cancel()
		return res, nil
	}
	c.audited("", fmt.Sprintf("import: %d added, %d invited, %d already members, %d errors", res.Added, res.Invited, res.Existing, res.Errors),
		"added", strconv.Itoa(res.Added), "invited", strconv.Itoa(res.Invited), "existing", strconv.Itoa(res.Existing), "errors", strconv.Itoa(res.Errors))
	if len(nms) == 0 {
		return res, nil
	}
	// The invitations, rendered on every core (half the import's time).
	var jobs []store.NewJob
	if s.mailOn() {
		per := make([][]store.NewJob, len(invites))
		var wg sync.WaitGroup
		next := atomic.Int64{}
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1) - 1); i < len(invites); i = int(next.Add(1) - 1) {
					in := invites[i]
					per[i] = s.mailJobs(s.inviteMail(p.Name, in.to, in.name, in.code, c.now.Add(s.o.InviteTTL)), c.now)
				}
			}()
		}
		wg.Wait()
		for _, js := range per {
			jobs = append(jobs, js...)
		}
	}
	if err := s.store.ImportMembers(c.ctx, c.programID, nms, c.now, jobs); err != nil {
		return res, err
	}
	s.caches.forgetMembers(c.programID)
	s.forgetBoards(c.programID)
	s.wakeJobs()
	return res, nil
}

// docImport: the import's body is the CSV file itself.
func docImport(op map[string]any) {
	op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
		"text/csv": map[string]any{"schema": map[string]any{"type": "string", "maxLength": MaxImportBytes}},
	}}
}
