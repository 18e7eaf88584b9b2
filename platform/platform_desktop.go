//go:build !android && !ios && !js

package platform

import (
	"context"
	"net/url"

	"fyne.io/fyne/v2"
)

// A desktop has no WeChat we can post through: WeChat for Windows and macOS
// cannot post to Moments. The app offers "Send to my phone" instead.
const supportsWeChat = false

func shareToWeChat(context.Context, Share) (Result, error) {
	return Failed, ErrPhoneOnly
}

// openWeChat follows the weixin:// scheme, which WeChat for Windows and macOS
// register; where nothing handles it the system says so.
func openWeChat(_ context.Context, a fyne.App) (Result, error) {
	u, _ := url.Parse(WeChatURL)
	if err := a.OpenURL(u); err != nil {
		return WeChatMissing, err
	}
	return Shared, nil
}

func shareSheet(context.Context, Share) (Result, error) {
	return Failed, ErrNoShareSheet
}
