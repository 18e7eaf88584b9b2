package mediacheck

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Kind is the kind of activity a media file is meant for; each has its own
// rules (see PRODUCT.md).
type Kind string

// Kinds with media rules. The list is open: a new activity type adds a kind
// here, its entry in rules, and its limits in sizeProblem and Check.
const (
	KindWeChatPhoto Kind = wire.ActivityWeChatPhoto
	KindWeChatVideo Kind = wire.ActivityWeChatVideo
	KindTikTokVideo Kind = wire.ActivityTikTokVideo
)

// ParseKind accepts exactly the names above.
func ParseKind(s string) (Kind, bool) {
	switch k := Kind(s); k {
	case KindWeChatPhoto, KindWeChatVideo, KindTikTokVideo:
		return k, true
	}
	return "", false
}

// Problem codes. They are stable: the app translates by code, and the
// English message is the fallback.
const (
	CodeUnsupportedFormat = "unsupported_format"
	CodeTooLarge          = "too_large"
	CodeTooLong           = "too_long"
	CodeTooShort          = "too_short"
	CodeResolutionTooLow  = "resolution_too_low"
	CodeUnreadable        = "unreadable"
)

// Problem is one reason a file is refused for a kind.
type Problem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Limits holds the limits a company may change; the platforms' own limits
// (WeChat 4 GB and 15 s, TikTok 50 MB, 3–60 s, 540 px) are not settings.
type Limits struct {
	PhotoMaxBytes int64 // WeChat Photo; zero or less means the default
}

// DefaultPhotoMaxBytes is the WeChat Photo limit unless configured: 20 MB.
const DefaultPhotoMaxBytes = 20 << 20

// DefaultLimits returns the limits used when nothing is configured.
func DefaultLimits() Limits { return Limits{PhotoMaxBytes: DefaultPhotoMaxBytes} }

func (l Limits) photoMax() int64 {
	if l.PhotoMaxBytes <= 0 {
		return DefaultPhotoMaxBytes
	}
	return l.PhotoMaxBytes
}

// The platforms' limits. PRODUCT.md reads "4 GB" and "50 MB" as binary
// units, and messages print them the same way.
const (
	WeChatVideoMaxBytes = 4 << 30 // strictly less than this
	WeChatVideoMaxMS    = 15_000
	TikTokMaxBytes      = 50 << 20 // this or less
	TikTokMinMS         = 3_000
	TikTokMaxMS         = 60_000
	TikTokMinSide       = 540
)

type rule struct {
	platform   string   // as the manager knows it
	noun       string   // "photos", "videos"
	containers []string // accepted Info.Container values
	exts       []string // accepted file name extensions, for CheckDeclared
	video      bool
}

var rules = map[Kind]rule{
	KindWeChatPhoto: {"WeChat", "photos", []string{ContainerJPEG, ContainerPNG, ContainerGIF, ContainerWebP},
		[]string{".jpg", ".jpeg", ".png", ".gif", ".webp"}, false},
	KindWeChatVideo: {"WeChat", "videos", []string{ContainerMP4, ContainerMOV},
		[]string{".mp4", ".m4v", ".mov"}, true},
	KindTikTokVideo: {"TikTok", "videos", []string{ContainerMP4, ContainerWebM},
		[]string{".mp4", ".m4v", ".webm"}, true},
}

// Extensions are the file name extensions kind accepts (".jpg", …), for a
// file dialog to offer only those; nil for an unknown kind.
func Extensions(kind Kind) []string { return slices.Clone(rules[kind].exts) }

// containerPhrases name what a file is, as a manager would say it.
var containerPhrases = map[string]string{
	ContainerMP4: "an MP4 video", ContainerMOV: "a MOV video", ContainerWebM: "a WebM video",
	ContainerMKV: "an MKV video", ContainerJPEG: "a JPEG image", ContainerPNG: "a PNG image",
	ContainerGIF: "a GIF image", ContainerWebP: "a WebP image",
}

var containerNames = map[string]string{
	ContainerMP4: "MP4", ContainerMOV: "MOV", ContainerWebM: "WebM", ContainerMKV: "MKV",
	ContainerJPEG: "JPEG", ContainerPNG: "PNG", ContainerGIF: "GIF", ContainerWebP: "WebP",
}

func isVideoContainer(c string) bool {
	switch c {
	case ContainerMP4, ContainerMOV, ContainerWebM, ContainerMKV:
		return true
	}
	return false
}

// Check applies kind's rules to what Probe found and returns every problem,
// or nil when the file is fine. An unknown kind is itself a problem: a file
// is never waved through by a typo.
func Check(kind Kind, info Info, lim Limits) []Problem {
	r, ok := rules[kind]
	if !ok {
		return []Problem{unknownKind(kind)}
	}
	var ps []Problem
	if !slices.Contains(r.containers, info.Container) {
		what, ok := containerPhrases[info.Container]
		if !ok {
			what = "in an unknown format"
		}
		ps = append(ps, Problem{CodeUnsupportedFormat,
			fmt.Sprintf("file is %s; %s %s must be %s", what, r.platform, r.noun, formatList(r.containers))})
	} else if r.video && info.VideoCodec == "" && info.Width == 0 && info.Height == 0 {
		ps = append(ps, Problem{CodeUnsupportedFormat,
			fmt.Sprintf("file has no video track; %s needs a video", r.platform)})
	}
	if p, bad := sizeProblem(kind, info.SizeBytes, lim); bad {
		ps = append(ps, p)
	}
	// Duration and frame size mean nothing for a still image handed to a
	// video kind; "unsupported format" already says all there is to say.
	if !r.video || !isVideoContainer(info.Container) {
		return ps
	}
	switch kind {
	case KindWeChatVideo:
		if info.DurationMS > WeChatVideoMaxMS {
			ps = append(ps, tooLong(info.DurationMS, WeChatVideoMaxMS, r.platform))
		}
	case KindTikTokVideo:
		if info.DurationMS < TikTokMinMS {
			ps = append(ps, Problem{CodeTooShort, fmt.Sprintf("video is %s; %s needs at least %s",
				seconds(info.DurationMS, TikTokMinMS), r.platform, seconds(TikTokMinMS, -1))})
		}
		if info.DurationMS > TikTokMaxMS {
			ps = append(ps, tooLong(info.DurationMS, TikTokMaxMS, r.platform))
		}
		if info.VideoCodec != "" || info.Width != 0 || info.Height != 0 {
			if min(info.Width, info.Height) < TikTokMinSide {
				ps = append(ps, Problem{CodeResolutionTooLow, fmt.Sprintf(
					"video is %d×%d; %s needs the shorter side to be at least %d pixels",
					info.Width, info.Height, r.platform, TikTokMinSide)})
			}
		}
	}
	return ps
}

// CheckDeclared judges an upload before any byte arrives, from the name and
// size the client declares, so an impossible upload is refused at once. The
// content is checked again with Probe and Check once it has arrived; the
// extension decides nothing then.
func CheckDeclared(kind Kind, filename string, size int64, lim Limits) []Problem {
	r, ok := rules[kind]
	if !ok {
		return []Problem{unknownKind(kind)}
	}
	var ps []Problem
	ext := strings.ToLower(filepath.Ext(filename))
	if !slices.Contains(r.exts, ext) {
		what := "has no extension"
		if ext != "" {
			what = "ends in " + quoteShort(ext)
		}
		ps = append(ps, Problem{CodeUnsupportedFormat, fmt.Sprintf("file name %s; %s %s must be %s (%s)",
			what, r.platform, r.noun, formatList(r.containers), strings.Join(r.exts, ", "))})
	}
	if p, bad := sizeProblem(kind, size, lim); bad {
		ps = append(ps, p)
	}
	return ps
}

func sizeProblem(kind Kind, size int64, lim Limits) (Problem, bool) {
	platform := rules[kind].platform
	switch kind {
	case KindWeChatPhoto:
		if limit := lim.photoMax(); size > limit {
			return tooLarge(size, limit, platform, "at most"), true
		}
	case KindWeChatVideo:
		if size >= WeChatVideoMaxBytes {
			return tooLarge(size, WeChatVideoMaxBytes, platform, "less than"), true
		}
	case KindTikTokVideo:
		if size > TikTokMaxBytes {
			return tooLarge(size, TikTokMaxBytes, platform, "at most"), true
		}
	}
	return Problem{}, false
}

// ProbeProblem turns an error from Probe or ProbeFile into the problem to
// show: a foreign file is "unsupported_format", anything else "unreadable".
// kind may be "" when no kind applies.
func ProbeProblem(kind Kind, err error) Problem {
	if errors.Is(err, ErrUnsupportedFormat) {
		msg := "file is not a supported image or video"
		if r, ok := rules[kind]; ok {
			msg = fmt.Sprintf("file is not a supported image or video; %s %s must be %s",
				r.platform, r.noun, formatList(r.containers))
		}
		return Problem{CodeUnsupportedFormat, msg}
	}
	return Problem{CodeUnreadable, "file could not be read; it may be damaged or incomplete (" +
		strings.TrimPrefix(err.Error(), ErrUnreadable.Error()+": ") + ")"}
}

func unknownKind(k Kind) Problem {
	return Problem{CodeUnsupportedFormat, fmt.Sprintf("unknown activity kind %s", quoteShort(string(k)))}
}

func tooLarge(size, limit int64, platform, bound string) Problem {
	have, want := bytesText(size), bytesText(limit)
	if oneDecimal(size, unitOf(limit)) == oneDecimal(limit, unitOf(limit)) {
		// "50.0 MB; at most 50 MB" would read as a contradiction.
		have, want = groupDigits(size)+" bytes", groupDigits(limit)+" bytes ("+want+")"
	}
	return Problem{CodeTooLarge, fmt.Sprintf("file is %s; %s allows %s %s", have, platform, bound, want)}
}

func tooLong(ms, limit int64, platform string) Problem {
	return Problem{CodeTooLong, fmt.Sprintf("video is %s; %s allows at most %s",
		seconds(ms, limit), platform, seconds(limit, -1))}
}

// seconds prints ms with one decimal ("16.2 s"), or with all its digits when
// one decimal would print the limit itself ("15.001 s", not "15.0 s").
// A limit is printed without needless zeros ("15 s"); pass limit -1.
func seconds(ms, limit int64) string {
	if limit < 0 {
		return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64) + " s"
	}
	one := strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64)
	if one == strconv.FormatFloat(float64(limit)/1000, 'f', 1, 64) && ms != limit {
		return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64) + " s"
	}
	return one + " s"
}

type unit struct {
	name  string
	bytes int64
}

var units = []unit{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}}

func unitOf(n int64) unit {
	for _, u := range units {
		if n >= u.bytes {
			return u
		}
	}
	return unit{"bytes", 1}
}

func oneDecimal(n int64, u unit) string {
	return strconv.FormatFloat(float64(n)/float64(u.bytes), 'f', 1, 64)
}

// bytesText prints a size in binary units with one decimal, dropping ".0"
// for exact figures so limits read "50 MB".
func bytesText(n int64) string {
	u := unitOf(n)
	if u.bytes == 1 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	if n%u.bytes == 0 {
		return strconv.FormatInt(n/u.bytes, 10) + " " + u.name
	}
	return oneDecimal(n, u) + " " + u.name
}

func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func formatList(containers []string) string {
	names := make([]string, len(containers))
	for i, c := range containers {
		names[i] = containerNames[c]
	}
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " or " + names[1]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
