package httpapi

import (
	"fmt"
	"strings"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/auth"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

func (s *Server) members(c *call, _ none) (client.List[client.Member], error) {
	ms, err := s.store.Members(c.ctx, c.programID)
	if err == nil {
		ms, err = s.reachedMembers(c, ms)
	}
	out := list(ms, toMember)
	if err == nil {
		err = s.memberWeComIDs(c, out.Items)
	}
	if err == nil {
		err = s.memberScopes(c, out.Items)
	}
	if err == nil && c.query("format") == "csv" {
		return out, s.membersCSV(c, ms)
	}
	return out, err
}

func (s *Server) addMember(c *call, in client.AddMember) (client.AddedMember, error) {
	f := domain.Fields{}
	email, ok := domain.NormalizeEmail(in.Email)
	if !ok {
		f.Add("email", "must be an email address like name@example.com")
	}
	role := domain.Role(in.Role)
	if in.Role == "" {
		role = domain.RoleMember
	} else if !role.Valid() {
		f.Add("role", "must be member, manager or owner")
	} else if role == domain.RoleOwner && c.role != domain.RoleOwner {
		return client.AddedMember{}, domain.Errorf(domain.CodeForbidden, "only owners can make someone an owner")
	}
	zone := in.Timezone
	if zone == "" {
		zone = c.user.Timezone // a manager's team usually shares their zone
	} else {
		checkZone(f, "timezone", zone)
	}
	if in.Password != "" {
		// A person's credentials are theirs: a manager who chose them could
		// sign in as that person in every program they later join.
		f.Add("password", "managers cannot set passwords; the person chooses one when accepting the invite")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = strings.SplitN(email, "@", 2)[0]
	}
	if err := f.Err(); err != nil {
		return client.AddedMember{}, err
	}
	// Everyone gets an invite and a pending membership, whether or not the
	// address has an account already: the answer is the same either way, and
	// only the person, by accepting, joins the program.
	now := c.now
	code, hash := auth.NewInviteCode()
	nm := store.NewMember{Role: role, GroupIDs: orEmpty(in.GroupIDs), InviteHash: hash, InviteTTL: s.o.InviteTTL,
		User: domain.User{ID: domain.NewID("usr"), Email: email, Name: name, Timezone: zone, Locale: c.user.Locale, CreatedAt: now}}
	existing, err := s.store.UserByEmail(c.ctx, email)
	to := nm.User // the new account's language: the manager's
	switch {
	case err == nil:
		nm.User.ID = existing.ID
		to = existing
	case isCode(err, domain.CodeNotFound):
		nm.CreateUser = true
	default:
		return client.AddedMember{}, err
	}
	// The invitation email is queued with the membership: a crash loses
	// neither. The answer still carries the code (managers may pass it on).
	var jobs []store.NewJob
	if s.mailOn() {
		p, err := s.store.Program(c.ctx, c.programID)
		if err != nil {
			return client.AddedMember{}, err
		}
		jobs = s.mailJobs(s.inviteMail(p.Name, to, name, code, now.Add(s.o.InviteTTL)), now)
	}
	c.audited(nm.User.ID, email+" as "+string(role), "email", email, "role", string(role))
	if err := s.store.AddMember(c.ctx, c.programID, nm, now, jobs...); err != nil {
		return client.AddedMember{}, err
	}
	s.wakeJobs()
	m, err := s.store.Member(c.ctx, c.programID, nm.User.ID)
	return client.AddedMember{Member: toMember(m), InviteCode: code}, err
}

func (s *Server) updateMember(c *call, in client.UpdateMember) (client.Member, error) {
	m, err := s.store.Member(c.ctx, c.programID, c.path("uid"))
	if err != nil {
		return client.Member{}, err
	}
	role := m.Role
	if in.Role != nil {
		if role = domain.Role(*in.Role); !role.Valid() {
			return client.Member{}, &domain.Error{Code: domain.CodeValidation, Message: "some fields need attention", Fields: map[string]string{"role": "must be member, manager or owner"}}
		}
	}
	if err := s.checkMemberChange(c, m, role, in); err != nil {
		return client.Member{}, err
	}
	var groups []string
	if in.GroupIDs != nil {
		groups = orEmpty(*in.GroupIDs)
	}
	saveWeCom, err := s.applyMemberWeComID(c, m.User.ID, in)
	if err != nil {
		return client.Member{}, err
	}
	if err := s.store.UpdateMember(c.ctx, c.programID, m.User.ID, role, groups); err != nil {
		return client.Member{}, err
	}
	if saveWeCom != nil {
		if err := saveWeCom(); err != nil {
			return client.Member{}, err
		}
	}
	if err := s.applyScope(c, m.User.ID, in); err != nil {
		return client.Member{}, err
	}
	s.caches.forgetMembers(c.programID)
	m, err = s.store.Member(c.ctx, c.programID, m.User.ID)
	out := []client.Member{toMember(m)}
	if err == nil {
		err = s.memberWeComIDs(c, out)
	}
	if err == nil {
		err = s.memberScopes(c, out)
	}
	return out[0], err
}

func (s *Server) removeMember(c *call, _ none) (none, error) {
	if err := s.checkRemoval(c, c.path("uid")); err != nil {
		return none{}, err
	}
	defer s.caches.forgetMembers(c.programID)
	if err := s.store.RemoveMember(c.ctx, c.programID, c.path("uid")); err != nil {
		return none{}, err
	}
	s.forgetBoards(c.programID)
	s.membershipChanged(c.ctx, c.programID, c.path("uid"))
	return none{}, nil
}

func requireName(name string) (string, error) {
	name = strings.TrimSpace(name)
	f := domain.Fields{}
	if name == "" {
		f.Add("name", "is required")
	} else if len([]rune(name)) > domain.MaxNameLength {
		f.Add("name", fmt.Sprintf("must be at most %d characters", domain.MaxNameLength))
	}
	return name, f.Err()
}

func (s *Server) groups(c *call, _ none) (client.List[client.Group], error) {
	gs, err := s.store.Groups(c.ctx, c.programID)
	if c.scope != nil {
		gs = scopeGroups(gs, c.scope)
	}
	return list(gs, toGroup), err
}

func (s *Server) createGroup(c *call, in client.GroupInput) (client.Group, error) {
	name, err := requireName(in.Name)
	if err != nil {
		return client.Group{}, err
	}
	g := domain.Group{ID: domain.NewID("grp"), ProgramID: c.programID, Name: name}
	c.audited(g.ID, g.Name)
	return toGroup(g), s.store.CreateGroup(c.ctx, g, c.now)
}

func (s *Server) renameGroup(c *call, in client.GroupInput) (client.Group, error) {
	name, err := requireName(in.Name)
	if err != nil {
		return client.Group{}, err
	}
	if err := s.store.RenameGroup(c.ctx, c.programID, c.path("gid"), name); err != nil {
		return client.Group{}, err
	}
	g, err := s.store.Group(c.ctx, c.programID, c.path("gid"))
	return toGroup(g), err
}

func (s *Server) deleteGroup(c *call, _ none) (none, error) {
	return none{}, s.store.DeleteGroup(c.ctx, c.programID, c.path("gid"), c.now)
}

func (s *Server) setGroupMembers(c *call, in client.SetMembers) (client.Group, error) {
	if err := s.store.SetGroupMembers(c.ctx, c.programID, c.path("gid"), uniq(in.UserIDs)); err != nil {
		return client.Group{}, err
	}
	g, err := s.store.Group(c.ctx, c.programID, c.path("gid"))
	return toGroup(g), err
}

func uniq(ids []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func (s *Server) channels(c *call, _ none) (client.List[client.Channel], error) {
	cs, err := s.store.Channels(c.ctx, c.programID, c.user.ID)
	if err != nil {
		return client.List[client.Channel]{}, err
	}
	if c.fullManager() {
		// Managers choose who is in a private channel: they see who is.
		in, err := s.store.PrivateMembers(c.ctx, c.programID)
		out := list(cs, toChannel)
		for i := range out.Items {
			out.Items[i].MemberIDs = in[out.Items[i].ID]
		}
		return out, err
	}
	// Members see public channels and the private ones they are in.
	mine := cs[:0]
	for _, ch := range cs {
		if ch.Visibility == domain.VisibilityPublic || ch.Following || c.scopeHasChannel(ch.ID) {
			mine = append(mine, ch)
		}
	}
	return list(mine, toChannel), nil
}

func checkVisibility(f domain.Fields, v string) domain.Visibility {
	vis := domain.Visibility(v)
	if vis != domain.VisibilityPublic && vis != domain.VisibilityPrivate {
		f.Add("visibility", "must be public or private")
	}
	return vis
}

func (s *Server) createChannel(c *call, in client.ChannelInput) (client.Channel, error) {
	f := domain.Fields{}
	name, err := requireName(in.Name)
	if err != nil {
		f.Add("name", "is required")
	}
	if in.Visibility == "" {
		in.Visibility = string(domain.VisibilityPublic)
	}
	vis := checkVisibility(f, in.Visibility)
	if err := f.Err(); err != nil {
		return client.Channel{}, err
	}
	ch := domain.Channel{ID: domain.NewID("chn"), ProgramID: c.programID, Name: name, Visibility: vis}
	c.audited(ch.ID, ch.Name)
	return toChannel(ch), s.store.CreateChannel(c.ctx, ch, c.now)
}

func (s *Server) updateChannel(c *call, in client.ChannelInput) (client.Channel, error) {
	ch, err := s.store.Channel(c.ctx, c.programID, c.path("cid"), c.user.ID)
	if err != nil {
		return client.Channel{}, err
	}
	f := domain.Fields{}
	if in.Name != "" {
		if ch.Name, err = requireName(in.Name); err != nil {
			f.Add("name", "is required") // blank: the edge refuses long names
		}
	}
	if in.Visibility != "" {
		ch.Visibility = checkVisibility(f, in.Visibility)
	}
	if err := f.Err(); err != nil {
		return client.Channel{}, err
	}
	if err := s.store.UpdateChannel(c.ctx, ch); err != nil {
		return client.Channel{}, err
	}
	ch, err = s.store.Channel(c.ctx, c.programID, ch.ID, c.user.ID)
	return toChannel(ch), err
}

func (s *Server) deleteChannel(c *call, _ none) (none, error) {
	return none{}, s.store.DeleteChannel(c.ctx, c.programID, c.path("cid"), c.now)
}

func (s *Server) setChannelMembers(c *call, in client.SetMembers) (client.Channel, error) {
	if err := s.store.SetChannelMembers(c.ctx, c.programID, c.path("cid"), uniq(in.UserIDs)); err != nil {
		return client.Channel{}, err
	}
	ch, err := s.store.Channel(c.ctx, c.programID, c.path("cid"), c.user.ID)
	return toChannel(ch), err
}

func (s *Server) follow(c *call, _ none) (client.Channel, error)   { return s.setFollow(c, true) }
func (s *Server) unfollow(c *call, _ none) (client.Channel, error) { return s.setFollow(c, false) }

func (s *Server) setFollow(c *call, on bool) (client.Channel, error) {
	if err := s.store.SetFollow(c.ctx, c.programID, c.path("cid"), c.user.ID, on); err != nil {
		return client.Channel{}, err
	}
	ch, err := s.store.Channel(c.ctx, c.programID, c.path("cid"), c.user.ID)
	return toChannel(ch), err
}

func (s *Server) campaigns(c *call, _ none) (client.List[client.Campaign], error) {
	cs, err := s.store.Campaigns(c.ctx, c.programID)
	return list(cs, toCampaign), err
}

func (s *Server) createCampaign(c *call, in client.CampaignInput) (client.Campaign, error) {
	var name string
	if in.Name != nil {
		name = *in.Name
	}
	name, err := requireName(name)
	if err != nil {
		return client.Campaign{}, err
	}
	cp := domain.Campaign{ID: domain.NewID("cmp"), ProgramID: c.programID, Name: name}
	if in.Description != nil {
		cp.Description = strings.TrimSpace(*in.Description)
	}
	c.audited(cp.ID, cp.Name)
	return toCampaign(cp), s.store.CreateCampaign(c.ctx, cp, c.now)
}

func (s *Server) updateCampaign(c *call, in client.CampaignInput) (client.Campaign, error) {
	cp, err := s.store.Campaign(c.ctx, c.programID, c.path("id"))
	if err != nil {
		return client.Campaign{}, err
	}
	if in.Name != nil {
		if cp.Name, err = requireName(*in.Name); err != nil {
			return client.Campaign{}, err
		}
	}
	if in.Description != nil {
		cp.Description = strings.TrimSpace(*in.Description)
	}
	return toCampaign(cp), s.store.UpdateCampaign(c.ctx, cp)
}

func (s *Server) deleteCampaign(c *call, _ none) (none, error) {
	return none{}, s.store.DeleteCampaign(c.ctx, c.programID, c.path("id"))
}
