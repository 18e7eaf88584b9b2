package push

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestResolveLocale(t *testing.T) {
	for in, want := range map[string]string{
		"en": "en", "en-US": "en", "": "en", "fr-FR": "en", "zhx": "en",
		"zh-Hans": "zh-Hans", "zh": "zh-Hans", "zh-CN": "zh-Hans", "zh_Hans_CN": "zh-Hans",
		"ZH-hans": "zh-Hans", "zh-TW": "zh-Hans",
	} {
		if got := ResolveLocale(in); got != want {
			t.Errorf("ResolveLocale(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeepLinkEscapesIDs(t *testing.T) {
	if got, want := DeepLink("p1", "a/b c"), "chorus://programs/p1/activities/a%2Fb%20c"; got != want {
		t.Errorf("DeepLink = %q, want %q", got, want)
	}
}

func TestNewActivityMessage(t *testing.T) {
	tests := []struct {
		locale, title   string
		wantT, wantBody string
	}{
		{"en", "Share our launch video", "New activity: Share our launch video", "Tap to open it in Chorus."},
		{"fr", "Share our launch video", "New activity: Share our launch video", "Tap to open it in Chorus."},
		{"", "  Spring\n sale ", "New activity: Spring sale", "Tap to open it in Chorus."},
		{"zh-Hans", "分享发布会视频", "新活动：分享发布会视频", "点按在 Chorus 中打开。"},
		{"zh-CN", "分享发布会视频", "新活动：分享发布会视频", "点按在 Chorus 中打开。"},
		{"en", "", "New activity", "Tap to open it in Chorus."},
		{"zh-Hans", "   ", "新活动", "点按在 Chorus 中打开。"},
	}
	for _, tt := range tests {
		m := NewActivityMessage(tt.locale, "p1", "a1", tt.title)
		if m.Title != tt.wantT || m.Body != tt.wantBody {
			t.Errorf("NewActivityMessage(%q, %q) = %q / %q; want %q / %q", tt.locale, tt.title, m.Title, m.Body, tt.wantT, tt.wantBody)
		}
	}
	want := Message{
		Kind:        "new_activity",
		Title:       "New activity: Launch",
		Body:        "Tap to open it in Chorus.",
		DeepLink:    "chorus://programs/p1/activities/a1",
		Data:        map[string]string{"program_id": "p1", "activity_id": "a1"},
		CollapseKey: "activity-a1",
		TTL:         NewActivityTTL,
	}
	if got := NewActivityMessage("en", "p1", "a1", "Launch"); !reflect.DeepEqual(got, want) {
		t.Errorf("NewActivityMessage =\n %#v\nwant\n %#v", got, want)
	}
}

func TestLongTitlesAreCutByRunes(t *testing.T) {
	long := strings.Repeat("视", 200)
	m := NewActivityMessage("zh-Hans", "p", "a", long)
	if !utf8.ValidString(m.Title) {
		t.Fatal("title is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(m.Title); n != len([]rune("新活动："))+maxTitleRunes {
		t.Errorf("title has %d runes", n)
	}
	if !strings.HasSuffix(m.Title, "…") {
		t.Errorf("title %q does not end with an ellipsis", m.Title)
	}
	exact := strings.Repeat("a", maxTitleRunes)
	if got := NewActivityMessage("en", "p", "a", exact).Title; got != "New activity: "+exact {
		t.Errorf("a title of exactly the limit was cut: %q", got)
	}
}

func TestHandoffMessage(t *testing.T) {
	tests := []struct {
		locale, title   string
		wantT, wantBody string
	}{
		{"en", "Post the team photo", "Continue on your phone", "Tap to open “Post the team photo” here and share it from your phone."},
		{"de", "", "Continue on your phone", "Tap to open “this activity” here and share it from your phone."},
		{"zh-Hans", "发布团队合影", "在手机上继续", "点按在手机上打开“发布团队合影”并分享。"},
		{"zh", "", "在手机上继续", "点按在手机上打开“此活动”并分享。"},
	}
	for _, tt := range tests {
		m := HandoffMessage(tt.locale, "p1", "a9", tt.title)
		if m.Title != tt.wantT || m.Body != tt.wantBody {
			t.Errorf("HandoffMessage(%q, %q) = %q / %q; want %q / %q", tt.locale, tt.title, m.Title, m.Body, tt.wantT, tt.wantBody)
		}
		if m.Kind != KindHandoff || m.DeepLink != "chorus://programs/p1/activities/a9" || m.TTL != HandoffTTL || m.CollapseKey != "handoff-a9" {
			t.Errorf("HandoffMessage envelope = %+v", m)
		}
	}
}

func TestTikTokStatusMessage(t *testing.T) {
	tests := []struct {
		locale, title string
		staged        bool
		reason        string
		wantT         string
		wantBody      string
		wantData      map[string]string
	}{
		{"en", "Dance challenge", true, "", "Video sent to TikTok", "Open TikTok and finish posting “Dance challenge” from your inbox.",
			map[string]string{"program_id": "p", "activity_id": "a", "status": "staged"}},
		{"zh-Hans", "舞蹈挑战", true, "ignored", "视频已发送到 TikTok", "打开 TikTok，在收件箱中完成发布“舞蹈挑战”。",
			map[string]string{"program_id": "p", "activity_id": "a", "status": "staged"}},
		{"en", "Dance challenge", false, "Video is too long.", "Couldn’t send video to TikTok", "“Dance challenge”: Video is too long. Tap to try again.",
			map[string]string{"program_id": "p", "activity_id": "a", "status": "failed", "reason": "Video is too long"}},
		{"en", "Dance challenge", false, "", "Couldn’t send video to TikTok", "“Dance challenge”. Tap to try again.",
			map[string]string{"program_id": "p", "activity_id": "a", "status": "failed"}},
		{"zh-Hans", "舞蹈挑战", false, "视频太长。", "视频未能发送到 TikTok", "“舞蹈挑战”：视频太长。点按重试。",
			map[string]string{"program_id": "p", "activity_id": "a", "status": "failed", "reason": "视频太长"}},
		{"ja", "", false, "rate limited", "Couldn’t send video to TikTok", "“this activity”: rate limited. Tap to try again.",
			map[string]string{"program_id": "p", "activity_id": "a", "status": "failed", "reason": "rate limited"}},
	}
	for _, tt := range tests {
		m := TikTokStatusMessage(tt.locale, "p", "a", tt.title, tt.staged, tt.reason)
		if m.Title != tt.wantT || m.Body != tt.wantBody {
			t.Errorf("TikTokStatusMessage(%q, staged=%v, %q) = %q / %q; want %q / %q", tt.locale, tt.staged, tt.reason, m.Title, m.Body, tt.wantT, tt.wantBody)
		}
		if !reflect.DeepEqual(m.Data, tt.wantData) {
			t.Errorf("data = %v, want %v", m.Data, tt.wantData)
		}
		if m.Kind != KindTikTokStatus || m.CollapseKey != "tiktok-a" {
			t.Errorf("envelope = %+v", m)
		}
	}
}
