package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Network colours, as members know them from the apps.
var (
	colorWeChat = color.NRGBA{R: 0x07, G: 0xC1, B: 0x60, A: 0xFF}
	colorTikTok = color.NRGBA{R: 0xFE, G: 0x2C, B: 0x55, A: 0xFF}
	colorOther  = color.NRGBA{R: 0x5B, G: 0x4B, B: 0xE0, A: 0xFF}
	colorGold   = color.NRGBA{R: 0xE8, G: 0xA3, B: 0x17, A: 0xFF}
)

func networkColor(network string) color.Color {
	switch network {
	case "wechat":
		return colorWeChat
	case "tiktok":
		return colorTikTok
	}
	return colorOther
}

// tapCard is a rounded panel that reacts to a tap anywhere on it.
type tapCard struct {
	widget.BaseWidget
	content  fyne.CanvasObject
	bg       *canvas.Rectangle
	selected bool
	onTapped func()
}

// setSelected outlines the card whose activity is open beside the feed.
func (c *tapCard) setSelected(b bool) {
	c.selected = b
	if c.bg != nil {
		c.paint()
		c.bg.Refresh()
	}
}

func (c *tapCard) paint() {
	if c.selected {
		c.bg.StrokeColor, c.bg.StrokeWidth = theme.Color(theme.ColorNamePrimary), 2
	} else {
		c.bg.StrokeColor, c.bg.StrokeWidth = theme.Color(theme.ColorNameSeparator), 1
	}
}

func newTapCard(content fyne.CanvasObject, onTapped func()) *tapCard {
	c := &tapCard{content: content, onTapped: onTapped}
	c.ExtendBaseWidget(c)
	return c
}

func (c *tapCard) Tapped(*fyne.PointEvent) {
	if c.onTapped != nil {
		c.onTapped()
	}
}

// Cursor shows the hand on desktops, as links do.
func (c *tapCard) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (c *tapCard) CreateRenderer() fyne.WidgetRenderer {
	c.bg = canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	c.bg.CornerRadius = theme.Size(theme.SizeNameInputRadius) * 2
	c.paint()
	return widget.NewSimpleRenderer(container.NewStack(c.bg, container.NewPadded(c.content)))
}

// pill is a small coloured label: the activity type, "Featured".
func pill(text string, bg color.Color) fyne.CanvasObject {
	r := canvas.NewRectangle(bg)
	r.CornerRadius = 9
	t := canvas.NewText(text, color.White)
	t.TextStyle = fyne.TextStyle{Bold: true}
	t.TextSize = theme.TextSize() * 0.85
	// Centred, so a pill keeps its own height in a taller row.
	return container.NewCenter(container.NewStack(r, container.New(layout.NewCustomPaddedLayout(2, 2, 8, 8), t)))
}

// itemKind is what the UI needs to know about an activity type.
type itemKind struct {
	network string
	video   bool
}

func kindOf(typ, network string) itemKind {
	k := itemKind{network: network}
	switch typ {
	case wire.ActivityWeChatVideo, wire.ActivityTikTokVideo:
		k.video = true
	}
	if k.network == "" {
		switch typ {
		case wire.ActivityWeChatPhoto, wire.ActivityWeChatVideo:
			k.network = "wechat"
		case wire.ActivityTikTokVideo:
			k.network = "tiktok"
		}
	}
	return k
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// segmented is a row of buttons of which one is selected (period filters).
type segmented struct {
	buttons  []*widget.Button
	values   []string
	selected string
	onChange func(string)
	box      *fyne.Container
}

func newSegmented(values, labels []string, selected string, onChange func(string)) *segmented {
	s := &segmented{values: values, selected: selected, onChange: onChange}
	objs := make([]fyne.CanvasObject, len(values))
	for i := range values {
		v := values[i]
		b := widget.NewButton(labels[i], func() { s.set(v) })
		s.buttons = append(s.buttons, b)
		objs[i] = b
	}
	s.box = container.NewGridWithColumns(len(values), objs...)
	s.paint()
	return s
}

func (s *segmented) set(v string) {
	if v == s.selected {
		return
	}
	s.selected = v
	s.paint()
	if s.onChange != nil {
		s.onChange(v)
	}
}

func (s *segmented) paint() {
	for i, b := range s.buttons {
		if s.values[i] == s.selected {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.MediumImportance
		}
		b.Refresh()
	}
}

// say sets a status line and hides it when there is nothing to say, so an
// empty line leaves no gap.
func say(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// bold is a bold line of text (a section's title).
func bold(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

// heading is a bold, larger line of text.
func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.SizeName = theme.SizeNameSubHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// caption is small secondary text that stays readable (Fyne's low
// importance is the disabled colour, too faint for help text).
func caption(text string) *widget.Label {
	l := wrapped(text)
	l.SizeName = theme.SizeNameCaptionText
	return l
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// preview shortens a message for a card; the detail shows it whole.
func preview(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// line is one line of secondary text, cut with an ellipsis when narrow.
func line(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Truncation = fyne.TextTruncateEllipsis
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// small is one line of secondary text at its full width.
func small(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// columns lays its objects out in a row with widths in proportion.
type columns struct{ weights []float32 }

func (c *columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objs {
		s := o.MinSize()
		w += s.Width
		h = max(h, s.Height)
	}
	return fyne.NewSize(w, h)
}

func (c *columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	var total float32
	for i := range objs {
		total += c.weight(i)
	}
	x := float32(0)
	for i, o := range objs {
		w := size.Width * c.weight(i) / total
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (c *columns) weight(i int) float32 {
	if i < len(c.weights) {
		return c.weights[i]
	}
	return 1
}

// zones offered where a zone is chosen (the member's settings, the
// program's): where advocacy programs' people live, by UTC offset. The
// current zone is added when it is not here.
var zones = []string{
	"Pacific/Honolulu", "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
	"America/Mexico_City", "America/Sao_Paulo", "Europe/London", "Europe/Lisbon", "Europe/Berlin", "Europe/Paris",
	"Europe/Madrid", "Europe/Rome", "Europe/Warsaw", "Europe/Istanbul", "Africa/Johannesburg", "Europe/Moscow",
	"Asia/Dubai", "Asia/Kolkata", "Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Jakarta", "Asia/Shanghai",
	"Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Manila", "Asia/Seoul",
	"Asia/Tokyo", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland", "UTC",
}

// fixedWidth lays its content out at one width, taking the height it needs.
type fixedWidth float32

func (w fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(float32(w), h)
}

func (w fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// firstNonEmpty is the first of ss that is set.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
