package app

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/mediacheck"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// wallLayout is how a manager types a start or end, in their own zone.
const wallLayout = "2006-01-02 15:04"

// linkDelay is how long the editor waits after the last keystroke before
// asking for the message's tracked form.
var linkDelay = 300 * time.Millisecond

// activityEditor is the new / edit activity form.
type activityEditor struct {
	m       *mgr
	editing *client.Activity // nil: a new activity
	title   *widget.Label
	typ     *widget.RadioGroup
	typeOf  map[string]string // label → type
	message *widget.Entry
	instr   *widget.Entry
	tracked *widget.Label // the message with its tracked links
	// The link's page image: the photo a WeChat Photo saved without one
	// will get, shown before saving.
	linkPhoto     *canvas.Image
	linkPhotoNote *widget.Label
	fileLabel     *widget.Label
	preview       *fyne.Container // the chosen file, before it is uploaded
	pick          *widget.Button
	problems      *widget.Label // why the file was refused
	progress      *widget.ProgressBar
	cancel        *widget.Button
	resume        *widget.Button
	groups        *widget.CheckGroup
	channels      *widget.CheckGroup
	starts        *widget.Entry
	ends          *widget.Entry
	points        *widget.Entry
	campaign      *widget.Select
	featured      *widget.Check
	save          *widget.Button
	status        *widget.Label
	// groupIDs and channelIDs match the check boxes' options one for one:
	// the manager view's lists may be fetched again while the form is open.
	groupIDs, channelIDs []string
	// notes hold each field's problem under it, by the API's field name.
	notes   map[string]*widget.Label
	content fyne.CanvasObject

	// Media: the chosen file, and the media id once uploaded (or the
	// edited activity's).
	file      string
	fileKind  string // the type the file was checked for
	mediaID   string
	uploadID  string // an unfinished upload, to resume
	uploading bool
	stopUp    context.CancelFunc
	linkSeq   atomic.Int64
	// upOpts are the chunking and retry settings (tests make them small).
	upOpts client.UploadOptions
}

func newActivityEditor(m *mgr, a *client.Activity, duplicate bool) *activityEditor {
	tr := m.k.tr
	e := &activityEditor{m: m, typeOf: map[string]string{}}
	if a != nil && !duplicate {
		e.editing = a
	}
	switch {
	case e.editing != nil:
		e.title = heading(tr.T("mgr.editor.edit"))
	case a != nil:
		e.title = heading(tr.T("mgr.editor.duplicate"))
	default:
		e.title = heading(tr.T("mgr.editor.new"))
	}
	labels := make([]string, len(activityTypes))
	for i, t := range activityTypes {
		labels[i] = typeLabel(tr, t)
		e.typeOf[labels[i]] = t
	}
	e.typ = widget.NewRadioGroup(labels, func(string) { e.onType() })
	e.typ.Horizontal = true
	e.typ.Required = true

	e.message = widget.NewMultiLineEntry()
	e.message.Wrapping = fyne.TextWrapWord
	e.message.SetMinRowsVisible(4)
	e.message.SetPlaceHolder(tr.T("mgr.field.message_hint"))
	e.message.OnChanged = func(string) { e.checkLinks() }
	e.instr = widget.NewMultiLineEntry()
	e.instr.Wrapping = fyne.TextWrapWord
	e.instr.SetMinRowsVisible(2)
	e.tracked = caption("")
	e.tracked.Hide()
	e.linkPhoto = canvas.NewImageFromResource(nil)
	e.linkPhoto.FillMode = canvas.ImageFillContain
	e.linkPhoto.SetMinSize(fyne.NewSize(160, 120))
	e.linkPhoto.Hide()
	e.linkPhotoNote = caption(tr.T("mgr.link_photo"))
	e.linkPhotoNote.Hide()

	e.fileLabel = widget.NewLabel(tr.T("mgr.media.none"))
	e.preview = container.NewStack()
	e.preview.Hide()
	e.fileLabel.Truncation = fyne.TextTruncateEllipsis
	e.pick = widget.NewButtonWithIcon(tr.T("mgr.media.pick"), theme.FolderOpenIcon(), e.onPick)
	e.problems = wrapped("")
	e.problems.Importance = widget.DangerImportance
	e.problems.Hide()
	e.progress = widget.NewProgressBar()
	e.progress.Hide()
	e.cancel = widget.NewButton(tr.T("common.cancel"), e.onCancelUpload)
	e.cancel.Hide()
	e.resume = widget.NewButtonWithIcon(tr.T("mgr.media.resume"), theme.ViewRefreshIcon(), func() { e.upload(true) })
	e.resume.Hide()

	gnames := make([]string, len(m.groups))
	for i, g := range m.groups {
		gnames[i] = g.Name
		e.groupIDs = append(e.groupIDs, g.ID)
	}
	e.groups = widget.NewCheckGroup(gnames, nil)
	e.groups.Horizontal = true
	cnames := make([]string, len(m.channels))
	for i, c := range m.channels {
		cnames[i] = c.Name
		e.channelIDs = append(e.channelIDs, c.ID)
		if c.Visibility == wire.VisibilityPrivate {
			cnames[i] += " (" + tr.T("mgr.channel.private") + ")"
		}
	}
	e.channels = widget.NewCheckGroup(cnames, nil)
	e.channels.Horizontal = true

	e.starts = widget.NewEntry()
	e.starts.SetPlaceHolder(tr.T("mgr.field.starts_hint"))
	e.ends = widget.NewEntry()
	e.ends.SetPlaceHolder(tr.T("mgr.field.ends_hint"))
	e.points = widget.NewEntry()
	e.points.SetText("10")
	copts := []string{tr.T("mgr.campaign.none")}
	for _, c := range m.campaigns {
		copts = append(copts, c.Name)
	}
	e.campaign = widget.NewSelect(copts, nil)
	e.campaign.SetSelectedIndex(0)
	e.featured = widget.NewCheck(tr.T("mgr.field.featured"), nil)
	e.save = widget.NewButtonWithIcon(tr.T("mgr.save"), theme.DocumentSaveIcon(), e.onSave)
	e.save.Importance = widget.HighImportance
	e.status = wrapped("")
	e.status.Hide()

	e.notes = map[string]*widget.Label{}
	for _, f := range editorFields {
		e.notes[f] = fieldNote()
	}
	n := e.notes
	zone := tr.Location().String()
	form := widget.NewForm(
		widget.NewFormItem(tr.T("mgr.field.type"), container.NewVBox(caption(tr.T("mgr.other_networks")), e.typ, n["type"])),
		widget.NewFormItem(tr.T("mgr.field.message"), container.NewVBox(e.message, n["message"], e.tracked, e.linkPhotoNote, e.linkPhoto)),
		widget.NewFormItem(tr.T("mgr.field.instructions"), container.NewVBox(e.instr, n["instructions"])),
		widget.NewFormItem(tr.T("mgr.field.media"), container.NewVBox(
			container.NewBorder(nil, nil, nil, e.pick, e.fileLabel), n["media_id"], e.preview, caption(tr.T("mgr.media.drop")),
			e.problems, container.NewBorder(nil, nil, nil, container.NewHBox(e.cancel, e.resume), e.progress))),
		widget.NewFormItem(tr.T("mgr.field.groups"), e.groups),
		widget.NewFormItem(tr.T("mgr.field.channels"), e.channels),
		widget.NewFormItem("", caption(tr.T("mgr.targeting_rule"))),
		widget.NewFormItem(tr.T("mgr.field.starts"), container.NewVBox(e.starts, n["starts_at"])),
		widget.NewFormItem(tr.T("mgr.field.ends"), container.NewVBox(e.ends, n["ends_at"])),
		widget.NewFormItem("", caption(tr.T("mgr.zone", "zone", zone))),
		widget.NewFormItem(tr.T("mgr.field.points"), container.NewVBox(e.points, n["points"])),
		widget.NewFormItem(tr.T("mgr.field.campaign"), e.campaign),
		widget.NewFormItem("", e.featured),
	)
	bottom := container.NewVBox(e.status, container.NewHBox(e.save))
	e.content = container.NewBorder(e.title, bottom, nil, nil, container.NewVScroll(container.NewPadded(form)))

	e.typ.SetSelected(labels[0])
	if a != nil {
		e.fill(*a, duplicate)
	}
	return e
}

// fill puts an existing activity's fields in the form.
func (e *activityEditor) fill(a client.Activity, duplicate bool) {
	tr := e.m.k.tr
	e.typ.SetSelected(typeLabel(tr, a.Type))
	e.message.SetText(a.Message)
	e.instr.SetText(a.Instructions)
	e.mediaID = a.MediaID
	if a.MediaID != "" {
		e.fileLabel.SetText(tr.T("mgr.media.kept"))
		e.showMediaPreview(a)
	}
	for i, gid := range e.groupIDs {
		if slices.Contains(a.GroupIDs, gid) {
			e.groups.Selected = append(e.groups.Selected, e.groups.Options[i])
		}
	}
	for i, cid := range e.channelIDs {
		if slices.Contains(a.ChannelIDs, cid) {
			e.channels.Selected = append(e.channels.Selected, e.channels.Options[i])
		}
	}
	e.groups.Refresh()
	e.channels.Refresh()
	loc := tr.Location()
	now := e.m.k.now()
	if !duplicate || a.StartsAt.After(now) {
		e.starts.SetText(a.StartsAt.In(loc).Format(wallLayout))
	}
	if a.EndsAt != nil && (!duplicate || a.EndsAt.After(now)) {
		e.ends.SetText(a.EndsAt.In(loc).Format(wallLayout))
	}
	e.points.SetText(strconv.Itoa(a.Points))
	for i, c := range e.m.campaigns {
		if c.ID == a.CampaignID {
			e.campaign.SetSelectedIndex(i + 1)
		}
	}
	e.featured.SetChecked(a.Featured)
}

func (e *activityEditor) kind() string { return e.typeOf[e.typ.Selected] }

// onType shows the fields of the chosen type; TikTok gets its default
// instructions, and a chosen file is checked again for the new type.
func (e *activityEditor) onType() {
	if e.message == nil {
		return
	}
	k := e.kind()
	if k == wire.ActivityTikTokVideo && strings.TrimSpace(e.instr.Text) == "" {
		// Plain: an entry holds what is saved, not Flow's breaks for labels.
		e.instr.SetText(Plain(e.m.k.tr.T("mgr.tiktok_default")))
	}
	if e.file != "" && e.fileKind != k && !e.uploading {
		e.setFile(e.file)
	}
}

func (e *activityEditor) onPick() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		e.setFile(path)
	}, e.m.k.win)
	// Only the photos or videos this activity type takes (the drop zone
	// still takes any file, and says why one is refused).
	if exts := mediacheck.Extensions(mediacheck.Kind(e.kind())); len(exts) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(exts))
	}
	d.Show()
}

// setFile checks the file on this machine with the server's own rules and,
// when it passes, uploads it.
func (e *activityEditor) setFile(path string) {
	tr := e.m.k.tr
	if e.uploading {
		e.onCancelUpload()
	}
	e.file, e.fileKind, e.mediaID, e.uploadID = path, e.kind(), "", ""
	e.fileLabel.SetText(filepath.Base(path))
	e.resume.Hide()
	e.progress.Hide()
	kind := mediacheck.Kind(e.fileKind)
	var problems []mediacheck.Problem
	info, err := mediacheck.ProbeFile(path)
	if err != nil {
		problems = []mediacheck.Problem{mediacheck.ProbeProblem(kind, err)}
	} else {
		problems = mediacheck.Check(kind, info, mediacheck.DefaultLimits())
	}
	e.showFilePreview(path, info, err == nil)
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.Message
		}
		say(e.problems, tr.T("mgr.media.refused", "reason", strings.Join(msgs, "; ")))
		return
	}
	say(e.problems, "")
	e.upload(false)
}

// upload sends the file in chunks with a progress bar; resume continues an
// upload that stopped (cancel, or a connection that stayed broken) from
// where the server has it.
func (e *activityEditor) upload(resume bool) {
	k := e.m.k
	tr := k.tr
	f, err := os.Open(e.file)
	if err != nil {
		say(e.problems, tr.T("mgr.media.refused", "reason", err.Error()))
		return
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		say(e.problems, tr.T("mgr.media.refused", "reason", err.Error()))
		return
	}
	sess := k.session()
	api, pid := sess.API, sess.ProgramID
	req := client.UploadRequest{Kind: e.fileKind, Filename: filepath.Base(e.file), Size: st.Size()}
	id := ""
	if resume {
		id = e.uploadID
	}
	ctx, cancel := context.WithCancel(k.ctx)
	e.stopUp = cancel
	e.uploading = true
	e.progress.SetValue(0)
	e.progress.Show()
	e.cancel.Show()
	e.resume.Hide()
	say(e.status, tr.T("mgr.media.uploading"))
	progress := func(off, size int64) {
		if size > 0 {
			v := float64(off) / float64(size)
			fyne.Do(func() { e.progress.SetValue(v) })
		}
	}
	opts := e.upOpts
	opts.Progress = progress
	k.goBG(func(context.Context) {
		defer f.Close()
		defer cancel()
		var res client.UploadResult
		var err error
		var offset int64
		if id == "" {
			var up client.Upload
			up, err = api.CreateUpload(ctx, pid, req)
			id = up.ID
		} else {
			offset, _, err = api.UploadStatus(ctx, pid, id)
		}
		if err == nil {
			created := id
			fyne.Do(func() { e.uploadID = created })
			res, err = api.ResumeUpload(ctx, pid, id, f, req.Size, offset, opts)
		}
		k.post(sess, func() { e.uploaded(res, err) })
	})
}

func (e *activityEditor) uploaded(res client.UploadResult, err error) {
	k := e.m.k
	tr := k.tr
	e.uploading, e.stopUp = false, nil
	e.cancel.Hide()
	switch {
	case err == nil:
		e.mediaID, e.uploadID = res.MediaID, ""
		e.progress.SetValue(1)
		say(e.status, tr.T("mgr.media.uploaded"))
	case client.MediaProblems(err) != nil:
		msgs := []string{}
		for _, p := range client.MediaProblems(err) {
			msgs = append(msgs, p.Message)
		}
		e.uploadID = ""
		e.progress.Hide()
		say(e.status, "")
		say(e.problems, tr.T("mgr.media.refused", "reason", strings.Join(msgs, "; ")))
	case errors.Is(err, context.Canceled):
		say(e.status, tr.T("mgr.media.cancelled"))
		if e.uploadID != "" {
			e.resume.Show()
		}
	default:
		say(e.status, tr.T("mgr.media.failed", "error", k.errText(err)))
		if e.uploadID != "" {
			e.resume.Show()
		}
	}
}

func (e *activityEditor) onCancelUpload() {
	if e.stopUp != nil {
		e.stopUp()
	}
}

// close ends the editor's background work.
func (e *activityEditor) close() { e.onCancelUpload() }

// checkLinks shows the message with its links in their tracked form.
func (e *activityEditor) checkLinks() {
	k := e.m.k
	seq := e.linkSeq.Add(1)
	text := e.message.Text
	if !strings.Contains(text, "http://") && !strings.Contains(text, "https://") {
		say(e.tracked, "")
		return
	}
	sess := k.session()
	api, pid := sess.API, sess.ProgramID
	k.goBG(func(ctx context.Context) {
		time.Sleep(linkDelay)
		if e.linkSeq.Load() != seq {
			return
		}
		res, err := api.PreviewLinks(ctx, pid, text)
		var photo fyne.Resource
		if err == nil && res.ImageURL != "" && len(res.URLs) > 0 {
			// The server fetches the page's image through its guard (public
			// addresses only): this machine fetches nothing a page names.
			var b bytes.Buffer
			if _, ierr := api.LinkPreviewImage(ctx, pid, res.URLs[0], &b); ierr == nil {
				photo = fyne.NewStaticResource("link-photo", b.Bytes())
			}
		}
		k.post(sess, func() {
			if e.linkSeq.Load() != seq || err != nil {
				return
			}
			say(e.tracked, k.tr.T("mgr.tracked", "message", res.Message))
			e.showLinkPhoto(photo)
		})
	})
}

// showLinkPhoto shows the link's page image while the activity is a WeChat
// Photo without a photo of its own: the one members will get.
func (e *activityEditor) showLinkPhoto(photo fyne.Resource) {
	if photo == nil || e.kind() != wire.ActivityWeChatPhoto || e.file != "" || e.mediaID != "" {
		e.linkPhoto.Hide()
		e.linkPhotoNote.Hide()
		return
	}
	e.linkPhoto.Resource = photo
	e.linkPhoto.Refresh()
	e.linkPhoto.Show()
	e.linkPhotoNote.Show()
}

// input builds the request from the form; a message in the error's place
// says what is wrong with it.
func (e *activityEditor) input() (in client.ActivityInput, field, bad string) {
	tr := e.m.k.tr
	loc := tr.Location()
	k := e.kind()
	if k == "" {
		return in, "type", tr.T("mgr.invalid.type")
	}
	in.Type = &k
	msg := strings.TrimSpace(e.message.Text)
	instr := strings.TrimSpace(e.instr.Text)
	in.Message, in.Instructions = &msg, &instr
	if e.mediaID != "" {
		in.MediaID = &e.mediaID
	}
	groups := []string{}
	for i, id := range e.groupIDs {
		if containsStr(e.groups.Selected, e.groups.Options[i]) {
			groups = append(groups, id)
		}
	}
	channels := []string{}
	for i, id := range e.channelIDs {
		if containsStr(e.channels.Selected, e.channels.Options[i]) {
			channels = append(channels, id)
		}
	}
	in.GroupIDs, in.ChannelIDs = &groups, &channels
	for _, f := range []struct {
		entry *widget.Entry
		dst   **string
		field string
	}{{e.starts, &in.StartsAt, "starts_at"}, {e.ends, &in.EndsAt, "ends_at"}} {
		s := strings.TrimSpace(f.entry.Text)
		if s == "" {
			continue
		}
		t, err := time.ParseInLocation(wallLayout, s, loc)
		if err != nil {
			return in, f.field, tr.T("mgr.invalid.time", "text", s, "format", wallLayout)
		}
		v := t.Format(time.RFC3339)
		*f.dst = &v
	}
	pts, err := strconv.Atoi(strings.TrimSpace(e.points.Text))
	if err != nil || pts < 0 {
		return in, "points", tr.T("mgr.invalid.points")
	}
	in.Points = &pts
	camp := ""
	if i := e.campaign.SelectedIndex(); i > 0 && i <= len(e.m.campaigns) {
		camp = e.m.campaigns[i-1].ID
	}
	in.CampaignID = &camp
	feat := e.featured.Checked
	in.Featured = &feat
	return in, "", ""
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (e *activityEditor) onSave() {
	k := e.m.k
	tr := k.tr
	if e.uploading {
		e.setStatus(tr.T("mgr.media.wait"), widget.WarningImportance)
		return
	}
	if e.file != "" && e.mediaID == "" {
		e.setStatus(tr.T("mgr.media.not_uploaded"), widget.DangerImportance)
		return
	}
	e.clearNotes()
	in, field, bad := e.input()
	if bad != "" {
		say(e.notes[field], bad)
		e.setStatus(tr.T("mgr.invalid.see_fields"), widget.DangerImportance)
		return
	}
	sess := k.session()
	api, pid := sess.API, sess.ProgramID
	editing := e.editing
	e.save.Disable()
	e.setStatus(tr.T("common.saving"), widget.MediumImportance)
	k.goBG(func(ctx context.Context) {
		var a client.Activity
		var err error
		if editing != nil {
			a, err = api.UpdateActivity(ctx, pid, editing.ID, in)
		} else {
			a, err = api.CreateActivity(ctx, pid, in)
		}
		k.post(sess, func() {
			e.save.Enable()
			if err != nil {
				e.setStatus(e.showFieldErrors(err), widget.DangerImportance)
				return
			}
			e.setStatus(tr.T("common.saved"), widget.SuccessImportance)
			if e.m.host.shownManager() == e.m {
				e.m.nav.saved(a)
			}
		})
	})
}

func (e *activityEditor) setStatus(msg string, imp widget.Importance) {
	e.status.Importance = imp
	say(e.status, msg)
}

// editorFields are the API's names of the fields with a note under them,
// in the form's order.
var editorFields = []string{"type", "message", "instructions", "media_id", "starts_at", "ends_at", "points"}

func (e *activityEditor) clearNotes() {
	for _, n := range e.notes {
		say(n, "")
	}
}

// showFieldErrors puts the server's reason for each field under it, in the
// manager's language, and answers the status line: what to do, plus in form
// order (not a map's) any reason that has no field on the form.
func (e *activityEditor) showFieldErrors(err error) string {
	k := e.m.k
	text := k.errText(err)
	var ce *client.Error
	if !errors.As(err, &ce) || len(ce.Fields) == 0 {
		return text
	}
	var rest []string
	for _, f := range slices.Sorted(maps.Keys(ce.Fields)) {
		if n := e.notes[f]; n != nil {
			say(n, activityProblem(k.tr, ce.Fields[f]))
		} else {
			rest = append(rest, activityProblem(k.tr, ce.Fields[f]))
		}
	}
	if len(rest) > 0 {
		text += " " + strings.Join(rest, " ")
	}
	return text
}

// activityProblem is the server's reason for an activity field in the
// manager's words, when the app knows it.
func activityProblem(tr *Tr, msg string) string {
	switch {
	case strings.HasPrefix(msg, "is required"):
		return tr.T("mgr.problem.required")
	case msg == "must be after starts_at":
		return tr.T("mgr.problem.after_start")
	case strings.HasPrefix(msg, "must be between 0 and"):
		return tr.T("mgr.problem.points_range")
	case strings.HasPrefix(msg, "is longer than"):
		return tr.T("mgr.problem.too_long")
	}
	return fieldProblem(tr, msg)
}
