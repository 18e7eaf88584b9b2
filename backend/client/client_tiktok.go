package client

import (
	"context"
	"net/http"
)

// ConnectTikTok starts connecting the member's TikTok account: open the
// returned URL in a browser.
func (c *Client) ConnectTikTok(ctx context.Context) (TikTokConnect, error) {
	return do[TikTokConnect](ctx, c, http.MethodPost, "/api/v1/me/tiktok/connect", nil)
}

// SocialAccounts lists the member's connected accounts.
func (c *Client) SocialAccounts(ctx context.Context) ([]SocialAccount, error) {
	l, err := do[List[SocialAccount]](ctx, c, http.MethodGet, "/api/v1/me/social-accounts", nil)
	return l.Items, err
}

// DisconnectTikTok revokes and forgets the member's TikTok account.
func (c *Client) DisconnectTikTok(ctx context.Context) error {
	_, err := do[struct{}](ctx, c, http.MethodDelete, "/api/v1/me/social-accounts/tiktok", nil)
	return err
}

// RetryTikTok stages a failed TikTok video again.
func (c *Client) RetryTikTok(ctx context.Context, pid, aid string) (TikTokStaging, error) {
	return do[TikTokStaging](ctx, c, http.MethodPost, prog(pid, "activities", aid, "tiktok", "retry"), nil)
}
