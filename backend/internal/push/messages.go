package push

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Locales the notifications are written in.
const (
	LocaleEnglish           = "en"
	LocaleSimplifiedChinese = "zh-Hans"
)

// ResolveLocale maps a member's locale to one we have texts for. Every
// Chinese tag (zh, zh-CN, zh_Hans_CN, zh-TW …) gets Simplified Chinese: we
// ship no Traditional texts and a Chinese reader is better served by them
// than by English. Anything else gets English.
func ResolveLocale(locale string) string {
	l := strings.ToLower(strings.TrimSpace(locale))
	l = strings.ReplaceAll(l, "_", "-")
	if l == "zh" || strings.HasPrefix(l, "zh-") {
		return LocaleSimplifiedChinese
	}
	return LocaleEnglish
}

// DeepLink is the link a notification opens.
func DeepLink(programID, activityID string) string {
	return "chorus://programs/" + url.PathEscape(programID) + "/activities/" + url.PathEscape(activityID)
}

// TTLs per kind. A handoff is answered within minutes or not at all; a new
// activity or staging result still matters the next day.
const (
	NewActivityTTL  = 24 * time.Hour
	HandoffTTL      = time.Hour
	TikTokStatusTTL = 24 * time.Hour
)

// Lengths notification texts are cut to. Lock screens show about two lines;
// cutting here keeps every payload well under the 4 KB platform limits
// whatever a manager typed.
const (
	maxTitleRunes  = 80
	maxReasonRunes = 140
)

type texts struct {
	newActivityTitle     string // %s = activity title
	newActivityTitleBare string
	newActivityBody      string
	handoffTitle         string
	handoffBody          string // %s = activity title
	tiktokStagedTitle    string
	tiktokStagedBody     string // %s = activity title
	tiktokFailedTitle    string
	tiktokFailedBody     string // %s = activity title, %s = reason
	tiktokFailedBodyBare string // %s = activity title
	untitled             string
}

var catalog = map[string]texts{
	LocaleEnglish: {
		newActivityTitle:     "New activity: %s",
		newActivityTitleBare: "New activity",
		newActivityBody:      "Tap to open it in Chorus.",
		handoffTitle:         "Continue on your phone",
		handoffBody:          "Tap to open “%s” here and share it from your phone.",
		tiktokStagedTitle:    "Video sent to TikTok",
		tiktokStagedBody:     "Open TikTok and finish posting “%s” from your inbox.",
		tiktokFailedTitle:    "Couldn’t send video to TikTok",
		tiktokFailedBody:     "“%s”: %s. Tap to try again.",
		tiktokFailedBodyBare: "“%s”. Tap to try again.",
		untitled:             "this activity",
	},
	LocaleSimplifiedChinese: {
		newActivityTitle:     "新活动：%s",
		newActivityTitleBare: "新活动",
		newActivityBody:      "点按在 Chorus 中打开。",
		handoffTitle:         "在手机上继续",
		handoffBody:          "点按在手机上打开“%s”并分享。",
		tiktokStagedTitle:    "视频已发送到 TikTok",
		tiktokStagedBody:     "打开 TikTok，在收件箱中完成发布“%s”。",
		tiktokFailedTitle:    "视频未能发送到 TikTok",
		tiktokFailedBody:     "“%s”：%s。点按重试。",
		tiktokFailedBodyBare: "“%s”。点按重试。",
		untitled:             "此活动",
	},
}

// NewActivityMessage announces an activity that just went live.
func NewActivityMessage(locale, programID, activityID, activityTitle string) Message {
	t := catalog[ResolveLocale(locale)]
	title := t.newActivityTitleBare
	if s := clean(activityTitle, maxTitleRunes); s != "" {
		title = fmt.Sprintf(t.newActivityTitle, s)
	}
	return Message{
		Kind:        KindNewActivity,
		Title:       title,
		Body:        t.newActivityBody,
		DeepLink:    DeepLink(programID, activityID),
		Data:        activityData(programID, activityID),
		CollapseKey: "activity-" + activityID,
		TTL:         NewActivityTTL,
	}
}

// HandoffMessage is sent from the desktop to the member's phone, where
// WeChat and TikTok activities are performed.
func HandoffMessage(locale, programID, activityID, activityTitle string) Message {
	t := catalog[ResolveLocale(locale)]
	return Message{
		Kind:        KindHandoff,
		Title:       t.handoffTitle,
		Body:        fmt.Sprintf(t.handoffBody, titleOr(t, activityTitle)),
		DeepLink:    DeepLink(programID, activityID),
		Data:        activityData(programID, activityID),
		CollapseKey: "handoff-" + activityID,
		TTL:         HandoffTTL,
	}
}

// TikTokStatusMessage reports the end of a TikTok staging: staged (the
// member finishes the post in TikTok's inbox) or failed with reason (the
// member can retry from the activity).
func TikTokStatusMessage(locale, programID, activityID, activityTitle string, staged bool, reason string) Message {
	t := catalog[ResolveLocale(locale)]
	data := activityData(programID, activityID)
	m := Message{
		Kind:     KindTikTokStatus,
		DeepLink: DeepLink(programID, activityID),
		Data:     data,
		// One key for both outcomes: a retry's result replaces the
		// earlier one if the phone was offline.
		CollapseKey: "tiktok-" + activityID,
		TTL:         TikTokStatusTTL,
	}
	name := titleOr(t, activityTitle)
	if staged {
		data[DataStatus] = wire.StagingStaged
		m.Title = t.tiktokStagedTitle
		m.Body = fmt.Sprintf(t.tiktokStagedBody, name)
		return m
	}
	data[DataStatus] = wire.StagingFailed
	m.Title = t.tiktokFailedTitle
	if r := strings.TrimRight(clean(reason, maxReasonRunes), ".。"); r != "" {
		data[DataReason] = r
		m.Body = fmt.Sprintf(t.tiktokFailedBody, name, r)
	} else {
		m.Body = fmt.Sprintf(t.tiktokFailedBodyBare, name)
	}
	return m
}

func activityData(programID, activityID string) map[string]string {
	return map[string]string{DataProgramID: programID, DataActivityID: activityID}
}

func titleOr(t texts, activityTitle string) string {
	if s := clean(activityTitle, maxTitleRunes); s != "" {
		return s
	}
	return t.untitled
}

// clean puts s on one line (notifications are one-liners) and cuts it to
// max runes, counting runes so CJK text is not split mid-character.
func clean(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:max-1]), " ") + "…"
}
