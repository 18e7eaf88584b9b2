package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Perform performs an activity; safe to retry with the same ClientActionID.
func (c *Client) Perform(ctx context.Context, pid, aid string, in Perform) (PerformResult, error) {
	return do[PerformResult](ctx, c, http.MethodPost, prog(pid, "activities", aid, "perform"), in)
}

// Handoff asks for an activity to be sent to the member's phone.
func (c *Client) Handoff(ctx context.Context, pid, aid string) (Handoff, error) {
	return do[Handoff](ctx, c, http.MethodPost, prog(pid, "activities", aid, "handoff"), nil)
}

// ShareLink returns a share page link for an activity: the caller's own
// (memberID ""), or a member's (managers).
func (c *Client) ShareLink(ctx context.Context, pid, aid, memberID string) (ShareLink, error) {
	return do[ShareLink](ctx, c, http.MethodPost, prog(pid, "activities", aid, "share-link"), ShareLinkInput{MemberID: memberID})
}

// MyPoints returns the caller's ledger and total.
func (c *Client) MyPoints(ctx context.Context, pid string) (Points, error) {
	return do[Points](ctx, c, http.MethodGet, prog(pid, "me", "points"), nil)
}

// AdjustPoints adds (or with a negative number takes) points, with a reason (managers).
func (c *Client) AdjustPoints(ctx context.Context, pid string, in Adjustment) (PointEntry, error) {
	return do[PointEntry](ctx, c, http.MethodPost, prog(pid, "points", "adjustments"), in)
}

// Leaderboard returns the board for a period (all, month, week), optionally
// one member group's, with at most limit rows (0: the server's default).
func (c *Client) Leaderboard(ctx context.Context, pid, period, groupID string, limit int) (Leaderboard, error) {
	v := url.Values{}
	if period != "" {
		v.Set("period", period)
	}
	if groupID != "" {
		v.Set("group", groupID)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	path := prog(pid, "leaderboard")
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	return do[Leaderboard](ctx, c, http.MethodGet, path, nil)
}

// Rewards lists the catalog (members see active rewards only).
func (c *Client) Rewards(ctx context.Context, pid string) ([]Reward, error) {
	l, err := do[List[Reward]](ctx, c, http.MethodGet, prog(pid, "rewards"), nil)
	return l.Items, err
}

// CreateReward adds a reward (managers).
func (c *Client) CreateReward(ctx context.Context, pid string, in RewardInput) (Reward, error) {
	return do[Reward](ctx, c, http.MethodPost, prog(pid, "rewards"), in)
}

// UpdateReward edits a reward (managers).
func (c *Client) UpdateReward(ctx context.Context, pid, rid string, in RewardInput) (Reward, error) {
	return do[Reward](ctx, c, http.MethodPatch, prog(pid, "rewards", rid), in)
}

// Redeem spends points on a reward.
func (c *Client) Redeem(ctx context.Context, pid, rid string, in Redeem) (Redemption, error) {
	return do[Redemption](ctx, c, http.MethodPost, prog(pid, "rewards", rid, "redeem"), in)
}

// Redemptions lists redemptions: all for managers, one's own for members.
func (c *Client) Redemptions(ctx context.Context, pid string) ([]Redemption, error) {
	l, err := do[List[Redemption]](ctx, c, http.MethodGet, prog(pid, "redemptions"), nil)
	return l.Items, err
}

// Fulfil marks a redemption fulfilled (managers).
func (c *Client) Fulfil(ctx context.Context, pid, id string, in Decision) (Redemption, error) {
	return do[Redemption](ctx, c, http.MethodPost, prog(pid, "redemptions", id, "fulfil"), in)
}

// Reject rejects a redemption and refunds its points (managers).
func (c *Client) Reject(ctx context.Context, pid, id string, in Decision) (Redemption, error) {
	return do[Redemption](ctx, c, http.MethodPost, prog(pid, "redemptions", id, "reject"), in)
}

// ActivityReport returns one activity's report (managers).
func (c *Client) ActivityReport(ctx context.Context, pid, aid string) (ActivityReport, error) {
	return do[ActivityReport](ctx, c, http.MethodGet, prog(pid, "activities", aid, "report"), nil)
}

// SummaryReport returns performs per activity and per member; from and to are
// dates (YYYY-MM-DD, in the program's zone, to inclusive) or RFC 3339 instants.
func (c *Client) SummaryReport(ctx context.Context, pid, from, to string) (SummaryReport, error) {
	return do[SummaryReport](ctx, c, http.MethodGet, prog(pid, "reports", "summary")+"?"+url.Values{"from": {from}, "to": {to}}.Encode(), nil)
}

// CSV downloads a report as CSV: path is "activities/{aid}/report" or
// "reports/summary" (with its query), relative to the program.
func (c *Client) CSV(ctx context.Context, pid, path string) ([]byte, error) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	resp, err := c.r.R().SetContext(ctx).SetError(&ErrorBody{}).Get(prog(pid) + "/" + path + sep + "format=csv")
	if err != nil {
		return nil, err
	}
	if resp.IsError() {
		return nil, toError(resp)
	}
	return resp.Body(), nil
}

// PreviewLinks shows a message with its links tracked (managers).
func (c *Client) PreviewLinks(ctx context.Context, pid, message string) (LinkPreviewResult, error) {
	return do[LinkPreviewResult](ctx, c, http.MethodPost, prog(pid, "links", "preview"), LinkPreview{Message: message})
}
