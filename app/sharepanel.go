package app

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/url"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"
)

// qrPixels is the side of the QR code's PNG, quiet zone included. It is
// drawn at that size (whole device pixels per module at scale 1 and 2), big
// enough for a phone camera across a desk.
const qrPixels = 256

// qrPNG is the QR code of link as the share panel shows it: medium error
// correction, with the standard white border (quiet zone) of four modules.
func qrPNG(link string) ([]byte, error) {
	return qrcode.Encode(link, qrcode.Medium, qrPixels)
}

// sharePanel shows a member's share page (/s/{token}) as a QR code that a
// phone's camera or WeChat's scanner opens, with the link to copy. One
// struct for the desktop handoff, "Open on my phone" and the manager's
// member preview.
type sharePanel struct {
	k       *kit
	status  *widget.Label // what happened, e.g. "Sent to your phone"; hidden when empty
	qr      *canvas.Image
	hint    *widget.Label
	link    *widget.Label
	local   *widget.Label // the link names this computer: no phone opens it
	expires *widget.Label
	copy    *widget.Button
	close   *widget.Button
	url     string
	d       dialog.Dialog
}

// shareInfo is what a share panel says.
type shareInfo struct {
	title     string
	status    string
	statusImp widget.Importance
	url       string
	expires   time.Time // zero: not shown
}

// showSharePanel opens a dialog with the QR code of in.url.
func showSharePanel(k *kit, in shareInfo) (*sharePanel, error) {
	png, err := qrPNG(in.url)
	if err != nil {
		return nil, err
	}
	tr := k.tr
	p := &sharePanel{k: k, url: in.url}
	p.status = wrapped("")
	p.status.Importance = in.statusImp
	p.status.TextStyle = fyne.TextStyle{Bold: true}
	say(p.status, in.status)

	sum := sha256.Sum256(png)
	res := fyne.NewStaticResource("share-qr-"+hex.EncodeToString(sum[:6])+".png", png)
	p.qr = canvas.NewImageFromResource(res)
	p.qr.FillMode = canvas.ImageFillContain
	// Whole pixels per module: a smoothed code scans worse.
	p.qr.ScaleMode = canvas.ImageScalePixels
	p.qr.SetMinSize(fyne.NewSquareSize(qrPixels))

	p.hint = widget.NewLabel(tr.T("share.scan_hint"))
	p.hint.Alignment = fyne.TextAlignCenter
	p.hint.Wrapping = fyne.TextWrapWord

	p.link = caption(in.url)
	p.link.Wrapping = fyne.TextWrapBreak
	p.link.Selectable = true
	p.local = caption("")
	p.local.Importance = widget.WarningImportance
	if host := loopbackHost(in.url); host != "" {
		p.local.SetText(tr.T("share.loopback", "host", host))
	} else {
		p.local.Hide()
	}
	p.expires = caption("")
	if !in.expires.IsZero() {
		p.expires.SetText(tr.T("share.expires", "when", tr.When(in.expires, k.now())))
	} else {
		p.expires.Hide()
	}
	p.copy = widget.NewButtonWithIcon(tr.T("share.copy"), theme.ContentCopyIcon(), p.onCopy)
	p.close = widget.NewButton(tr.T("share.close"), p.onClose)
	p.close.Importance = widget.HighImportance

	// The labels wrap, so the panel's width comes from this strut, not
	// from the text.
	strut := canvas.NewRectangle(nil)
	strut.SetMinSize(fyne.NewSize(420, 0))
	// The PNG is dark on white with its quiet zone, whatever the theme.
	code := container.NewCenter(p.qr)
	body := container.NewVBox(strut, p.status, code, p.hint, p.link, p.local, p.expires,
		container.NewGridWithColumns(2, p.copy, p.close))
	p.d = dialog.NewCustomWithoutButtons(in.title, body, k.win)
	p.d.Show()
	return p, nil
}

// loopbackHost is the link's host when it names this computer (a server
// without its public address set): a phone cannot open such a link.
func loopbackHost(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	host := u.Hostname()
	if host == "localhost" {
		return host
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return host
	}
	return ""
}

// onCopy puts the link on the clipboard, to send by other means.
func (p *sharePanel) onCopy() {
	p.k.app.Clipboard().SetContent(p.url)
	p.copy.SetText(p.k.tr.T("share.copied"))
	p.copy.SetIcon(theme.ConfirmIcon())
}

func (p *sharePanel) onClose() { p.d.Hide() }
