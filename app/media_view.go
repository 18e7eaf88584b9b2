package app

import (
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // photos may be GIFs
	_ "image/jpeg"
	_ "image/png"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// downloader is how the app fetches media files: its server and session.
func downloader(k *kit) mediaDownloader {
	s := k.session()
	return mediaDownloader{http: k.media.http, server: s.Server, token: s.API.Token(), pid: s.ProgramID}
}

// mediaThumb is a card's picture: the photo's thumbnail or the video's
// poster once it is here (from the disk cache at once, else fetched), the
// network's coloured tile until then and where there is none; a video's
// tile says how long it is.
func mediaThumb(kit *kit, k itemKind, m mediaRef, size float32) fyne.CanvasObject {
	box := container.NewStack(placeholderTile(k, m, size))
	if m.ID == "" || kit.media == nil {
		return box
	}
	show := func(img image.Image) {
		if img == nil {
			return
		}
		pic := canvas.NewImageFromImage(img)
		pic.FillMode = canvas.ImageFillCover
		pic.CornerRadius = 8
		pic.SetMinSize(fyne.NewSquareSize(size))
		objs := []fyne.CanvasObject{pic}
		if m.isVideo() {
			objs = append(objs, container.NewCenter(playBadge()))
		}
		box.Objects = objs
		box.Refresh()
	}
	if img, ok := kit.media.decodedThumb(m.ID); ok {
		show(img)
		return box
	}
	// Read, fetched or decoded off the UI goroutine: the first paint of a
	// cached feed and the frames of a scroll do not wait for JPEGs.
	sess := kit.session()
	api, pid := sess.API, sess.ProgramID
	kit.goBG(func(ctx context.Context) {
		b, err := kit.media.thumb(ctx, api, pid, m)
		if err != nil || b == nil {
			return
		}
		img := kit.media.decodeThumb(m.ID, b)
		kit.post(sess, func() { show(img) })
	})
	return box
}

// placeholderTile stands for media not (yet) here: the network's colour
// with a photo or video sign, and a video's duration when known.
func placeholderTile(k itemKind, m mediaRef, size float32) fyne.CanvasObject {
	return placeholderRect(k, m, fyne.NewSquareSize(size))
}

func placeholderRect(k itemKind, m mediaRef, size fyne.Size) fyne.CanvasObject {
	bg := canvas.NewRectangle(withAlpha(networkColor(k.network), 0x33))
	bg.CornerRadius = 8
	bg.SetMinSize(size)
	icon := theme.MediaPhotoIcon()
	if k.video || m.isVideo() {
		icon = theme.MediaVideoIcon()
	}
	objs := []fyne.CanvasObject{widget.NewIcon(icon)}
	if m.Info != nil && m.Info.DurationMS > 0 {
		d := canvas.NewText(formatDuration(m.Info.DurationMS), theme.Color(theme.ColorNameForeground))
		d.TextSize = theme.CaptionTextSize()
		d.Alignment = fyne.TextAlignCenter
		objs = append(objs, d)
	}
	return container.NewStack(bg, container.NewCenter(container.NewVBox(objs...)))
}

// playBadge is the round ▶ over a video's poster.
func playBadge() fyne.CanvasObject {
	c := canvas.NewCircle(color.NRGBA{A: 0x99})
	icon := canvas.NewImageFromResource(theme.NewInvertedThemedResource(theme.MediaPlayIcon()))
	icon.SetMinSize(fyne.NewSquareSize(20))
	return container.NewStack(c, container.NewPadded(icon))
}

// formatDuration is m:ss.
func formatDuration(ms int64) string {
	s := (ms + 500) / 1000
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// mediaView is the activity screen's media: the photo large (aspect kept,
// tap for full size), or the video's poster, or a tile with the video's
// duration and size, never a blank; a progress bar while the file comes,
// and Play for videos.
type mediaView struct {
	k        *kit
	item     client.FeedItem
	ref      mediaRef
	width    float32
	pic      *fyne.Container // the picture or the tile
	facts    *widget.Label   // a video's duration and resolution
	play     *widget.Button
	progress *widget.ProgressBar
	status   *widget.Label // the download's trouble
	content  fyne.CanvasObject

	img  image.Image // what pic shows, nil for the tile
	full bool        // pic shows the file itself (not the thumbnail)
	file cachedMedia // once fetched
	// onFile is called (on the UI goroutine) when the file is ready.
	onFile func(cachedMedia)
}

func newMediaView(k *kit, it client.FeedItem, width float32) *mediaView {
	tr := k.tr
	m := mediaOf(it)
	v := &mediaView{k: k, item: it, ref: m, width: width}
	kind := kindOf(it.Type, it.Network)
	tile := fyne.NewSquareSize(96)
	if m.ID != "" {
		tile = fyne.NewSize(v.width, v.tileHeight())
	}
	v.pic = container.NewStack(placeholderRect(kind, m, tile))
	v.facts = caption("")
	v.facts.Alignment = fyne.TextAlignCenter
	v.play = widget.NewButtonWithIcon(tr.T("media.play"), theme.MediaPlayIcon(), v.onPlay)
	v.progress = widget.NewProgressBar()
	v.progress.Hide()
	v.status = caption("")
	v.status.Hide()
	if !m.isVideo() {
		v.play.Hide()
	}
	if facts := videoFacts(tr, m); facts != "" {
		v.facts.SetText(facts)
	} else {
		v.facts.Hide()
	}
	if m.ID == "" {
		v.facts.SetText(tr.T("media.none"))
		v.facts.Show()
		v.play.Hide()
	}
	tap := newTapArea(v.pic, v.onTapPicture)
	v.content = container.NewVBox(container.NewCenter(tap), v.facts, v.progress, v.status, container.NewCenter(v.play))
	return v
}

// videoFacts is "0:12 · 1080 × 1920" for a video.
func videoFacts(tr *Tr, m mediaRef) string {
	if !m.isVideo() || m.Info == nil {
		return ""
	}
	parts := []string{}
	if m.Info.DurationMS > 0 {
		parts = append(parts, formatDuration(m.Info.DurationMS))
	}
	if m.Info.Width > 0 && m.Info.Height > 0 {
		parts = append(parts, fmt.Sprintf("%d × %d", m.Info.Width, m.Info.Height))
	}
	return strings.Join(parts, " · ")
}

// tileHeight keeps the media's aspect when it is known before it arrives.
func (v *mediaView) tileHeight() float32 {
	if i := v.ref.Info; i != nil && i.Width > 0 && i.Height > 0 {
		return min(v.width*float32(i.Height)/float32(i.Width), v.width)
	}
	return v.width * 0.6
}

// load shows what is cached at once, then fetches the thumbnail and, when
// fetch is set (a WeChat activity, whose file the tap hands over; a photo,
// shown large), the file itself.
func (v *mediaView) load(fetch bool) {
	k, m := v.k, v.ref
	if m.ID == "" || k.media == nil {
		return
	}
	if f, ok := k.media.cachedFile(m.ID); ok {
		v.setFile(f)
	} else if b, ok := k.media.cachedThumb(m.ID); ok {
		v.setPicture(decodeImage(b), false)
	}
	if v.full && v.file.Path != "" {
		return
	}
	sess := k.session()
	api, pid := sess.API, sess.ProgramID
	if v.img == nil {
		k.goBG(func(ctx context.Context) {
			b, err := k.media.thumb(ctx, api, pid, m)
			if err != nil || b == nil {
				return
			}
			img := decodeImage(b)
			k.post(sess, func() {
				if !v.full {
					v.setPicture(img, false)
				}
			})
		})
	}
	if fetch || !m.isVideo() {
		v.fetchFile(nil)
	}
}

// fetchFile brings the file into the app's storage (a progress bar for
// videos), then calls then (may be nil) on the UI goroutine.
func (v *mediaView) fetchFile(then func(cachedMedia)) {
	k, m := v.k, v.ref
	if v.file.Path != "" {
		if then != nil {
			then(v.file)
		}
		return
	}
	dl := downloader(k)
	if m.isVideo() {
		v.progress.SetValue(0)
		v.progress.Show()
	}
	v.status.Hide()
	last := time.Time{}
	progress := func(done, total int64) {
		if total <= 0 || time.Since(last) < 100*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		fyne.Do(func() { v.progress.SetValue(float64(done) / float64(total)) })
	}
	k.goBG(func(ctx context.Context) {
		f, err := k.media.file(ctx, dl, m, progress)
		var img image.Image
		if err == nil && f.Data != nil {
			img = decodeImage(f.Data)
		}
		fyne.Do(func() {
			v.progress.Hide()
			v.play.Enable()
			if err != nil {
				v.status.Importance = widget.WarningImportance
				say(v.status, k.tr.T("media.failed", "error", k.errText(err)))
				return
			}
			v.file = f
			if img != nil {
				v.setPicture(img, true)
			}
			if v.onFile != nil {
				v.onFile(f)
			}
			if then != nil {
				then(f)
			}
		})
	})
}

// setFile shows a file fetched before.
func (v *mediaView) setFile(f cachedMedia) {
	v.file = f
	if img := decodeImage(f.Data); img != nil {
		v.setPicture(img, true)
	} else if b, ok := v.k.media.cachedThumb(v.ref.ID); ok {
		v.setPicture(decodeImage(b), false)
	}
}

// setPicture shows img at the view's width, its aspect kept.
func (v *mediaView) setPicture(img image.Image, full bool) {
	if img == nil {
		return
	}
	v.img, v.full = img, full
	b := img.Bounds()
	w := v.width
	h := w * float32(b.Dy()) / float32(max(b.Dx(), 1))
	if maxH := v.width; h > maxH {
		w, h = w*maxH/h, maxH
	}
	pic := canvas.NewImageFromImage(img)
	pic.FillMode = canvas.ImageFillContain
	pic.CornerRadius = 8
	pic.SetMinSize(fyne.NewSize(w, h))
	objs := []fyne.CanvasObject{pic}
	if v.ref.isVideo() {
		objs = append(objs, container.NewCenter(playBadge()))
		if v.ref.Info != nil && v.ref.Info.DurationMS > 0 {
			d := canvas.NewText(" "+formatDuration(v.ref.Info.DurationMS)+" ", color.White)
			d.TextStyle = fyne.TextStyle{Bold: true}
			bg := canvas.NewRectangle(color.NRGBA{A: 0x99})
			bg.CornerRadius = 4
			objs = append(objs, container.NewVBox(layout.NewSpacer(), container.NewHBox(layout.NewSpacer(),
				container.NewPadded(container.NewStack(bg, d)))))
		}
	}
	v.pic.Objects = objs
	v.pic.Refresh()
}

// onTapPicture: a photo opens full size; a video plays.
func (v *mediaView) onTapPicture() {
	if v.ref.isVideo() {
		if v.ref.ID != "" {
			v.onPlay()
		}
		return
	}
	if v.img == nil {
		return
	}
	v.showFull()
}

// showFull shows the photo as large as the window allows.
func (v *mediaView) showFull() {
	k := v.k
	pic := canvas.NewImageFromImage(v.img)
	pic.FillMode = canvas.ImageFillContain
	ws := k.win.Canvas().Size()
	b := v.img.Bounds()
	w, h := float32(b.Dx()), float32(b.Dy())
	scale := min(ws.Width*0.9/w, ws.Height*0.75/h, 1)
	pic.SetMinSize(fyne.NewSize(w*scale, h*scale))
	d := dialog.NewCustom(k.tr.T("media.photo"), k.tr.T("common.close"), pic, k.win)
	d.Show()
}

// onPlay opens the video (the file once here) in the system's player: a
// desktop's default app for the file, a new tab in a browser.
func (v *mediaView) onPlay() {
	k := v.k
	v.play.Disable()
	v.fetchFile(func(f cachedMedia) {
		if err := k.openURL(fileURL(f.Path)); err != nil {
			v.status.Importance = widget.WarningImportance
			say(v.status, k.errText(err))
		}
	})
}

// fileURL is the address of a cached file: file:// for a path, the object
// URL itself in a browser.
func fileURL(path string) *url.URL {
	if u, err := url.Parse(path); err == nil && (u.Scheme == "blob" || u.Scheme == "http" || u.Scheme == "https") {
		return u
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return &url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
}

// tapArea makes its content tappable (a picture).
type tapArea struct {
	widget.BaseWidget
	content  fyne.CanvasObject
	onTapped func()
}

func newTapArea(content fyne.CanvasObject, onTapped func()) *tapArea {
	t := &tapArea{content: content, onTapped: onTapped}
	t.ExtendBaseWidget(t)
	return t
}

func (t *tapArea) Tapped(*fyne.PointEvent) {
	if t.onTapped != nil {
		t.onTapped()
	}
}

func (t *tapArea) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(t.content)
}
