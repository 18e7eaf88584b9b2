package app

import (
	"image"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/mediacheck"
)

// editorPreviewSize is the editor's picture of the chosen media.
const editorPreviewSize = 200

// showFilePreview shows the picked or dropped file before it is uploaded:
// a photo as itself, a video as a tile with its duration and size.
func (e *activityEditor) showFilePreview(path string, info mediacheck.Info, probed bool) {
	k := kindOf(e.kind(), "")
	m := mediaRef{Video: k.video}
	if probed {
		m.Info = &client.MediaInfo{Width: info.Width, Height: info.Height, DurationMS: info.DurationMS, SizeBytes: info.SizeBytes}
		if info.VideoCodec != "" || info.DurationMS > 0 {
			m.Info.ContentType = "video/" + info.Container
		} else {
			m.Info.ContentType = "image/" + info.Container
		}
	}
	var obj fyne.CanvasObject
	if !m.isVideo() {
		if img := decodeFile(path); img != nil {
			obj = previewImage(img)
		}
	}
	if obj == nil {
		obj = placeholderTile(k, m, editorPreviewSize*0.6)
		if facts := videoFacts(e.m.k.tr, m); facts != "" {
			obj = container.NewVBox(obj, caption(facts))
		}
	}
	e.preview.Objects = []fyne.CanvasObject{container.NewHBox(obj)}
	e.preview.Refresh()
	e.preview.Show()
}

// showMediaPreview shows an edited activity's media as members see it on
// their cards: its thumbnail or poster.
func (e *activityEditor) showMediaPreview(a client.Activity) {
	k := kindOf(a.Type, "")
	e.preview.Objects = []fyne.CanvasObject{container.NewHBox(mediaThumb(e.m.k, k, mediaOfActivity(a), editorPreviewSize*0.6))}
	e.preview.Refresh()
	e.preview.Show()
}

func previewImage(img image.Image) fyne.CanvasObject {
	b := img.Bounds()
	w, h := float32(editorPreviewSize), float32(editorPreviewSize)*float32(b.Dy())/float32(max(b.Dx(), 1))
	if h > editorPreviewSize {
		w, h = w*editorPreviewSize/h, editorPreviewSize
	}
	pic := canvas.NewImageFromImage(img)
	pic.FillMode = canvas.ImageFillContain
	pic.CornerRadius = 8
	pic.SetMinSize(fyne.NewSize(w, h))
	return pic
}

func decodeFile(path string) image.Image {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return decodeImage(b)
}
