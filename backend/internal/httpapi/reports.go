package httpapi

import (
	"encoding/csv"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

func (s *Server) activityReport(c *call, _ none) (client.ActivityReport, error) {
	a, err := s.store.Activity(c.ctx, c.programID, c.path("aid"))
	if err != nil {
		return client.ActivityReport{}, err
	}
	if err := c.inScope(&a); err != nil {
		return client.ActivityReport{}, err
	}
	auds, err := s.store.Audiences(c.ctx, c.programID)
	if err != nil {
		return client.ActivityReport{}, err
	}
	performs, err := s.store.Performs(c.ctx, c.programID, a.ID, time.Time{}, time.Time{})
	if err != nil {
		return client.ActivityReport{}, err
	}
	now := c.now
	rep := client.ActivityReport{ActivityID: a.ID, Type: string(a.Type), Status: a.Status(now), Message: a.Message,
		BySurface: map[string]int{}, OverTime: []client.DayCount{}}
	// Eligible now: the members the activity is sent to, while it is live.
	if a.Live(now) {
		for _, aud := range auds {
			if domain.Targets(&a, aud) {
				rep.Eligible++
			}
		}
	}
	loc := s.programZone(c)
	days := map[string]int{}
	for _, p := range performs {
		rep.Performed++
		rep.PointsGiven += p.Points
		rep.BySurface[p.Surface]++
		days[p.At.In(loc).Format("2006-01-02")]++
	}
	if rep.Eligible > 0 {
		rep.PerformedShare = float64(rep.Performed) / float64(rep.Eligible)
	}
	for d, n := range days {
		rep.OverTime = append(rep.OverTime, client.DayCount{Date: d, Performs: n})
	}
	sort.Slice(rep.OverTime, func(i, j int) bool { return rep.OverTime[i].Date < rep.OverTime[j].Date })
	if rep.TikTok, err = s.tiktokReport(c, &a); err != nil {
		return rep, err
	}
	if rep.Clicks, err = s.clickReport(c, a.ID); err != nil {
		return rep, err
	}
	if c.query("format") == "csv" {
		members, err := s.store.Members(c.ctx, c.programID)
		if err != nil {
			return rep, err
		}
		byID := map[string]domain.Member{}
		for _, m := range members {
			byID[m.User.ID] = m
		}
		clicks := map[string]client.ClickCount{}
		for _, mc := range rep.Clicks.PerMember {
			clicks[mc.MemberID] = mc.ClickCount
		}
		rows := [][]string{{"activity_id", "member_id", "name", "email", "surface", "points", "performed_at", "clicks", "clicks_people", "unique_visitors"}}
		for _, p := range performs {
			m, cc := byID[p.UserID], clicks[p.UserID]
			rows = append(rows, []string{a.ID, p.UserID, m.User.Name, m.User.Email, p.Surface, strconv.Itoa(p.Points), p.At.Format(time.RFC3339),
				strconv.Itoa(cc.Total), strconv.Itoa(cc.People), strconv.Itoa(cc.Unique)})
		}
		return rep, writeCSV(c, "activity-"+a.ID+".csv", rows)
	}
	return rep, nil
}

func (s *Server) summaryReport(c *call, _ none) (client.SummaryReport, error) {
	var from, to time.Time
	f := domain.Fields{}
	loc := s.programZone(c)
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := c.query(p.name); v != "" {
			t, err := parseDay(v, loc)
			if err != nil {
				f.Add(p.name, err.Error())
			}
			*p.t = t
		}
	}
	if !to.IsZero() && len(c.query("to")) == len("2006-01-02") {
		to = to.AddDate(0, 0, 1) // a whole last day
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		f.Add("to", "must be after from")
	}
	if err := f.Err(); err != nil {
		return client.SummaryReport{}, err
	}
	performs, err := s.store.Performs(c.ctx, c.programID, "", from, to)
	if err != nil {
		return client.SummaryReport{}, err
	}
	acts, err := s.store.Activities(c.ctx, c.programID, store.ActivityFilter{})
	if err != nil {
		return client.SummaryReport{}, err
	}
	members, err := s.store.Members(c.ctx, c.programID)
	if err != nil {
		return client.SummaryReport{}, err
	}
	if c.scope != nil {
		// A limited manager's report: their activities and their people.
		if acts, members, err = s.scopeReport(c, acts, members); err != nil {
			return client.SummaryReport{}, err
		}
		mine := map[string]bool{}
		for _, a := range acts {
			mine[a.ID] = true
		}
		kept := performs[:0:0]
		for _, p := range performs {
			if mine[p.ActivityID] {
				kept = append(kept, p)
			}
		}
		performs = kept
	}
	rep := client.SummaryReport{From: optTime(from), To: optTime(to), Activities: []client.ActivitySummary{}, Members: []client.MemberSummary{}}
	byAct, byMember := map[string]*client.ActivitySummary{}, map[string]*client.MemberSummary{}
	for _, a := range acts {
		rep.Activities = append(rep.Activities, client.ActivitySummary{ActivityID: a.ID, Type: string(a.Type), Message: a.Message})
	}
	for i := range rep.Activities {
		byAct[rep.Activities[i].ActivityID] = &rep.Activities[i]
	}
	for _, m := range members {
		rep.Members = append(rep.Members, client.MemberSummary{MemberID: m.User.ID, Name: m.User.Name, Email: m.User.Email})
	}
	for i := range rep.Members {
		byMember[rep.Members[i].MemberID] = &rep.Members[i]
	}
	perAct, perMember, err := s.store.ProgramClicks(c.ctx, c.programID, from, to)
	if err != nil {
		return client.SummaryReport{}, err
	}
	for id, cc := range perAct {
		if a := byAct[id]; a != nil {
			a.Clicks = toClickCount(cc)
		}
	}
	if c.scope != nil {
		// A member's clicks are counted over every activity, some outside
		// a limited manager's scope: not theirs to see.
		perMember = nil
	}
	for id, cc := range perMember {
		if m := byMember[id]; m != nil {
			m.Clicks = toClickCount(cc)
		}
	}
	for _, p := range performs {
		if a := byAct[p.ActivityID]; a != nil {
			a.Performs++
			a.Points += p.Points
		}
		if m := byMember[p.UserID]; m != nil {
			m.Performs++
			m.Points += p.Points
		}
	}
	if c.query("format") == "csv" {
		rows := [][]string{{"kind", "id", "name", "type", "performs", "points", "clicks", "clicks_people", "unique_visitors"}}
		for _, a := range rep.Activities {
			rows = append(rows, []string{"activity", a.ActivityID, a.Message, a.Type, strconv.Itoa(a.Performs), strconv.Itoa(a.Points),
				strconv.Itoa(a.Clicks.Total), strconv.Itoa(a.Clicks.People), strconv.Itoa(a.Clicks.Unique)})
		}
		for _, m := range rep.Members {
			rows = append(rows, []string{"member", m.MemberID, m.Name, "", strconv.Itoa(m.Performs), strconv.Itoa(m.Points),
				strconv.Itoa(m.Clicks.Total), strconv.Itoa(m.Clicks.People), strconv.Itoa(m.Clicks.Unique)})
		}
		return rep, writeCSV(c, "summary.csv", rows)
	}
	return rep, nil
}

func parseDay(v string, loc *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		return t, nil
	}
	return domain.ParseTime(v, loc)
}

// writeCSV answers with a CSV file; cells that a spreadsheet would run as a
// formula are quoted with a leading apostrophe.
func writeCSV(c *call, name string, rows [][]string) error {
	c.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	c.w.WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.w)
	for _, r := range rows {
		_ = w.Write(csvSafe(r))
	}
	w.Flush()
	return errHandled
}
